import Tape
import Foundation

/// quantile_disc / quantile_cont / median. Keeps each group's values (memory grows with the rows
/// aggregated, counted against the query's memory budget) and selects at the end.
///
/// quantile_disc(x, q) returns the value at sorted index max(ceil(n·q) − 1, 0); quantile_cont
/// interpolates linearly at (n − 1)·q — both as DuckDB.
final class QuantileState: AggregateState {
    private var ints: [[Int64]] = []
    private var doubles: [[Double]] = []
    private var others: [[Datum]] = []
    private(set) var valueCount = 0

    override var approximateBytes: Int { valueCount * (mode == 2 ? 40 : 8) }

    private var mode: Int {
        if call.function == .quantileCont { return 1 }
        switch call.type {
        case .int, .timestamp: return 0
        case .double: return 1
        default: return 2
        }
    }

    private func ensure(_ n: Int) {
        switch mode {
        case 0: grow(&ints, n, [])
        case 1: grow(&doubles, n, [])
        default: grow(&others, n, [])
        }
    }

    override func update(_ inputs: [Vector], groups: [Int32]?, groupCount: Int, position: Int64, count: Int) throws(QueryError) {
        ensure(groupCount)
        let v = inputs[0]
        if Evaluator.isNullConstant(v) { return }
        switch mode {
        case 0:
            let x = Evaluator.ints(v)
            forEachRow(v, groups, count) { r, g in ints[g].append(x.at(r)); valueCount += 1 }
        case 1:
            let x = Evaluator.doubles(v)
            forEachRow(v, groups, count) { r, g in doubles[g].append(x.at(r)); valueCount += 1 }
        default:
            let m = v.materialized()
            forEachRow(m, groups, count) { r, g in others[g].append(m.datum(r)); valueCount += 1 }
        }
    }

    override func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) throws(QueryError) {
        let o = other as! QuantileState
        ensure(groupCount)
        for g in o.ints.indices { ints[Int(mapping[g])] += o.ints[g] }
        for g in o.doubles.indices { doubles[Int(mapping[g])] += o.doubles[g] }
        for g in o.others.indices { others[Int(mapping[g])] += o.others[g] }
        valueCount += o.valueCount
    }

    override func finish(groupCount: Int) throws(QueryError) -> Vector {
        ensure(groupCount)
        let q = call.fraction
        var b = VectorBuilder(type: call.type)
        for g in 0..<groupCount {
            switch mode {
            case 0:
                let s = ints[g].sorted()
                b.append(s.isEmpty ? .null : (call.type == .timestamp ? .timestamp(s[discIndex(s.count, q)]) : .int(s[discIndex(s.count, q)])))
            case 1:
                let s = doubles[g].sorted { compareDoubles($0, $1) < 0 }
                if s.isEmpty { b.append(.null); continue }
                if call.function == .quantileDisc { b.append(.double(s[discIndex(s.count, q)])); continue }
                let rn = Double(s.count - 1) * q
                let lo = Int(rn.rounded(.down)), hi = Int(rn.rounded(.up))
                // lo·(1−d) + hi·d, as DuckDB: between -inf and a number it stays -inf (where
                // lo + (hi − lo)·d gives NaN).
                let d = rn - Double(lo)
                b.append(.double(lo == hi ? s[lo] : s[lo] * (1 - d) + s[hi] * d))
            default:
                let s = others[g].sorted { Datum.compare($0, $1) < 0 }
                b.append(s.isEmpty ? .null : s[discIndex(s.count, q)])
            }
        }
        return try b.build()
    }

    private func discIndex(_ n: Int, _ q: Double) -> Int {
        max(Int((Double(n) * q).rounded(.up)) - 1, 0)
    }
}
