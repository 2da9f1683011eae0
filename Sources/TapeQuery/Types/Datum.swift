import TapeFormat

/// One scalar value in a query: a literal, a metadata value, an aggregate's result.
public enum Datum: Hashable, Sendable, CustomStringConvertible {
    case null
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case string(String)
    case timestamp(Int64)
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

    public var type: SQLType {
        switch self {
        case .null: return .null
        case .int: return .int
        case .double: return .double
        case .bool: return .bool
        case .string: return .string
        case .timestamp: return .timestamp
        case .interval: return .interval
        }
    }

    public var description: String {
        switch self {
        case .null: return "NULL"
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .bool(let v): return v ? "true" : "false"
        case .string(let s): return "'\(s.replacingOccurrences(of: "'", with: "''"))'"
        case .timestamp(let ns): return "TIMESTAMP '\(Timestamps.format(ns))'"
        case .interval(let i): return "INTERVAL '\(i)'"
        }
    }

    /// The query value of a storage-level value.
    init(_ v: Value) {
        switch v {
        case .null: self = .null
        case .int(let x): self = .int(x)
        case .float(let x): self = .double(x)
        case .timestamp(let x): self = .timestamp(x)
        case .bool(let x): self = .bool(x)
        case .string(let x): self = .string(x)
        }
    }

    /// The storage-level value (for zone-map predicates and output); intervals become strings.
    var value: Value {
        switch self {
        case .null: return .null
        case .int(let v): return .int(v)
        case .double(let v): return .float(v)
        case .bool(let v): return .bool(v)
        case .string(let s): return .string(s)
        case .timestamp(let v): return .timestamp(v)
        case .interval(let i): return .string(i.description)
        }
    }

    /// Converts to `type` for comparisons and CASE branches: int → double, and a string to a
    /// timestamp when compared with one. Returns nil when the value does not convert.
    func coerced(to type: SQLType) -> Datum? {
        if self.type == type || self == .null { return self }
        switch (self, type) {
        case (.int(let v), .double): return .double(Double(v))
        case (.string(let s), .timestamp): return Timestamps.parse(s).map(Datum.timestamp)
        case (.string(let s), .interval): return Interval(parsing: s).map(Datum.interval)
        default: return nil
        }
    }
}
