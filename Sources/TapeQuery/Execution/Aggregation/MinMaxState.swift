import Tape
import TapeCodec

/// min and max, typed: BIGINT/TIMESTAMP and DOUBLE compare in place; other types go through
/// `Datum.compare` (strings byte-wise, dictionary entries compared once per batch).
final class MinMaxState: AggregateState {
    private var ints: [Int64] = []
    private var doubles: [Double] = []
    private var others: [Datum] = []
    private var seen: [Bool] = []
    private var isMax: Bool { call.function == .max }

    private func ensure(_ n: Int) {
        grow(&seen, n, false)
        switch call.type {
        case .int, .timestamp: grow(&ints, n, 0)
        case .double: grow(&doubles, n, 0)
        default: grow(&others, n, .null)
        }
    }

    override func update(_ inputs: [Vector], groups: [Int32]?, groupCount: Int, position: Int64, count: Int) throws(QueryError) {
        ensure(groupCount)
        let v = inputs[0]
        if Evaluator.isNullConstant(v) { return }
        let max = isMax
        switch (call.type, v.storage) {
        case (.int, .int64(let a)), (.timestamp, .int64(let a)):
            if groups == nil && v.validity == nil && !a.isEmpty {
                let m = max ? a.max()! : a.min()!
                if !seen[0] || (max ? m > ints[0] : m < ints[0]) { ints[0] = m }
                seen[0] = true
                return
            }
            inPlace(&ints, &seen) { dp, sp in
                forEachRow(v, groups, count) { r, g in
                    let x = a[r]
                    if !sp[g] || (max ? x > dp[g] : x < dp[g]) { dp[g] = x; sp[g] = true }
                }
            }
        case (.double, .float64(let a)):
            if groups == nil && v.validity == nil && !a.isEmpty {
                // One pass in four lanes of selects (vectorisable); NaN, which orders above every
                // number (DuckDB), is counted apart.
                let start = max ? -Double.infinity : Double.infinity
                var m0 = start, m1 = start, m2 = start, m3 = start
                var nans = 0
                a.withUnsafeBufferPointer { p in
                    var i = 0
                    // A NaN in a lane makes the lane's sum NaN; only then are NaNs counted.
                    var probe = 0.0
                    if max {
                        while i + 4 <= p.count {
                            m0 = p[i] > m0 ? p[i] : m0; m1 = p[i + 1] > m1 ? p[i + 1] : m1
                            m2 = p[i + 2] > m2 ? p[i + 2] : m2; m3 = p[i + 3] > m3 ? p[i + 3] : m3
                            probe += p[i] * 0 + p[i + 1] * 0 + p[i + 2] * 0 + p[i + 3] * 0
                            i += 4
                        }
                        while i < p.count { m0 = p[i] > m0 ? p[i] : m0; probe += p[i] * 0; i += 1 }
                    } else {
                        while i + 4 <= p.count {
                            m0 = p[i] < m0 ? p[i] : m0; m1 = p[i + 1] < m1 ? p[i + 1] : m1
                            m2 = p[i + 2] < m2 ? p[i + 2] : m2; m3 = p[i + 3] < m3 ? p[i + 3] : m3
                            probe += p[i] * 0 + p[i + 1] * 0 + p[i + 2] * 0 + p[i + 3] * 0
                            i += 4
                        }
                        while i < p.count { m0 = p[i] < m0 ? p[i] : m0; probe += p[i] * 0; i += 1 }
                    }
                    // x * 0 is NaN for NaN and ±infinity: count exactly only when the probe says so.
                    if probe.isNaN { for x in p where x != x { nans += 1 } }
                }
                let m = max ? Swift.max(Swift.max(m0, m1), Swift.max(m2, m3)) : Swift.min(Swift.min(m0, m1), Swift.min(m2, m3))
                consider(0, .double(max ? (nans > 0 ? .nan : m) : (nans == a.count ? .nan : m)))
                return
            }
            inPlace(&doubles, &seen) { dp, sp in
                forEachRow(v, groups, count) { r, g in
                    let x = a[r]
                    if !sp[g] { dp[g] = x; sp[g] = true; return }
                    let c = compareDoubles(x, dp[g])
                    if max ? c > 0 : c < 0 { dp[g] = x }
                }
            }
        case (_, .dictionary(let entries, let idx)) where groups == nil:
            // One comparison per distinct entry used.
            var used = [Bool](repeating: false, count: entries.count)
            forEachRow(v, nil, count) { r, _ in used[Int(idx[r])] = true }
            for i in 0..<entries.count where used[i] { consider(0, .string(entries[i])) }
        case (.interval, .int64(let a)):
            // Stored durations (int64 nanoseconds, `Interval(durationNanos:)`, whose order is
            // their nanoseconds'): each group's extreme of the batch as a number, then one
            // interval per group.
            var best = [Int64](repeating: 0, count: groups == nil ? 1 : groupCount)
            var has = [Bool](repeating: false, count: best.count)
            forEachRow(v, groups, count) { r, g in
                let x = a[r]
                if !has[g] || (max ? x > best[g] : x < best[g]) { best[g] = x; has[g] = true }
            }
            for g in best.indices where has[g] { consider(g, .interval(Interval(durationNanos: best[g]))) }
        case (.string, .strings(let a)):
            // Each group's extreme row of the batch by bytes, then one `String` per group.
            var best = [Int32](repeating: -1, count: groups == nil ? 1 : groupCount)
            forEachRow(v, groups, count) { r, g in
                let b = best[g]
                if b < 0 { best[g] = Int32(r); return }
                let c = a.compare(r, a, Int(b))
                if max ? c > 0 : c < 0 { best[g] = Int32(r) }
            }
            for (g, r) in best.enumerated() where r >= 0 { consider(g, .string(a[Int(r)])) }
        default:
            let m = v.materialized()
            forEachRow(m, groups, count) { r, g in consider(g, m.datum(r)) }
        }
    }

    private func consider(_ g: Int, _ d: Datum) {
        switch call.type {
        case .int, .timestamp:
            if case .int(let x) = d { considerInt(g, x) } else if case .timestamp(let x) = d { considerInt(g, x) }
        case .double:
            if case .double(let x) = d {
                if !seen[g] { doubles[g] = x; seen[g] = true; return }
                let c = compareDoubles(x, doubles[g])
                if isMax ? c > 0 : c < 0 { doubles[g] = x }
            }
        default:
            if !seen[g] { others[g] = d; seen[g] = true; return }
            let c = Datum.compare(d, others[g])
            if isMax ? c > 0 : c < 0 { others[g] = d }
        }
    }

    private func considerInt(_ g: Int, _ x: Int64) {
        if !seen[g] || (isMax ? x > ints[g] : x < ints[g]) { ints[g] = x; seen[g] = true }
    }

    private func value(_ g: Int) -> Datum {
        guard seen[g] else { return .null }
        switch call.type {
        case .int: return .int(ints[g])
        case .timestamp: return .timestamp(ints[g])
        case .double: return .double(doubles[g])
        default: return others[g]
        }
    }

    override func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) throws(QueryError) {
        let o = other as! MinMaxState
        ensure(groupCount)
        for g in o.seen.indices where o.seen[g] { consider(Int(mapping[g]), o.value(g)) }
    }

    override func finish(groupCount: Int) throws(QueryError) -> Vector {
        ensure(groupCount)
        var b = VectorBuilder(type: call.type)
        for g in 0..<groupCount { b.append(value(g)) }
        return try b.build()
    }
}
