import Tape
/// arg_min(x, y) / arg_max(x, y): the x of the row with the smallest/largest y. Rows where x or y
/// is NULL are skipped; ties keep the earliest row (DuckDB's behaviour single-threaded).
///
/// Each batch first finds its best row per group with typed comparisons, then offers that one row
/// to the state, so values are materialised once per group per batch, not per row.
final class ArgExtremeState: AggregateState {
    private var keys: [Datum] = []
    private var values: [Datum] = []
    private var positions: [Int64] = []
    private var seen: [Bool] = []
    /// Per batch: best row per touched group (reset after each batch).
    private var bestRow: [Int32] = []
    private var isMax: Bool { call.function == .argMax }

    private func ensure(_ n: Int) {
        grow(&keys, n, .null)
        grow(&values, n, .null)
        grow(&positions, n, 0)
        grow(&seen, n, false)
        grow(&bestRow, n, -1)
    }

    /// Whether key `a` at position `pa` beats `b` at `pb`.
    private func better(_ a: Datum, _ pa: Int64, _ b: Datum, _ pb: Int64) -> Bool {
        let c = Datum.compare(a, b)
        if c != 0 { return isMax ? c > 0 : c < 0 }
        return pa < pb
    }

    private func offer(_ g: Int, _ key: Datum, _ pos: Int64, _ value: Datum) {
        if seen[g] && !better(key, pos, keys[g], positions[g]) { return }
        keys[g] = key
        values[g] = value
        positions[g] = pos
        seen[g] = true
    }

    override func update(_ inputs: [Vector], groups: [Int32]?, groupCount: Int, position: Int64, count: Int) throws(QueryError) {
        ensure(groupCount)
        let x = inputs[0], y = inputs[1]
        if Evaluator.isNullConstant(x) || Evaluator.isNullConstant(y) { return }
        let max = isMax
        var touched: [Int] = []
        let skipNulls = x.mayHaveNulls || y.mayHaveNulls
        if !skipNulls, count > 0, let g = Self.oneGroup(groups, count), let best = Self.bestRow(y, count, max: max) {
            // The batch's rows all in one group (no GROUP BY, or a run's rows grouped by run):
            // one typed pass for its best row.
            offer(g, y.datum(best), position + Int64(best), x.datum(best))
            return
        }
        // Typed scan for the best row of each group in this batch.
        func scan(_ beats: (Int, Int) -> Bool) {
            bestRow.withUnsafeMutableBufferPointer { bp in
                for r in 0..<count {
                    if skipNulls && (x.isNull(r) || y.isNull(r)) { continue }
                    let g = groups.map { Int($0[r]) } ?? 0
                    let cur = bp[g]
                    if cur < 0 { bp[g] = Int32(r); touched.append(g) } else if beats(r, Int(cur)) { bp[g] = Int32(r) }
                }
            }
        }
        switch y.storage {
        case .int64(let k):
            k.withUnsafeBufferPointer { kp in scan { max ? kp[$0] > kp[$1] : kp[$0] < kp[$1] } }
        case .float64(let k):
            k.withUnsafeBufferPointer { kp in scan { let c = compareDoubles(kp[$0], kp[$1]); return max ? c > 0 : c < 0 } }
        default:
            let m = y.materialized()
            scan { let c = Datum.compare(m.datum($0), m.datum($1)); return max ? c > 0 : c < 0 }
        }
        for g in touched {
            let r = Int(bestRow[g])
            bestRow[g] = -1
            offer(g, y.datum(r), position + Int64(r), x.datum(r))
        }
    }

    /// The group every one of the `count` rows is in, or nil when they are in several.
    private static func oneGroup(_ groups: [Int32]?, _ count: Int) -> Int? {
        guard let groups else { return 0 }
        let g = groups[0]
        return groups.withUnsafeBufferPointer { p in
            for r in 1..<count where p[r] != g { return nil }
            return Int(g)
        }
    }

    /// The first of the `count` rows with the largest (`max`) or smallest key, for BIGINT,
    /// TIMESTAMP and DOUBLE keys without NULLs (compared as the per-group scan compares them);
    /// nil for other kinds.
    private static func bestRow(_ y: Vector, _ count: Int, max: Bool) -> Int? {
        var best = 0
        switch y.storage {
        case .int64(let k):
            k.withUnsafeBufferPointer { kp in
                for r in 1..<count where max ? kp[r] > kp[best] : kp[r] < kp[best] { best = r }
            }
        case .float64(let k):
            k.withUnsafeBufferPointer { kp in
                for r in 1..<count {
                    let c = compareDoubles(kp[r], kp[best])
                    if max ? c > 0 : c < 0 { best = r }
                }
            }
        default:
            return nil
        }
        return best
    }

    override func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) throws(QueryError) {
        let o = other as! ArgExtremeState
        ensure(groupCount)
        for g in o.seen.indices where o.seen[g] { offer(Int(mapping[g]), o.keys[g], o.positions[g], o.values[g]) }
    }

    override func finish(groupCount: Int) throws(QueryError) -> Vector {
        ensure(groupCount)
        var b = VectorBuilder(type: call.type)
        for g in 0..<groupCount { b.append(values[g]) }
        return try b.build()
    }
}
