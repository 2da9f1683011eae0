import Foundation
import TapeCodec
import TapeFormat

/// Computes a run's `RunMetrics` in one streaming pass with bounded memory: it is shown the
/// columns of every chunk of the equity and trades tables, in row order, and keeps only running
/// sums, moments, extremes and the current period (README "Run metrics" has every formula).
///
/// The writer feeds it each chunk as the chunk is flushed (so `appendRow` and `append(columns:)`
/// are both covered); `TapeWriter.resume` and `compute(from:)` feed it by scanning a file. The
/// same rows in the same order give bit-identical metrics whatever the chunk boundaries.
public struct MetricsAccumulator: Sendable {
    public let options: MetricsOptions
    private var equity: EquityStats
    private var trades = TradeStats()
    /// Why rows of the equity or trades table could not be used (columns not found), each once.
    public private(set) var problems: [String] = []

    private mutating func note(_ problem: String) {
        if !problems.contains(problem) { problems.append(problem) }
    }

    public init(options: MetricsOptions = MetricsOptions()) {
        self.options = options
        equity = EquityStats(mode: options.returns, riskFreePerPeriod: options.riskFreeRate / options.periodsPerYear)
    }

    /// Whether rows of `table` feed the metrics.
    public func wants(_ table: String) -> Bool { options.feedsMetrics(table) }

    /// Feeds the next rows of `table` (ignored unless it is the equity or trades table): `columns`
    /// follow `schema` (any projection that includes the columns used). Rows with a null time,
    /// equity or pnl are skipped; a table without the required columns is ignored.
    public mutating func observe(table: String, schema: Schema, columns: [ColumnData]) {
        if table == options.equityTable { observeEquity(schema, columns) }
        if table == options.tradesTable { observeTrades(schema, columns) }
    }

    private mutating func observeEquity(_ schema: Schema, _ columns: [ColumnData]) {
        guard let t = options.column(.time, in: schema) else { return note(options.missing(.time, table: options.equityTable)) }
        guard let e = options.column(.equity, in: schema) else { return note(options.missing(.equity, table: options.equityTable)) }
        guard case .int64(let ts) = columns[t].storage, let values = NumericColumn(columns[e]) else { return }
        let position = options.column(.position, in: schema).flatMap { NumericColumn(columns[$0]) }
        let tsColumn = columns[t]
        for row in 0..<ts.count where !tsColumn.isNull(row) {
            guard let v = values[row] else { continue }
            equity.add(ts: ts[row], equity: v, position: position.flatMap { $0[row] })
        }
    }

    private mutating func observeTrades(_ schema: Schema, _ columns: [ColumnData]) {
        guard let p = options.column(.pnl, in: schema) else { return note(options.missing(.pnl, table: options.tradesTable)) }
        guard let pnl = NumericColumn(columns[p]) else { return }
        let entry = options.column(.entry, in: schema).flatMap { NumericColumn(columns[$0], timestampsOnly: true) }
        let exit = options.column(.exit, in: schema).flatMap { NumericColumn(columns[$0], timestampsOnly: true) }
        for row in 0..<columns[p].count {
            guard let v = pnl[row] else { continue }
            trades.add(pnl: v)
            if let a = entry?.int(row), let b = exit?.int(row) { trades.add(entry: a, exit: b) }
        }
    }

