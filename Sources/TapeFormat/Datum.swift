/// One scalar value, the same type everywhere: a row-wise writer's cell (`Value` is this type), a
/// run's metadata value, a SQL literal, an aggregate's result. Columns of many values are
/// `ColumnData` (TapeCodec), laid out as Arrow arrays.
public enum Datum: Hashable, Sendable, CustomStringConvertible {
    case null
    case int(Int64)
    /// float64 columns.
    case double(Double)
    case bool(Bool)
    case string(String)
    /// Nanoseconds since the Unix epoch, UTC.
    case timestamp(Int64)
    /// A SQL INTERVAL (a stored duration column reads as one). Not a writer input: a column takes
    /// int, double, bool, string or timestamp values.
    case interval(Interval)

    public var isNull: Bool { self == .null }

    /// Equality as SQL grouping sees it (DISTINCT, GROUP BY, IN, count(DISTINCT)): DOUBLE values
    /// are equal when numerically equal (so -0.0 equals 0.0) or both NaN — every NaN is one value,
    /// as in DuckDB. This also keeps `Hashable` lawful (Swift's `Double ==` is not reflexive on NaN).
    public static func == (a: Datum, b: Datum) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.int(let x), .int(let y)), (.timestamp(let x), .timestamp(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.interval(let x), .interval(let y)): return x == y
        default: return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .null: h.combine(0)
        case .int(let v): h.combine(1); h.combine(v)
        case .double(let v): h.combine(2); h.combine(v.isNaN ? Double.nan.bitPattern : (v == 0 ? 0 : v.bitPattern))
        case .bool(let v): h.combine(3); h.combine(v)
        case .string(let v): h.combine(4); h.combine(v)
        case .timestamp(let v): h.combine(5); h.combine(v)
        case .interval(let v): h.combine(6); h.combine(v)
        }
    }

    public var description: String {
        switch self {
        case .null: return "NULL"
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .bool(let v): return v ? "true" : "false"
        case .string(let s): return "'\(s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''"))'"
        case .timestamp(let ns): return "TIMESTAMP '\(Timestamps.format(ns))'"
        case .interval(let i): return "INTERVAL '\(i)'"
        }
    }
}
