/// Count, mean and sum of squared deviations of some values: the state of stddev and variance,
/// merged with Chan's formula.
struct Moments {
    var n = 0.0
    var mean = 0.0
    var m2 = 0.0

    /// These values followed by `o`'s. An infinite (or NaN) difference of means makes the
    /// result NaN, as a single Welford pass over the same values would.
    func merged(_ o: Moments) -> Moments {
        if o.n == 0 { return self }
        if n == 0 { return o }
        let total = n + o.n
        let delta = o.mean - mean
        if !delta.isFinite { return Moments(n: total, mean: .nan, m2: .nan) }
        return Moments(n: total, mean: mean + delta * o.n / total, m2: m2 + o.m2 + delta * delta * n * o.n / total)
    }

    /// The variance (sample or population) or its square root; nil when too few values (sample
    /// forms need two). NaN stays NaN.
    func result(sample: Bool, root: Bool) -> Double? {
        let d = sample ? n - 1 : n
        guard d > 0 else { return nil }
        let raw = m2 / d
        let variance = raw.isNaN ? raw : max(0, raw)
        return root ? variance.squareRoot() : variance
    }
}
