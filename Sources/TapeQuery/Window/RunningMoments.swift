import TapeCodec

/// A running stddev/var (UNBOUNDED PRECEDING to CURRENT ROW) carried from piece to piece of a
/// streamed spilled partition (`SortedWindowStream`): the partition's `Moments` so far, each
/// row's value merged in order — the same folds, in the same order, as `MomentsFrame` makes over
/// the whole partition, so the streamed answer is the unlimited one bit for bit.
struct RunningMoments {
    var moments = Moments()

    /// `f` (stddev_samp/pop, var_samp/pop) of `w.args[0]` over a running frame of `rows` (one
    /// piece, starting at a peer group), going on from the partition's earlier rows; RANGE/GROUPS
    /// frames take each peer group's last value.
    mutating func evaluate(_ f: AggregateFunction, _ w: BoundWindow, _ rows: Batch, _ local: WindowLayout) throws(QueryError) -> Vector {
        let v = try Evaluator.evaluate(w.args[0], rows).materialized()
        let n = rows.count
        let values: [Double]?
        switch v.storage {
        case .float64(let a): values = a
        case .int64(let a) where v.type != .interval: values = a.map(Double.init)
        default: values = nil
        }
        let sample = f == .stddevSamp || f == .varSamp, root = f == .stddevSamp || f == .stddevPop
        let allNull = Evaluator.isNullConstant(v)
        var out = [Double](repeating: 0, count: n)
        var valid = Bitmap(count: n, value: true)
        var anyNull = false
        for r in 0..<n {
            if !allNull, let values, !v.isNull(r) { moments = moments.merged(Moments(n: 1, mean: values[r], m2: 0)) }
            if let x = moments.result(sample: sample, root: root) { out[r] = x } else { valid[r] = false; anyNull = true }
        }
        let result = Vector(type: .double, storage: .float64(out), validity: anyNull ? valid : nil, count: n)
        return w.frame.unit == .rows ? result : result.gather(local.peerEnd.map { $0 - 1 })
    }
}
