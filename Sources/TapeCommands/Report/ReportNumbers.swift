/// The numbers of a one-run report in machine-readable form (`tape report --json`), so tests and
/// users can compare them with quantstats or empyrical exactly: daily returns' statistics,
/// monthly and yearly returns, every drawdown period, and the rolling Sharpe and volatility.
/// Dates are `YYYY-MM-DD` (UTC days); fractions are not scaled.
struct ReportNumbers: Encodable {
    struct Month: Encodable { var year: Int; var month: Int; var value: Double }
    struct Year: Encodable { var year: Int; var value: Double }
    struct Drawdown: Encodable {
        var start: String, valley: String, end: String
        var recovery: String?
        var days: Int64
        var depth: Double
    }
    struct Rolling: Encodable { var date: String; var sharpe: Double?; var volatility: Double }

    var run: String
    var returnDays: Int
    var rollingWindow: Int
    var periodsPerYear: Double
    var distribution: DailyStatistics
    var monthly: [Month]
    var yearly: [Year]
    var drawdowns: [Drawdown]
    var rolling: [Rolling]

    init(run: String, returns: DailyReturns, statistics: DailyStatistics, monthly: MonthlyReturns, drawdowns: DrawdownPeriods,
         rolling: RollingStatistics, window: Int, periodsPerYear: Double) {
        self.run = run
        returnDays = returns.count
        rollingWindow = window
        self.periodsPerYear = periodsPerYear
        distribution = statistics
        self.monthly = monthly.years.flatMap { y in
            y.months.enumerated().compactMap { m, v in v.map { Month(year: y.year, month: m + 1, value: $0) } }
        }
        yearly = monthly.years.map { Year(year: $0.year, value: $0.total) }
        self.drawdowns = drawdowns.periods.map {
            Drawdown(start: ReportFormat.day($0.start), valley: ReportFormat.day($0.valley), end: ReportFormat.day($0.end),
                     recovery: $0.recovery.map(ReportFormat.day), days: $0.days, depth: $0.depth)
        }
        self.rolling = rolling.days.indices.map {
            Rolling(date: ReportFormat.day(rolling.days[$0]), sharpe: rolling.sharpe[$0], volatility: rolling.volatility[$0])
        }
    }
}
