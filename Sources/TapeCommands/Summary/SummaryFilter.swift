import Tape
import TapeQuery

/// `tape summary --where`: a SQL condition (the syntax, NULL rules and caret-positioned errors of
/// `tape sql`'s WHERE, through `TapeQuery.RowFilter`) over one row per run whose columns are `run`,
/// `path`, `status`, every metric and every metadata key of the runs (typed as `SummaryView`
/// says); a name one run lacks is NULL there, so a comparison with it is not true.
enum SummaryFilter {
    /// Every name the condition could use: run, path, status, metrics, then metadata keys (a
    /// metadata key named like a metric is hidden by it), with their types.
    static func columns(for view: SummaryView) -> [(name: String, type: SQLType)] {
        var out: [(name: String, type: SQLType)] = [("run", .string), ("path", .string), ("status", .string)]
        var seen: Set<String> = ["run", "path", "status"]
        for name in view.table.metricNames.sorted() where seen.insert(name).inserted {
            out.append((name, view.source(name) == .absent ? .double : view.type(view.source(name))))
        }
        for key in view.table.metadataKeys.sorted() where seen.insert(key).inserted {
            out.append((key, view.type(view.source(key))))
        }
        return out
    }

    /// Every word and quoted name in `condition`: a superset of the column names it reads, which
    /// the loader materializes (matching case-insensitively, as unquoted SQL names do).
    static func names(in condition: String) -> [String] {
        var out: [String] = [], current = ""
        var quote: Character?
        for ch in condition {
            if let q = quote {
                if ch == q { out.append(current); current = ""; quote = nil } else { current.append(ch) }
            } else if ch == "\"" || ch == "'" || ch == "`" {
                if !current.isEmpty { out.append(current); current = "" }
                quote = ch
            } else if ch.isLetter || ch.isNumber || ch == "_" || ch == "." {
                current.append(ch)
            } else if !current.isEmpty {
                out.append(current)
                current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Keeps the rows of `view` for which `condition` is true, in order. Throws `QueryError`
    /// (with a position in `condition`) for a syntax error, an unknown name or mismatched types.
    static func apply(_ condition: String, to view: inout SummaryView) throws {
        let columns = columns(for: view)
        let filter = try RowFilter(condition, columns: columns)
        let sources = columns.map { view.source($0.name) }
        let wanted = Set(names(in: condition).map { $0.lowercased() })
        let used = columns.indices.filter { wanted.contains(columns[$0].name.lowercased()) }
        var kept: [Int32] = []
        var start = 0
        while start < view.rows.count {
            let slice = view.rows[start..<min(start + 8192, view.rows.count)]
            start += slice.count
            let batch = slice.map { r -> [Datum] in
                var row = [Datum](repeating: .null, count: columns.count)
                for c in used { row[c] = view.datum(sources[c], Int(r)) }
                return row
            }
            for (r, keep) in zip(slice, try filter.matches(batch)) where keep { kept.append(r) }
        }
        view.rows = kept
    }
}
