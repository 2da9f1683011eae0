import TapeFormat

/// Compounded returns per calendar month and per year (UTC), from daily returns: the product of
/// (1 + r) over the days in the period, minus 1 (quantstats `monthly_returns(compounded=True)`;
/// a month without returns is absent here where quantstats shows 0).
struct MonthlyReturns: Sendable, Equatable {
    /// One year's row: `months[m]` is month m+1's return, nil without returns that month.
    struct Year: Sendable, Equatable {
        var year: Int
        var months: [Double?]
        var total: Double
    }

    private(set) var years: [Year] = []

    init(_ returns: DailyReturns) {
        for (day, r) in zip(returns.days, returns.values) {
            let civil = Timestamps.civilFromDays(day)
            let year = Int(civil.year), month = Int(civil.month) - 1
            if years.last?.year != year {
                years.append(Year(year: year, months: Array(repeating: nil, count: 12), total: 0))
            }
            let k = years.count - 1
            years[k].months[month] = ((years[k].months[month] ?? 0) + 1) * (1 + r) - 1
            years[k].total = (years[k].total + 1) * (1 + r) - 1
        }
    }
}