    /// The metrics of the rows seen so far (the accumulator can keep going afterwards). Empty when
    /// neither an equity bar nor a trade was seen.
    public func finish() -> RunMetrics {
        var m = RunMetrics()
        let eq = equity.finished()
        let r = eq.returns
        let ppy = options.periodsPerYear
        if let first = eq.first, let last = eq.last {
            m.add("start", .timestamp(first.ts))
            m.add("end", .timestamp(last.ts))
            m.add("bars", .int(Int64(eq.bars)))
            m.add("periods", .int(Int64(r.count)))
            m.add("initial_equity", .double(first.equity))
            m.add("final_equity", .double(last.equity))
            m.add("total_return", .double(last.equity / first.equity - 1))
            m.add("periods_per_year", .double(ppy))
            let cagr = Self.calendarCAGR(first: first, last: last)
            m.add("cagr", cagr.map { .double($0) })
            m.add("annual_return", r.meanExcess.map { .double(($0 + r.riskFree) * ppy) })
            m.add("annual_volatility", r.standardDeviation.map { .double($0 * ppy.squareRoot()) })
            if let mean = r.meanExcess, let sd = r.standardDeviation, sd > 0 {
                m.add("sharpe", .double(mean / sd * ppy.squareRoot()))
            }
            if let mean = r.meanExcess, let dd = r.downsideDeviation, dd > 0 {
                m.add("sortino", .double(mean * ppy / (dd * ppy.squareRoot())))
            }
            if let cagr, r.maxDrawdown < 0 { m.add("calmar", .double(cagr / abs(r.maxDrawdown))) }
            if r.count > 0 { m.add("max_drawdown", .double(r.maxDrawdown)) }
            m.add("bar_max_drawdown", .double(eq.barMaxDrawdown))
            m.add("max_drawdown_days", .double(eq.maxDrawdownDays))
        }
        if trades.count > 0 {
            let n = Double(trades.count)
            m.add("trades", .int(Int64(trades.count)))
            m.add("win_rate", .double(Double(trades.wins) / n))
            m.add("best_trade", trades.best.map { .double($0) })
            m.add("worst_trade", trades.worst.map { .double($0) })
            let avg = trades.total / n
            m.add("avg_trade", .double(avg))
            if trades.wins > 0 { m.add("avg_win", .double(trades.grossProfit / Double(trades.wins))) }
            if trades.losses > 0 {
                let avgLoss = trades.grossLoss / Double(trades.losses)
                m.add("avg_loss", .double(avgLoss))
                m.add("profit_factor", .double(trades.grossProfit / -trades.grossLoss))
                m.add("expectancy_r", .double(avg / -avgLoss))
            }
            m.add("expectancy", .double(avg))
        }
        if eq.barsWithPosition > 0 {
            m.add("exposure", .double(Double(eq.barsInMarket) / Double(eq.barsWithPosition)))
        } else if trades.timedTrades > 0, let first = eq.first, let last = eq.last, last.ts > first.ts {
            m.add("exposure", .double(min(1, Double(trades.timeInTrades) / Double(last.ts - first.ts))))
        }
        return m
    }

    /// Nanoseconds in a calendar year of 365.25 days (the Julian year).
    static let nanosPerYear = 365.25 * 86_400e9

    /// Compound annual growth between the first and the last bar over calendar time:
    /// (last / first)^(1 / years) − 1 with years = (last.ts − first.ts) / 365.25 days. Nil when the
    /// bars span no time or the equity does not stay positive at both ends.
    static func calendarCAGR(first: (ts: Int64, equity: Double), last: (ts: Int64, equity: Double)) -> Double? {
        guard last.ts > first.ts, first.equity > 0, last.equity >= 0 else { return nil }
        let years = Double(last.ts - first.ts) / nanosPerYear
        return pow(last.equity / first.equity, 1 / years) - 1
    }
}

/// Numeric read access to an int64, float64, timestamp or bool column (nil for null rows).
public struct NumericColumn {
    public let column: ColumnData

    /// Nil for a column of another storage (or, with `timestampsOnly`, not of timestamp type).
    public init?(_ column: ColumnData, timestampsOnly: Bool = false) {
        if timestampsOnly && column.type != .timestamp { return nil }
        switch column.storage {
        case .int64, .float64, .bool: self.column = column
        default: return nil
        }
    }

    public subscript(row: Int) -> Double? {
        if column.isNull(row) { return nil }
        switch column.storage {
        case .int64(let v): return Double(v[row])
        case .float64(let v): return v[row]
        case .bool(let v): return v[row] ? 1 : 0
        default: return nil
        }
    }

    /// The raw int64 (or timestamp nanoseconds) of `row`, nil for null or another storage.
    public func int(_ row: Int) -> Int64? {
        guard !column.isNull(row), case .int64(let v) = column.storage else { return nil }
        return v[row]
    }
}
