import TapeCodec

/// The running state of one aggregate over every group of one worker.
///
/// `update` folds a batch in: `groups[row]` is each row's group id (nil: every row is group 0);
/// `position` is the batch's place in row order (task index << 32), so first/last and the
/// tie-breaking of arg_min/arg_max follow row order even when workers run in parallel. `merge`
/// folds another worker's state in, `mapping[g]` giving the id in this state of the other's group g.
class AggregateState {
    let call: AggregateCall
    init(call: AggregateCall) { self.call = call }

    func update(_ inputs: [Vector], groups: [Int32]?, groupCount: Int, position: Int64, count: Int) throws(QueryError) {}
    func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) throws(QueryError) {}
    func finish(groupCount: Int) throws(QueryError) -> Vector { .constant(.null, type: call.type, count: groupCount) }
    /// Approximate bytes held beyond a fixed size per group (distinct sets, kept values), counted
    /// against the query's memory budget.
    var approximateBytes: Int { 0 }

    /// A state for `call`, made by its registry entry.
    static func make(_ call: AggregateCall) -> AggregateState {
        FunctionRegistry.aggregate(for: call.function).state(call)
    }
}

/// Grows `a` to `n` elements with `v`.
@inline(__always) func grow<T>(_ a: inout [T], _ n: Int, _ v: T) {
    if a.count < n { a.append(contentsOf: repeatElement(v, count: n - a.count)) }
}

/// Calls `body` with both arrays' storage for in-place updates: one exclusive access per batch
/// instead of one per row.
@inline(__always) func inPlace<A, B>(_ a: inout [A], _ b: inout [B], _ body: (UnsafeMutableBufferPointer<A>, UnsafeMutableBufferPointer<B>) -> Void) {
    a.withUnsafeMutableBufferPointer { pa in b.withUnsafeMutableBufferPointer { pb in body(pa, pb) } }
}

/// Calls `body(row, group)` for every non-NULL row of `v` (every row when `v` is nil: count(*)).
@inline(__always) func forEachRow(_ v: Vector?, _ groups: [Int32]?, _ count: Int, _ body: (Int, Int) -> Void) {
    let valid = v?.validity
    if let groups {
        groups.withUnsafeBufferPointer { g in
            if let valid {
                for r in 0..<count where valid[r] { body(r, Int(g[r])) }
            } else {
                for r in 0..<count { body(r, Int(g[r])) }
            }
        }
    } else if let valid {
        for r in 0..<count where valid[r] { body(r, 0) }
    } else {
        for r in 0..<count { body(r, 0) }
    }
}

final class CountState: AggregateState {
    var counts: [Int64] = []

    override func update(_ inputs: [Vector], groups: [Int32]?, groupCount: Int, position: Int64, count: Int) throws(QueryError) {
        grow(&counts, groupCount, 0)
        let v = inputs.first
        if let v, Evaluator.isNullConstant(v) { return }
        if groups == nil {
            counts[0] += Int64(v?.validity.map { $0.popCount } ?? count)
            return
        }
        if let groups, v?.validity == nil {
            if groupCount <= 4096 {
                let h = CountState.histogram(groups, buckets: groupCount)
                for gi in 0..<groupCount { counts[gi] += h[gi] }
                return
            }
            counts.withUnsafeMutableBufferPointer { p in
                groups.withUnsafeBufferPointer { g in for i in 0..<count { p[Int(g[i])] += 1 } }
            }
            return
        }
        counts.withUnsafeMutableBufferPointer { p in forEachRow(v, groups, count) { _, g in p[g] += 1 } }
    }

