import Foundation
import TapeFormat

/// Performance metrics of one run (README "Run metrics" gives every formula), as an ordered list of
/// named values. A metric that is undefined for a run (a Sharpe ratio of a flat curve, a profit
/// factor without losing trades) is absent, never NaN or infinite.
public struct RunMetrics: Sendable, Equatable, Codable {
    /// One metric's value: what it is decides how it is stored and printed.
    public enum Value: Sendable, Equatable {
        case double(Double)
        case int(Int64)
        /// Nanoseconds since the Unix epoch, UTC.
        case timestamp(Int64)

        /// The value as a number (a timestamp as its nanoseconds).
        public var number: Double {
            switch self {
            case .double(let d): return d
            case .int(let i), .timestamp(let i): return Double(i)
            }
        }
    }

    /// Metrics in a fixed order (see `MetricsAccumulator.finish`).
    public var entries: [(name: String, value: Value)]

    public init(entries: [(name: String, value: Value)] = []) {
        self.entries = entries
    }

    /// The value named `name`, if present.
    public subscript(name: String) -> Value? {
        entries.first { $0.name == name }?.value
    }

    /// The value named `name` as a number, if present.
    public func number(_ name: String) -> Double? { self[name]?.number }

    /// Names of the metrics, in order.
    public var names: [String] { entries.map(\.name) }

    /// Appends `value` unless it is a non-finite double.
    mutating func add(_ name: String, _ value: Value?) {
        guard let value else { return }
        if case .double(let d) = value, !d.isFinite { return }
        entries.append((name, value))
    }

    public static func == (a: RunMetrics, b: RunMetrics) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    // MARK: JSON: an object name → number (timestamps as ISO-8601 UTC strings), in order.

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for (name, value) in entries {
            let k = Key(stringValue: name)
            switch value {
            case .double(let d): try c.encode(d, forKey: k)
            case .int(let i): try c.encode(i, forKey: k)
            case .timestamp(let t): try c.encode(Timestamps.format(t), forKey: k)
            }
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        entries = []
        let order = Dictionary(MetricNames.all.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        for k in c.allKeys.sorted(by: { (order[$0.stringValue] ?? .max, $0.stringValue) < (order[$1.stringValue] ?? .max, $1.stringValue) }) {
            if let s = try? c.decode(String.self, forKey: k), let t = Timestamps.parse(s) {
                entries.append((k.stringValue, .timestamp(t)))
            } else if let i = try? c.decode(Int64.self, forKey: k), MetricNames.integers.contains(k.stringValue) {
                entries.append((k.stringValue, .int(i)))
            } else {
                entries.append((k.stringValue, .double(try c.decode(Double.self, forKey: k))))
            }
        }
    }
}

/// Names of the metrics Tape computes (README "Run metrics").
public enum MetricNames {
    /// Every metric in the order `MetricsAccumulator.finish` stores them.
    public static let all = [
        "start", "end", "bars", "periods", "periods_per_year", "initial_equity", "final_equity", "total_return", "cagr",
        "annual_return", "annual_volatility", "sharpe", "sortino", "calmar", "max_drawdown",
        "bar_max_drawdown", "max_drawdown_days", "trades", "win_rate", "best_trade", "worst_trade",
        "avg_trade", "avg_win", "avg_loss", "profit_factor", "expectancy_r", "expectancy", "exposure",
    ]
    /// Metrics that are counts.
    public static let integers: Set<String> = ["bars", "periods", "trades"]
}
