/// Rolling Sharpe ratio and volatility of daily returns over a window of `window` returns, as
/// quantstats' `rolling_sharpe` / `rolling_volatility` (risk-free 0): mean / sample std × √ppy and
/// sample std × √ppy, defined from the window-th return on. Each window is summed afresh (mean,
/// then squared deviations), so no error accumulates along the series.
struct RollingStatistics: Sendable, Equatable {
    /// Days (since 1970-01-01) at which a full window ends.
    private(set) var days: [Int64] = []
    /// Sharpe per window, nil when the window's returns are all equal.
    private(set) var sharpe: [Double?] = []
    private(set) var volatility: [Double] = []

    init(_ returns: DailyReturns, window: Int, periodsPerYear: Double) {
        guard window >= 2, returns.count >= window else { return }
        let v = returns.values, w = Double(window), annual = periodsPerYear.squareRoot()
        for end in (window - 1)..<v.count {
            let slice = v[(end - window + 1)...end]
            let mean = slice.reduce(0, +) / w
            let ss = slice.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            let sd = (ss / (w - 1)).squareRoot()
            days.append(returns.days[end])
            volatility.append(sd * annual)
            sharpe.append(sd > 0 ? mean / sd * annual : nil)
        }
    }
}
