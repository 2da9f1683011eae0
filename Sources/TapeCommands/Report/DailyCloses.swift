import Tape

/// The last equity of every UTC day that has bars, gathered in one pass over an equity curve in
/// time order: memory grows with the number of days, never with the number of bars. Daily
/// returns are close(day) / close(previous day with bars) - 1, the convention of Tape's stored
/// metrics (README "Run metrics") and of empyrical/quantstats fed with daily closes.
struct DailyCloses: Sendable {
    static let nanosPerDay: Int64 = 86_400_000_000_000

    /// Days since 1970-01-01 (UTC), increasing.
    private(set) var days: [Int64] = []
    /// The last equity of each day in `days`.
    private(set) var closes: [Double] = []
    /// Bars dated before the latest day seen (out of time order); they are left out.
    private(set) var outOfOrderBars = 0

    /// Feeds one bar. A non-finite equity is ignored.
    mutating func add(ts: Int64, equity: Double) {
        guard equity.isFinite else { return }
        let day = Compactor.floorDiv(ts, Self.nanosPerDay)
        if let last = days.last {
            if day == last { closes[closes.count - 1] = equity; return }
            if day < last { outOfOrderBars += 1; return }
        }
        days.append(day)
        closes.append(equity)
    }

    /// Daily returns dated by the later day; a return that is not finite (a zero close) is left out.
    var returns: DailyReturns {
        var out = DailyReturns()
        guard closes.count > 1 else { return out }
        for i in 1..<closes.count {
            let r = closes[i] / closes[i - 1] - 1
            if r.isFinite { out.days.append(days[i]); out.values.append(r) }
        }
        return out
    }
}

/// A series of daily returns: `values[i]` is the return of day `days[i]` (days since 1970-01-01).
struct DailyReturns: Sendable, Equatable {
    var days: [Int64] = []
    var values: [Double] = []

    var count: Int { values.count }
}
