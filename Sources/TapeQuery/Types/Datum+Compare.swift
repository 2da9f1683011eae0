import Tape

extension Datum {
    /// Total order used by ORDER BY, min/max and arg_min/arg_max on single values: numbers
    /// numerically (NaN above all), strings byte-wise, false < true; NULL sorts after everything
    /// (callers apply NULLS FIRST/LAST themselves).
    static func compare(_ a: Datum, _ b: Datum) -> Int {
        switch (a, b) {
        case (.null, .null): return 0
        case (.null, _): return 1
        case (_, .null): return -1
        case (.int(let x), .int(let y)), (.timestamp(let x), .timestamp(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.double(let x), .double(let y)): return compareDoubles(x, y)
        case (.int(let x), .double(let y)): return compareDoubles(Double(x), y)
        case (.double(let x), .int(let y)): return compareDoubles(x, Double(y))
        case (.string(let x), .string(let y)): return compareBytes(x, y)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.interval(let x), .interval(let y)): return Evaluator.compareIntervals(x, y)
        default: return rank(a) < rank(b) ? -1 : (rank(a) == rank(b) ? 0 : 1)
        }
    }

    private static func rank(_ d: Datum) -> Int {
        switch d {
        case .null: return 7
        case .bool: return 0
        case .int, .double: return 1
        case .timestamp: return 2
        case .interval: return 3
        case .string: return 4
        }
    }
}
