import TapeFormat

/// The type of a value in a query.
public enum SQLType: String, Sendable, Hashable, CustomStringConvertible {
    case int = "BIGINT"
    case double = "DOUBLE"
    case bool = "BOOLEAN"
    case string = "VARCHAR"
    /// Nanoseconds since the Unix epoch, UTC.
    case timestamp = "TIMESTAMP"
    case interval = "INTERVAL"
    /// The type of a bare NULL literal; converts to any type.
    case null = "NULL"

    public var description: String { rawValue }

    /// The query type of a stored column.
    init(_ c: ColumnType) {
        switch c {
        case .int64: self = .int
        case .float64: self = .double
        case .timestamp: self = .timestamp
        case .bool: self = .bool
        case .string: self = .string
        case .duration: self = .interval
        }
    }

    /// The stored column type used to print a result of this type (intervals print as strings).
    var columnType: ColumnType {
        switch self {
        case .int, .null: return .int64
        case .double: return .float64
        case .bool: return .bool
        case .string, .interval: return .string
        case .timestamp: return .timestamp
        }
    }

    var isNumeric: Bool { self == .int || self == .double }

    /// Type names accepted by CAST and `::`.
    init?(sqlName: String) {
        switch sqlName.uppercased() {
        case "BIGINT", "INT", "INTEGER", "INT8", "INT64", "LONG", "SMALLINT", "TINYINT", "HUGEINT": self = .int
        case "DOUBLE", "FLOAT", "REAL", "FLOAT8", "FLOAT64", "DECIMAL", "NUMERIC": self = .double
        case "BOOLEAN", "BOOL": self = .bool
        case "VARCHAR", "TEXT", "STRING", "CHAR": self = .string
        case "TIMESTAMP", "DATETIME", "TIMESTAMPTZ", "DATE": self = .timestamp
        case "INTERVAL": self = .interval
        default: return nil
        }
    }

    /// The common type two operands are converted to for comparison or CASE/COALESCE branches.
    static func common(_ a: SQLType, _ b: SQLType) -> SQLType? {
        if a == b { return a }
        if a == .null { return b }
        if b == .null { return a }
        if a.isNumeric && b.isNumeric { return .double }
        return nil
    }
}
