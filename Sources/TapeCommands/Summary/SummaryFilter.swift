import Tape
import TapeQuery

/// `tape summary --where`: a SQL condition (the syntax, NULL rules and caret-positioned errors of
/// `tape sql`'s WHERE, through `TapeQuery.RowFilter`) over one row per run whose columns are `run`
/// and `path`, every metric (DOUBLE, BIGINT counts, TIMESTAMP `start`/`end`) and every metadata key
/// (VARCHAR) of the runs; a name one run lacks is NULL there, so a comparison with it is not true.
public enum SummaryFilter {
    /// The columns the condition may use, for `records`: metrics first, then metadata keys
    /// (a metadata key named like a metric is hidden by it).
    public static func columns(for records: [RunRecord]) -> [(name: String, type: SQLType)] {
        var out: [(name: String, type: SQLType)] = [("run", .string), ("path", .string)]
        var seen: Set<String> = ["run", "path"]
        for r in records {
            for (name, value) in r.metrics.entries where seen.insert(name).inserted {
                switch value {
                case .double: out.append((name, .double))
                case .int: out.append((name, .int))
                case .timestamp: out.append((name, .timestamp))
                }
            }
        }
        for r in records {
            for key in r.metadata.keys.sorted() where seen.insert(key).inserted { out.append((key, .string)) }
        }
        return out
    }

    /// The records for which `condition` is true, in order. Throws `QueryError` (with a position
    /// in `condition`) for a syntax error, an unknown name or mismatched types.
    public static func apply(_ condition: String, to records: [RunRecord]) throws -> [RunRecord] {
        let columns = columns(for: records)
        let filter = try RowFilter(condition, columns: columns)
        let rows = records.map { r in columns.map { datum(r, $0.name) } }
        let keep = try filter.matches(rows)
        return zip(records, keep).filter { $0.1 }.map { $0.0 }
    }

    static func datum(_ r: RunRecord, _ name: String) -> Datum {
        switch name {
        case "run": return .string(r.run)
        case "path": return .string(r.path)
        default:
            switch r.metrics[name] {
            case .double(let d)?: return .double(d)
            case .int(let i)?: return .int(i)
            case .timestamp(let t)?: return .timestamp(t)
            case nil: return r.metadata[name].map { .string($0) } ?? .null
            }
        }
    }
}
