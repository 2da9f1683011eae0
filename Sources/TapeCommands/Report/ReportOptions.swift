/// What `tape report` draws, from its command-line options.
struct ReportOptions: Sendable {
    /// Daily returns per rolling Sharpe/volatility window.
    var rollingWindow = 126
    /// Periods per year for annualising the rolling statistics (trading days).
    var periodsPerYear = 252.0
    /// Sweep axes (metadata keys), 1 or 2; empty for a one-run or comparison report.
    var heatmap: [String] = []
    /// The metric a sweep colours cells by and ranks runs by.
    var metric = "sharpe"
    /// Rows of a sweep's top-runs table (and of a large comparison's table).
    var top = 20
    /// `--from/--to/--where`: the rows read (one run or a comparison that streams curves).
    var selection: ReportSelection?
    /// Runs up to which a comparison streams curves (overlays, correlations); above it, footers only.
    static let maxCurveRuns = 50
}
