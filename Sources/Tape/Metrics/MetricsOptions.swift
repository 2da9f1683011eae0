/// How a run's metrics are computed and from which tables and columns (README "Run metrics").
///
/// Defaults match empyrical: daily returns (last equity per UTC day), 252 periods per year,
/// risk-free rate 0. Every field can be overridden per run by a metadata key
/// (`tape.metrics.<key>`, see `metadataKeys`), read when the run's first chunk is written.
public struct MetricsOptions: Sendable, Equatable {
    /// What one return period is.
    public enum Returns: String, Sendable, CaseIterable {
        /// Returns between the last equity of consecutive UTC days that have bars.
        case daily
        /// Returns between consecutive bars.
        case bar
    }

    public var returns: Returns
    /// Periods per year used to annualise (252 trading days; 365 for calendar days; for `.bar`
    /// returns, bars per year).
    public var periodsPerYear: Double
    /// Annual risk-free rate; per period it is `riskFreeRate / periodsPerYear`.
    public var riskFreeRate: Double
    public var equityTable: String
    public var timeColumn: String
    public var equityColumn: String
    /// A column of the equity table whose non-zero values mean "in the market" (for exposure).
    public var positionColumn: String
    public var tradesTable: String
    public var pnlColumn: String
    public var entryColumn: String
    public var exitColumn: String

    public init(returns: Returns = .daily, periodsPerYear: Double = 252, riskFreeRate: Double = 0,
                equityTable: String = "equity", timeColumn: String = "ts", equityColumn: String = "equity",
                positionColumn: String = "position", tradesTable: String = "trades", pnlColumn: String = "pnl",
                entryColumn: String = "entry_ts", exitColumn: String = "exit_ts") {
        self.returns = returns
        self.periodsPerYear = periodsPerYear
        self.riskFreeRate = riskFreeRate
        self.equityTable = equityTable
        self.timeColumn = timeColumn
        self.equityColumn = equityColumn
        self.positionColumn = positionColumn
        self.tradesTable = tradesTable
        self.pnlColumn = pnlColumn
        self.entryColumn = entryColumn
        self.exitColumn = exitColumn
    }

    /// Whether rows of `table` feed the metrics (it is the equity or the trades table).
    public func feedsMetrics(_ table: String) -> Bool { table == equityTable || table == tradesTable }

    /// Metadata keys that override fields (each prefixed with `tape.metrics.`).
    public static let metadataKeys = [
        "returns", "periods_per_year", "risk_free", "equity_table", "time_column", "equity_column",
        "position_column", "trades_table", "pnl_column", "entry_column", "exit_column",
    ]

    /// These options with the `tape.metrics.*` keys of `metadata` applied; throws
    /// `TapeError.invalidArgument` naming the key for a value that does not parse.
    public func applying(metadata: [(key: String, value: String)]) throws -> MetricsOptions {
        var o = self
        for (key, value) in metadata where key.hasPrefix("tape.metrics.") {
            let name = String(key.dropFirst("tape.metrics.".count))
            func number() throws -> Double {
                guard let d = Double(value), d.isFinite else {
                    throw TapeError.invalidArgument("metadata \(key)='\(value)' is not a finite number")
                }
                return d
            }
            switch name {
            case "returns":
                guard let r = Returns(rawValue: value) else {
                    throw TapeError.invalidArgument("metadata \(key)='\(value)' must be daily or bar")
                }
                o.returns = r
            case "periods_per_year":
                let p = try number()
                guard p > 0 else { throw TapeError.invalidArgument("metadata \(key)='\(value)' must be positive") }
                o.periodsPerYear = p
            case "risk_free": o.riskFreeRate = try number()
            case "equity_table": o.equityTable = value
            case "time_column": o.timeColumn = value
            case "equity_column": o.equityColumn = value
            case "position_column": o.positionColumn = value
            case "trades_table": o.tradesTable = value
            case "pnl_column": o.pnlColumn = value
            case "entry_column": o.entryColumn = value
            case "exit_column": o.exitColumn = value
            case "error": continue
            default: throw TapeError.invalidArgument("unknown metadata key \(key) (known: \(Self.metadataKeys.joined(separator: ", ")))")
            }
        }
        return o
    }
}
