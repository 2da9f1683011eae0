/// One logical cell value, used where convenience matters more than speed (row-at-a-time import,
/// printing, tests). Hot paths use typed setters and `ColumnData` instead.
public enum Value: Sendable, Equatable, Hashable, CustomStringConvertible {
    case null
    case int(Int64)
    case float(Double)
    /// Nanoseconds since the Unix epoch, UTC.
    case timestamp(Int64)
    case bool(Bool)
    case string(String)

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var description: String {
        switch self {
        case .null: return "NULL"
        case .int(let v): return String(v)
        case .float(let v): return String(v)
        case .timestamp(let v): return "ts(\(v))"
        case .bool(let v): return v ? "true" : "false"
        case .string(let v): return v
        }
    }
}
