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
            let m = moments(t).merged(o.moments(g))
            n[t] = m.n; mean[t] = m.mean; m2[t] = m.m2
        }
    }

    private func moments(_ g: Int) -> Moments { Moments(n: n[g], mean: mean[g], m2: m2[g]) }

    override func finish(groupCount: Int) -> Vector {
        ensure(groupCount)
        let sample = call.function == .stddevSamp || call.function == .varSamp
        let root = call.function == .stddevSamp || call.function == .stddevPop
        var values = [Double](repeating: 0, count: groupCount)
        var valid = Bitmap(count: groupCount, value: true)
        var anyNull = false
        for g in 0..<groupCount {
            guard let v = moments(g).result(sample: sample, root: root) else { valid[g] = false; anyNull = true; continue }
            values[g] = v
        }
        return Vector(type: .double, storage: .float64(values), validity: anyNull ? valid : nil, count: groupCount)
    }
}
