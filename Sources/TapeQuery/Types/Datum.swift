import TapeFormat

extension Datum {
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

    /// The value as a stored column holds it (for zone-map predicates and output): an interval
    /// becomes its text, every other value is itself.
    var value: Datum {
        if case .interval(let i) = self { return .string(i.description) }
        return self
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