    /// How many of `keys` hold each value 0..<buckets, counted in four interleaved histograms so
    /// runs of one key (most bars "hold") do not serialise on a single counter.
    static func histogram<K: BinaryInteger>(_ keys: [K], buckets: Int) -> [Int64] {
        var lanes = [Int64](repeating: 0, count: 4 * buckets)
        lanes.withUnsafeMutableBufferPointer { h in
            keys.withUnsafeBufferPointer { g in
                let n = g.count
                var i = 0
                // Wrapping ops are safe: keys are group ids or dictionary indices (< buckets, at
                // most UInt32.max), so 4 × key + 3 is far below Int.max.
                while i + 4 <= n {
                    h[Int(g[i]) &* 4] += 1; h[Int(g[i + 1]) &* 4 &+ 1] += 1
                    h[Int(g[i + 2]) &* 4 &+ 2] += 1; h[Int(g[i + 3]) &* 4 &+ 3] += 1
                    i += 4
                }
                while i < n { h[Int(g[i]) &* 4] += 1; i += 1 }
            }
        }
        return (0..<buckets).map { lanes[4 * $0] + lanes[4 * $0 + 1] + lanes[4 * $0 + 2] + lanes[4 * $0 + 3] }
    }

    /// Adds `perBucket[b]` rows to group `groupOf[b]` (count(*) by a dictionary key).
    func add(_ perBucket: [Int64], to groupOf: [Int32], groupCount: Int) {
        grow(&counts, groupCount, 0)
        for (b, n) in perBucket.enumerated() where n > 0 { counts[Int(groupOf[b])] += n }
    }

    override func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) throws(QueryError) {
        let o = other as! CountState
        grow(&counts, groupCount, 0)
        for (g, c) in o.counts.enumerated() { counts[Int(mapping[g])] += c }
    }

    override func finish(groupCount: Int) -> Vector {
        grow(&counts, groupCount, 0)
        return Vector(type: .int, storage: .int64(Array(counts.prefix(groupCount))), count: groupCount)
    }
}

/// sum and avg over BIGINT: an exact Int128 sum per group (no Int64 values overflow it: 2^64 rows
/// would be needed), so the answer does not depend on the order rows (or threads) arrive in.
/// sum fails, pointing at the call, only when the final sum leaves BIGINT (DuckDB's HUGEINT sum
/// would go on); avg divides once at the end, so avg of Int64.min and Int64.max − 1 is exact.
final class SumIntState: AggregateState {
    var sums: [Int128] = []
    var counts: [Int64] = []

    override func update(_ inputs: [Vector], groups: [Int32]?, groupCount: Int, position: Int64, count: Int) throws(QueryError) {
        grow(&sums, groupCount, 0)
        grow(&counts, groupCount, 0)
        let v = inputs[0]
        if Evaluator.isNullConstant(v) { return }
        let x = Evaluator.ints(v)
        inPlace(&sums, &counts) { sp, np in
            forEachRow(v, groups, count) { r, g in
                sp[g] += Int128(x.at(r))
                np[g] += 1
            }
        }
    }

    override func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) throws(QueryError) {
        let o = other as! SumIntState
        grow(&sums, groupCount, 0)
        grow(&counts, groupCount, 0)
        for g in o.sums.indices where o.counts[g] > 0 {
            let t = Int(mapping[g])
            sums[t] += o.sums[g]
            counts[t] += o.counts[g]
        }
    }

    override func finish(groupCount: Int) throws(QueryError) -> Vector {
        grow(&sums, groupCount, 0)
        grow(&counts, groupCount, 0)
        var valid = Bitmap(count: groupCount, value: true)
        var anyNull = false
        for g in 0..<groupCount where counts[g] == 0 { valid[g] = false; anyNull = true }
        let validity = anyNull ? valid : nil
        if call.function == .avg {
            let values = (0..<groupCount).map { counts[$0] == 0 ? 0 : Double(sums[$0]) / Double(counts[$0]) }
            return Vector(type: .double, storage: .float64(values), validity: validity, count: groupCount)
        }
        var values = [Int64](repeating: 0, count: groupCount)
        for g in 0..<groupCount {
            guard let s = Int64(exactly: sums[g]) else {
                throw QueryError(.execution, "\(call.text) = \(sums[g]) overflows BIGINT; use sum(CAST(x AS DOUBLE))", at: call.position)
            }
            values[g] = s
        }
        return Vector(type: .int, storage: .int64(values), validity: validity, count: groupCount)
    }
}

