/// Streaming statistics of a series of period returns, in one pass with constant memory:
/// Welford mean and variance of excess returns, the downside second moment, compounded growth and
/// the drawdown of the compounded curve — everything empyrical's annual_volatility, sharpe_ratio,
/// sortino_ratio and max_drawdown need.
struct ReturnMoments: Sendable {
    /// Risk-free return per period, subtracted from every return (Sharpe, Sortino).
    let riskFree: Double
    private(set) var count = 0
    /// Welford running mean and sum of squared deviations of `r - riskFree`.
    private var mean = 0.0
    private var m2 = 0.0
    /// Σ min(r - riskFree, 0)².
    private var downside = 0.0
    /// Π (1 + r).
    private(set) var growth = 1.0
    private var peak = 1.0
    /// Minimum of growth / running peak - 1 (≤ 0), the starting value 1 included.
    private(set) var maxDrawdown = 0.0

    init(riskFree: Double) { self.riskFree = riskFree }

    mutating func add(_ r: Double) {
        let x = r - riskFree
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        m2 += delta * (x - mean)
        if x < 0 { downside += x * x }
        growth *= 1 + r
        peak = max(peak, growth)
        maxDrawdown = min(maxDrawdown, (growth - peak) / peak)
    }

    /// Mean excess return per period.
    var meanExcess: Double? { count > 0 ? mean : nil }

    /// Sample standard deviation (ddof = 1), nil below two returns.
    var standardDeviation: Double? { count > 1 ? (m2 / Double(count - 1)).squareRoot() : nil }

    /// sqrt(mean of min(r - riskFree, 0)²) over all periods.
    var downsideDeviation: Double? { count > 0 ? (downside / Double(count)).squareRoot() : nil }
}
