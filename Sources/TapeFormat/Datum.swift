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

    /// Equality as SQL grouping sees it — the one `==` that GROUP BY, DISTINCT, IN, count(DISTINCT),
    /// set operations and join keys use: DOUBLE values are equal when numerically equal (so -0.0
    /// equals 0.0) or both NaN — every NaN is one value, as in DuckDB. This also keeps `Hashable`
    /// lawful (Swift's `Double ==` is not reflexive on NaN). Values of different cases are never
    /// equal (`.int(1) != .double(1)`: coerce first). Code that needs the exact stored bits (a
    /// storage round trip, -0.0 kept apart from 0.0, NaN payloads) uses `isIdentical(to:)`.
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

    /// Whether the two values are the same bits: like `==`, except that DOUBLE values compare by
    /// bit pattern (-0.0 is not 0.0, NaNs with different payloads differ). For storage round trips.
    public func isIdentical(to other: Datum) -> Bool {
        if case .double(let x) = self, case .double(let y) = other { return x.bitPattern == y.bitPattern }
        return self == other
    }

    /// The value as plain text, as a cell shows it: strings unquoted, timestamps as ISO 8601
    /// (`Timestamps.format`), intervals in DuckDB's spelling, NULL as `NULL`. Messages that name a
    /// stored value (a predicate, a type mismatch) use this; SQL text uses `sqlLiteral`.
    public var description: String {
        switch self {
        case .null: return "NULL"
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .bool(let v): return v ? "true" : "false"
        case .string(let s): return s
        case .timestamp(let ns): return Timestamps.format(ns)
        case .interval(let i): return i.description
        }
    }

    /// The value as a SQL literal that reads back as the same value: strings single-quoted (inner
    /// quotes doubled), `TIMESTAMP '…'`, `INTERVAL '…'`. EXPLAIN and query error messages use it.
    public var sqlLiteral: String {
        switch self {
        case .null, .int, .double, .bool: return description
        case .string(let s): return "'\(s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''"))'"
        case .timestamp(let ns): return "TIMESTAMP '\(Timestamps.format(ns))'"
        case .interval(let i): return "INTERVAL '\(i)'"
        }
    }
}