/// sum over doubles and avg: compensated (Kahan–Babuška–Neumaier) summation, so long runs of
/// small returns do not drift.
final class SumDoubleState: AggregateState {
    var sums: [Double] = []
    var comp: [Double] = []
    var counts: [Int64] = []

    /// Adds `x` to the running sum `sum` with its compensation `comp` (Neumaier's step).
    /// Once the sum is not finite (an infinity or NaN among the values, or an overflow) the
    /// compensation stops: `inf - inf` would turn a correct ±inf into NaN. So `comp` stays finite
    /// and `sum + comp` is the IEEE sum: ±inf, or NaN when both infinities (or a NaN) were added.
    @inline(__always) static func add(_ x: Double, to sum: inout Double, _ comp: inout Double) {
        let t = sum + x
        if t.isFinite {
            if Swift.abs(sum) >= Swift.abs(x) { comp += (sum - t) + x } else { comp += (x - t) + sum }
        }
        sum = t
    }

    override func update(_ inputs: [Vector], groups: [Int32]?, groupCount: Int, position: Int64, count: Int) throws(QueryError) {
        grow(&sums, groupCount, 0)
        grow(&comp, groupCount, 0)
        grow(&counts, groupCount, 0)
        let v = inputs[0]
        if Evaluator.isNullConstant(v) { return }
        if case .float64(let a) = v.storage, groups == nil, v.validity == nil {
            // Four independent lanes (vectorisable) within the batch; batches are combined with
            // compensated addition, so the error stays that of 65,536-value partial sums.
            var l0 = 0.0, l1 = 0.0, l2 = 0.0, l3 = 0.0
            a.withUnsafeBufferPointer { p in
                var i = 0
                while i + 4 <= p.count {
                    l0 += p[i]; l1 += p[i + 1]; l2 += p[i + 2]; l3 += p[i + 3]
                    i += 4
                }
                while i < p.count { l0 += p[i]; i += 1 }
            }
            SumDoubleState.add((l0 + l1) + (l2 + l3), to: &sums[0], &comp[0])
            counts[0] += Int64(count)
            return
        }
        let x = Evaluator.doubles(v)
        inPlace(&sums, &comp) { sp, cp in
            counts.withUnsafeMutableBufferPointer { np in
                forEachRow(v, groups, count) { r, g in
                    SumDoubleState.add(x.at(r), to: &sp[g], &cp[g])
                    np[g] += 1
                }
            }
        }
    }

    override func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) throws(QueryError) {
        let o = other as! SumDoubleState
        grow(&sums, groupCount, 0)
        grow(&comp, groupCount, 0)
        grow(&counts, groupCount, 0)
        for g in o.sums.indices where o.counts[g] > 0 {
            let t = Int(mapping[g])
            SumDoubleState.add(o.sums[g], to: &sums[t], &comp[t])
            SumDoubleState.add(o.comp[g], to: &sums[t], &comp[t])
            counts[t] += o.counts[g]
        }
    }

    override func finish(groupCount: Int) -> Vector {
        grow(&sums, groupCount, 0)
        grow(&comp, groupCount, 0)
        grow(&counts, groupCount, 0)
        var values = [Double](repeating: 0, count: groupCount)
        var valid = Bitmap(count: groupCount, value: true)
        var anyNull = false
        for g in 0..<groupCount {
            if counts[g] == 0 { valid[g] = false; anyNull = true; continue }
            let total = sums[g] + comp[g]
            values[g] = call.function == .avg ? total / Double(counts[g]) : total
        }
        return Vector(type: .double, storage: .float64(values), validity: anyNull ? valid : nil, count: groupCount)
    }
}
