/// The conventions behind a run's stored metrics, in words, for `tape info` (and any report that
/// shows the numbers): what one return period is, the annualisation factor and risk-free rate in
/// force for the run, and the fixed choices README "Run metrics" gives the formulas of.
public enum MetricConventions {
    /// Metadata key `tape compact --downsample` sets when it downsamples the equity table of a run
    /// with stored metrics: which rows (resolution) `bars` and every metric describe.
    public static let sourceKey = "tape.metrics_source"

    /// One line per convention for a run whose metrics were computed with `options` (the
    /// defaults with the run's `tape.metrics.*` metadata applied).
    public static func lines(_ options: MetricsOptions) -> [String] {
        let ppy = options.periodsPerYear
        let ppyText = ppy == ppy.rounded() ? String(Int64(ppy)) : String(ppy)
        let period = options.returns == .daily
            ? "daily returns: last equity of each UTC day with bars (days without bars are not periods)"
            : "per-bar returns: between consecutive bars"
        return [
            period,
            "annualised with P = \(ppyText) periods a year; risk-free \(options.riskFreeRate) a year (rf / P per period); std with ddof = 1",
            "cagr: (final / initial equity)^(1 / years) - 1 over calendar time between the first and last bar (365.25-day years)",
            "max_drawdown: on the period closes above; bar_max_drawdown: on every bar (intraday dips included)",
            "sortino: downside deviation over all periods (empyrical); calmar = cagr / |max_drawdown|",
            "expectancy: mean pnl per trade (currency); expectancy_r: avg_trade / |avg_loss| (in R)",
        ]
    }
}
