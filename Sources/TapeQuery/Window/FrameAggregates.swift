import TapeCodec

/// The aggregates evaluated over frames, as `FrameAggregate`s over a sorted input vector.
/// Semantics match the GROUP BY aggregates: NULLs are skipped; over no values every aggregate but
/// count is NULL.

/// count(x) and count(*) (`valid` nil: every row counts).
struct CountFrame: FrameAggregate {
    let valid: Bitmap?
    var empty: Int64 { 0 }
    func leaf(_ k: Int) -> Int64 { valid.map { $0[k] ? 1 : 0 } ?? 1 }
    func combine(_ a: Int64, _ b: Int64) -> Int64 { a + b }
}

/// sum/avg of BIGINT: exact Int128 sums with counts.
struct SumIntFrame: FrameAggregate {
    let values: [Int64]
    let valid: Bitmap?
    var empty: (Int128, Int64) { (0, 0) }
    func leaf(_ k: Int) -> (Int128, Int64) {
        if let valid, !valid[k] { return (0, 0) }
        return (Int128(values[k]), 1)
    }
    func combine(_ a: (Int128, Int64), _ b: (Int128, Int64)) -> (Int128, Int64) { (a.0 + b.0, a.1 + b.1) }
}

/// sum/avg of DOUBLE: compensated (Neumaier) sums with counts.
struct SumDoubleFrame: FrameAggregate {
    struct State { var sum = 0.0, comp = 0.0, n: Int64 = 0 }
    let values: [Double]
    let valid: Bitmap?
    var empty: State { State() }
    func leaf(_ k: Int) -> State {
        if let valid, !valid[k] { return State() }
        return State(sum: values[k], comp: 0, n: 1)
    }
    func combine(_ a: State, _ b: State) -> State {
        if a.n == 0 { return b }
        if b.n == 0 { return a }
        var r = a
        SumDoubleState.add(b.sum, to: &r.sum, &r.comp)
        r.comp += b.comp
        r.n += b.n
        return r
    }
}

/// stddev/variance: count, mean and sum of squared deviations, combined by Chan's formula.
struct MomentsFrame: FrameAggregate {
    let values: [Double]
    let valid: Bitmap?
    var empty: Moments { Moments() }
    func leaf(_ k: Int) -> Moments {
        if let valid, !valid[k] { return Moments() }
        return Moments(n: 1, mean: values[k], m2: 0)
    }
    func combine(_ a: Moments, _ b: Moments) -> Moments { a.merged(b) }
}

/// min/max (`key` = the argument) and arg_min/arg_max (`key` = the second argument): the
/// position of the best row; ties keep the earliest position.
struct ExtremeFrame: FrameAggregate {
    let order: (Int, Int) -> Int
    let counts: (Int) -> Bool
    let isMax: Bool
    var empty: Int32 { -1 }
    func leaf(_ k: Int) -> Int32 { counts(k) ? Int32(k) : -1 }
    func combine(_ a: Int32, _ b: Int32) -> Int32 {
        if a < 0 { return b }
        if b < 0 { return a }
        let c = order(Int(b), Int(a))
        return (isMax ? c > 0 : c < 0) ? b : a
    }
}
