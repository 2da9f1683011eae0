/// The drawdown periods of a daily equity curve: maximal runs of days whose close is below the
/// running peak of closes (the first day's close included), with quantstats' `drawdown_details`
/// conventions: `start` is the first day under water, `valley` the first day of the deepest close,
/// `end` the last day under water, `days` = end - start + 1 calendar days, `depth` = valley close /
/// peak - 1. `recovery` is the first day back at the peak, nil while not recovered. Days below a
/// peak that is not positive are not counted as a drawdown.
struct DrawdownPeriods: Sendable, Equatable {
    struct Period: Sendable, Equatable {
        var start: Int64
        var valley: Int64
        var end: Int64
        var recovery: Int64?
        var depth: Double
        var days: Int64 { end - start + 1 }
    }

    /// Every period in time order.
    private(set) var periods: [Period] = []

    init(_ closes: DailyCloses) {
        var peak = -Double.infinity
        var open: Period?
        for (day, close) in zip(closes.days, closes.closes) {
            if close >= peak {
                peak = close
                if var p = open { p.recovery = day; periods.append(p); open = nil }
                continue
            }
            // A drawdown is a fraction of a positive peak; below a peak ≤ 0 it is undefined.
            guard peak > 0 else { continue }
            let dd = close / peak - 1
            if var p = open {
                p.end = day
                if dd < p.depth { p.depth = dd; p.valley = day }
                open = p
            } else {
                open = Period(start: day, valley: day, end: day, recovery: nil, depth: dd)
            }
        }
        if let p = open { periods.append(p) }
    }

    /// The `n` deepest periods, deepest first (ties: earlier first).
    func deepest(_ n: Int) -> [Period] {
        Array(periods.enumerated().sorted { ($0.element.depth, $0.offset) < ($1.element.depth, $1.offset) }.prefix(n).map(\.element))
    }
}
