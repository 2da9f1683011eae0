/// Summary statistics of a sample of returns, with pandas' / quantstats' conventions: sample
/// standard deviation (ddof 1), bias-corrected skewness and excess kurtosis (pandas `skew`,
/// `kurt`), quantiles by linear interpolation (numpy's default). Two passes over the values
/// (mean first, then central moments) for accuracy.
struct DailyStatistics: Sendable, Equatable, Encodable {
    var count = 0
    var mean: Double?
    var std: Double?
    var skew: Double?
    var kurtosis: Double?
    var min: Double?
    var max: Double?
    /// 5%, 25%, 50%, 75% and 95% quantiles.
    var quantiles: [Double] = []
    /// Share of days with a positive return.
    var positiveShare: Double?

    static let quantileLevels = [0.05, 0.25, 0.5, 0.75, 0.95]

    init(_ values: [Double]) {
        count = values.count
        guard !values.isEmpty else { return }
        let n = Double(values.count)
        let m = values.reduce(0, +) / n
        mean = m
        var s2 = 0.0, s3 = 0.0, s4 = 0.0
        for v in values {
            let d = v - m, d2 = d * d
            s2 += d2; s3 += d2 * d; s4 += d2 * d2
        }
        if values.count > 1 { std = (s2 / (n - 1)).squareRoot() }
        if values.count > 2, s2 > 0 {
            skew = n * (n - 1).squareRoot() / (n - 2) * (s3 / (s2 * s2.squareRoot()))
        }
        if values.count > 3, s2 > 0 {
            let adj = 3 * (n - 1) * (n - 1) / ((n - 2) * (n - 3))
            kurtosis = n * (n + 1) * (n - 1) * s4 / ((n - 2) * (n - 3) * s2 * s2) - adj
        }
        let sorted = values.sorted()
        min = sorted.first
        max = sorted.last
        quantiles = Self.quantileLevels.map { Self.quantile(sorted, $0) }
        positiveShare = Double(values.count(where: { $0 > 0 })) / n
    }

    /// Linear-interpolation quantile of ascending `sorted` (numpy `quantile`, method "linear").
    /// REQUIRES: `sorted` is non-empty and ascending, `0 <= q <= 1`.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let h = Double(sorted.count - 1) * q
        let lo = Int(h.rounded(.down)), hi = Swift.min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}
