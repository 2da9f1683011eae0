/// One scalar JSON value of an NDJSON object.
public enum JSONScalar: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    /// A JSON number written without fraction or exponent that fits in Int64.
    case int(Int64)
    /// Any other JSON number.
    case double(Double)
    case string(String)

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .string(let s): return s
        }
    }
}
