import Tape
import TapeCodec
import TapeQuery

/// A `RunTable` seen as SQL rows: columns `run`, `path`, `status`, every materialized metric
/// (DOUBLE, BIGINT counts, TIMESTAMP `start`/`end`) and metadata key (typed as `tape sql` types
/// metadata: BIGINT, DOUBLE, BOOLEAN or TIMESTAMP when every run's value parses so, else VARCHAR),
/// and the order in which rows are printed (path order until sorted).
struct SummaryView {
    /// Where a name's values come from.
    enum Source: Equatable {
        case run, path, status
        case column(Int)
        /// A name no run has: NULL everywhere.
        case absent
    }

    let table: RunTable
    let paths: RunPathList
    /// Row indices of `table`, in output order.
    var rows: [Int32]
    /// The SQL type of each column of `table`.
    let types: [SQLType]

    init(table: RunTable, paths: [String]) {
        self.init(table: table, paths: RunPathList(paths))
    }

    init(table: RunTable, paths: RunPathList) {
        self.table = table
        self.paths = paths
        let p = table.pathIndex
        rows = Array(0..<Int32(table.count))
        if !zip(p, p.dropFirst()).allSatisfy({ $0 < $1 }) { rows.sort { p[Int($0)] < p[Int($1)] } }
        types = table.wanted.indices.map { c in
            if table.isMetric(c) {
                return (0..<table.count).lazy.compactMap { table.metric(c, $0) }.first.map(Self.type(of:)) ?? .double
            }
            return RunSet.inferredType(of: table.columns[c].metadata.valuesInUse)
        }
    }

    static func type(of value: RunMetrics.Value) -> SQLType {
        switch value {
        case .double: return .double
        case .int: return .int
        case .timestamp: return .timestamp
        }
    }

    func source(_ name: String) -> Source {
        switch name {
        case "run": return .run
        case "path": return .path
        case "status": return .status
        default: return table.index(of: name).map(Source.column) ?? .absent
        }
    }

    func type(_ source: Source) -> SQLType {
        switch source {
        case .run, .path, .status, .absent: return .string
        case .column(let c): return types[c]
        }
    }

    /// The value of `source` for table row `row`.
    func datum(_ source: Source, _ row: Int) -> Datum {
        switch source {
        case .run: return .string(table.runID(row, paths: paths))
        case .path: return .string(paths[Int(table.pathIndex[row])])
        case .status: return .string(table.status[row].description)
        case .absent: return .null
        case .column(let c):
            if table.isMetric(c) {
                switch table.metric(c, row) {
                case .double(let d)?: return .double(d)
                case .int(let i)?: return .int(i)
                case .timestamp(let t)?: return .timestamp(t)
                case nil: return .null
                }
            }
            return table.metadata(c, row).map { RunSet.datum($0, as: types[c]) } ?? .null
        }
    }

    /// Whether some run has a value for `name`.
    func has(_ name: String) -> Bool {
        guard case .column(let c) = source(name) else { return source(name) != .absent }
        return table.isMetric(c) || table.columns[c].metadata.hasValue
    }

    /// Whether `name` is a metric of some run (a metric hides a metadata key of the same name).
    func isMetric(_ name: String) -> Bool {
        if case .column(let c) = source(name) { return table.isMetric(c) }
        return false
    }
}

extension SQLType {
    /// The storage type of a summary output column of this SQL type.
    var columnType: ColumnType {
        switch self {
        case .int: return .int64
        case .double: return .float64
        case .bool: return .bool
        case .timestamp: return .timestamp
        default: return .string
        }
    }
}
