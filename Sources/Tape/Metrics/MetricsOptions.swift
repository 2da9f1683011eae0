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

extension MetricsOptions {
    /// What a column does for the metrics.
    public enum Role: String, Sendable, CaseIterable {
        case time, equity, position, pnl, entry, exit

        /// The metadata key that names the column explicitly (`tape.metrics.<key>`).
        public var metadataKey: String { self == .time ? "time_column" : "\(rawValue)_column" }

        /// Names the role goes by in common backtesters (backtesting.py's Equity, PnL,
        /// EntryTime, ExitTime; vectorbt's value; zipline's portfolio_value ...), compared as
        /// `normalized` names. Tried, in this order, only while the role's name is the default.
        public var commonNames: [String] {
            switch self {
            case .time: return ["ts", "time", "timestamp", "datetime", "date"]
            case .equity: return ["equity", "value", "portfolio_value", "total_value", "nav"]
            case .position: return ["position", "pos"]
            case .pnl: return ["pnl", "profit", "profit_loss", "pl", "net_pnl", "realized_pnl"]
            case .entry: return ["entry_ts", "entry_time", "entry_timestamp", "entry_date"]
            case .exit: return ["exit_ts", "exit_time", "exit_timestamp", "exit_date"]
            }
        }
    }

    /// The configured column name of `role`.
    public func name(of role: Role) -> String {
        switch role {
        case .time: return timeColumn
        case .equity: return equityColumn
        case .position: return positionColumn
        case .pnl: return pnlColumn
        case .entry: return entryColumn
        case .exit: return exitColumn
        }
    }

    /// A column name compared without case, `_`, `-` and spaces ("EntryTime" ~ "entry_time").
    static func normalized(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " })
    }

    /// The position in `schema` of the column playing `role`, resolved in this order: the
    /// configured name exactly; the configured name compared `normalized`; when the name is the
    /// default one (not set by the caller or `tape.metrics.*` metadata), the role's
    /// `commonNames`, and for `.time` finally the table's first timestamp column. Time, entry and
    /// exit columns must be timestamps; equity, position and pnl numbers.
    public func column(_ role: Role, in schema: Schema) -> Int? {
        let numeric: Set<ColumnType> = [.int64, .float64]
        func fits(_ i: Int) -> Bool {
            switch role {
            case .time, .entry, .exit: return schema[i].type == .timestamp
            default: return numeric.contains(schema[i].type)
            }
        }
        let configured = name(of: role)
        if let i = schema.index(of: configured), fits(i) { return i }
        var candidates = [Self.normalized(configured)]
        if configured == MetricsOptions().name(of: role) { candidates += role.commonNames.map(Self.normalized) }
        let names = schema.columns.map { Self.normalized($0.name) }
        for c in candidates {
            if let i = names.indices.first(where: { names[$0] == c && fits($0) }) { return i }
        }
        if role == .time && configured == MetricsOptions().timeColumn {
            return schema.columns.indices.first { schema[$0].type == .timestamp }
        }
        return nil
    }

    /// These options with the names of `roles` replaced by the columns of `schema` that play them
    /// (`column(_:in:)`); a role not found keeps its name.
    public func resolving(_ roles: [Role], in schema: Schema) -> MetricsOptions {
        var o = self
        for role in roles {
            guard let i = column(role, in: schema) else { continue }
            let name = schema[i].name
            switch role {
            case .time: o.timeColumn = name
            case .equity: o.equityColumn = name
            case .position: o.positionColumn = name
            case .pnl: o.pnlColumn = name
            case .entry: o.entryColumn = name
            case .exit: o.exitColumn = name
            }
        }
        return o
    }

    /// Why `role`'s column is not found in table `table`, for `tape.metrics.error`.
    public func missing(_ role: Role, table: String) -> String {
        let configured = name(of: role)
        let kind = [.time, .entry, .exit].contains(role) ? "timestamp" : "numeric"
        var looked = [configured]
        if configured == MetricsOptions().name(of: role) { looked += role.commonNames.filter { $0 != configured } }
        return "table '\(table)' has no \(kind) \(role.rawValue) column (looked for \(looked.joined(separator: ", ")), any case; set metadata tape.metrics.\(role.metadataKey))"
    }
}

