import Foundation
import TapeCodec

/// stddev/variance (sample and population) by Welford's update, merged with Chan's formula.
/// Sample forms are NULL for fewer than two values; population forms for none.
final class VarianceState: AggregateState {
    private var n: [Double] = []
    private var mean: [Double] = []
    private var m2: [Double] = []

    private func ensure(_ c: Int) {
        grow(&n, c, 0)
        grow(&mean, c, 0)
        grow(&m2, c, 0)
    }

    /// Welford's step; the first value sets the mean outright (as DuckDB), so one infinite value
    /// has variance 0 rather than `inf × (inf − inf)` = NaN.
    @inline(__always) private func add(_ g: Int, _ x: Double) {
        n[g] += 1
        if n[g] == 1 { mean[g] = x; return }
        let d = x - mean[g]
        mean[g] += d / n[g]
        m2[g] += d * (x - mean[g])
    }

    override func update(_ inputs: [Vector], groups: [Int32]?, groupCount: Int, position: Int64, count: Int) throws(QueryError) {
        ensure(groupCount)
        let v = inputs[0]
        if Evaluator.isNullConstant(v) { return }
        let x = Evaluator.doubles(v)
        forEachRow(v, groups, count) { r, g in add(g, x.at(r)) }
    }

    override func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) throws(QueryError) {
        let o = other as! VarianceState
        ensure(groupCount)
        for g in o.n.indices where o.n[g] > 0 {
            let t = Int(mapping[g])
            if n[t] == 0 { n[t] = o.n[g]; mean[t] = o.mean[g]; m2[t] = o.m2[g]; continue }
            let na = n[t], nb = o.n[g], total = na + nb
            let delta = o.mean[g] - mean[t]
            // An infinite (or NaN) mean on either side: Welford over the same values in one pass
            // reaches inf − inf, so the result is NaN whatever the split between threads.
            if !delta.isFinite { mean[t] = .nan; m2[t] = .nan; n[t] = total; continue }
            mean[t] += delta * nb / total
            m2[t] += o.m2[g] + delta * delta * na * nb / total
            n[t] = total
        }
    }

    override func finish(groupCount: Int) -> Vector {
        ensure(groupCount)
        let sample = call.function == .stddevSamp || call.function == .varSamp
        let root = call.function == .stddevSamp || call.function == .stddevPop
        var values = [Double](repeating: 0, count: groupCount)
        var valid = Bitmap(count: groupCount, value: true)
        var anyNull = false
        for g in 0..<groupCount {
            let d = sample ? n[g] - 1 : n[g]
            guard d > 0 else { valid[g] = false; anyNull = true; continue }
            // NaN (a NaN or infinite input) stays NaN, as DuckDB; Swift's max would turn it into 0.
            let raw = m2[g] / d
            let variance = raw.isNaN ? raw : max(0, raw)
            values[g] = root ? variance.squareRoot() : variance
        }
        return Vector(type: .double, storage: .double(values), validity: anyNull ? valid : nil, count: groupCount)
    }
}
