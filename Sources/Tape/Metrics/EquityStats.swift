/// One pass over an equity curve (bars in time order): first/last values, the period returns
/// (per UTC day or per bar) fed to `ReturnMoments`, the per-bar drawdown and its longest duration,
/// and bars in the market.
struct EquityStats: Sendable {
    static let nanosPerDay: Int64 = 86_400_000_000_000

    let mode: MetricsOptions.Returns
    private(set) var returns: ReturnMoments
    private(set) var bars = 0
    private(set) var first: (ts: Int64, equity: Double)?
    private(set) var last: (ts: Int64, equity: Double)?
    /// Key of the current period (UTC day or bar number), its last equity, and the previous
    /// period's last equity.
    private var periodKey: Int64?
    private var periodLast = 0.0
    private var previousClose: Double?
    private var peak: (ts: Int64, equity: Double)?
    private var underwater = false
    /// Minimum of equity / running peak - 1 over bars (≤ 0).
    private(set) var barMaxDrawdown = 0.0
    /// Longest time from a peak to the bar that regained it (or to the last bar), nanoseconds.
    private var longestUnderwater: Int64 = 0
    /// Bars whose position is non-zero, and bars with a position value.
    private(set) var barsInMarket = 0
    private(set) var barsWithPosition = 0

    init(mode: MetricsOptions.Returns, riskFreePerPeriod: Double) {
        self.mode = mode
        returns = ReturnMoments(riskFree: riskFreePerPeriod)
    }

    mutating func add(ts: Int64, equity: Double, position: Double?) {
        bars += 1
        if first == nil { first = (ts, equity) }
        last = (ts, equity)
        let key = mode == .daily ? Compactor.floorDiv(ts, Self.nanosPerDay) : Int64(bars)
        if key != periodKey {
            closePeriod()
            periodKey = key
        }
        periodLast = equity
        if let p = peak, equity < p.equity {
            underwater = true
            barMaxDrawdown = min(barMaxDrawdown, equity / p.equity - 1)
        } else {
            if underwater, let p = peak { longestUnderwater = max(longestUnderwater, ts - p.ts) }
            underwater = false
            peak = (ts, equity)
        }
        if let position {
            barsWithPosition += 1
            if position != 0 { barsInMarket += 1 }
        }
    }

    /// Ends the current period: its return against the previous period's close.
    private mutating func closePeriod() {
        guard periodKey != nil else { return }
        if let previousClose { returns.add(periodLast / previousClose - 1) }
        previousClose = periodLast
    }

    /// The statistics with the last period closed.
    func finished() -> EquityStats {
        var s = self
        s.closePeriod()
        s.periodKey = nil
        if s.underwater, let p = s.peak, let l = s.last { s.longestUnderwater = max(s.longestUnderwater, l.ts - p.ts) }
        return s
    }

    /// Longest drawdown duration in days.
    var maxDrawdownDays: Double { Double(longestUnderwater) / Double(Self.nanosPerDay) }
}
