/// One pass over a trades table's profit-and-loss values (and, when present, entry and exit
/// times): counts, sums and extremes for win rate, best/worst/average trade, profit factor and
/// expectancy, plus the total time spent in trades.
struct TradeStats: Sendable {
    private(set) var count = 0
    private(set) var wins = 0
    private(set) var losses = 0
    private(set) var total = 0.0
    private(set) var grossProfit = 0.0
    /// Σ of losing pnl (≤ 0).
    private(set) var grossLoss = 0.0
    private(set) var best: Double?
    private(set) var worst: Double?
    /// Σ (exit - entry) over trades with both times, nanoseconds.
    private(set) var timeInTrades: Int64 = 0
    private(set) var timedTrades = 0

    mutating func add(pnl: Double) {
        count += 1
        total += pnl
        if pnl > 0 { wins += 1; grossProfit += pnl }
        if pnl < 0 { losses += 1; grossLoss += pnl }
        best = max(best ?? pnl, pnl)
        worst = min(worst ?? pnl, pnl)
    }

    mutating func add(entry: Int64, exit: Int64) {
        timedTrades += 1
        timeInTrades &+= max(0, exit &- entry)
    }
}
