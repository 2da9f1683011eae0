import TapeCodec
import TapeFormat

/// sum and avg over INTERVAL (a stored duration, or `exit_ts - entry_ts`): the result is an
/// INTERVAL. Months, days and nanoseconds are summed apart, exactly (Int128), as PostgreSQL sums
/// intervals (DuckDB 2.0 has no sum(INTERVAL)); sum fails, pointing at the call, when a part
/// leaves the Int64 range. avg follows DuckDB's carry rule: each part is divided by the count and
/// its remainder carried down (a month as 30 days, a day as 24 hours), the nanoseconds rounded to
/// the nearest (DuckDB works in microseconds, so its last digit may differ).
final class IntervalSumState: AggregateState {
    var months: [Int128] = []
    var days: [Int128] = []
    var nanos: [Int128] = []
    var counts: [Int64] = []

    private func grow(to n: Int) {
        TapeQuery.grow(&months, n, 0)
        TapeQuery.grow(&days, n, 0)
        TapeQuery.grow(&nanos, n, 0)
        TapeQuery.grow(&counts, n, 0)
    }

    override func update(_ inputs: [Vector], groups: [Int32]?, groupCount: Int, position: Int64, count: Int) throws(QueryError) {
        grow(to: groupCount)
        let v = inputs[0]
        if Evaluator.isNullConstant(v) { return }
        let x = Evaluator.intervals(v)
        forEachRow(v, groups, count) { r, g in
            let i = x.at(r)
            months[g] += Int128(i.months)
            days[g] += Int128(i.days)
            nanos[g] += Int128(i.nanos)
            counts[g] += 1
        }
    }

    override func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) throws(QueryError) {
        let o = other as! IntervalSumState
        grow(to: groupCount)
        for g in o.counts.indices where o.counts[g] > 0 {
            let t = Int(mapping[g])
            months[t] += o.months[g]
            days[t] += o.days[g]
            nanos[t] += o.nanos[g]
            counts[t] += o.counts[g]
        }
    }

    override func finish(groupCount: Int) throws(QueryError) -> Vector {
        grow(to: groupCount)
        var values = [Interval](repeating: Interval(), count: groupCount)
        var valid = Bitmap(count: groupCount, value: true)
        var anyNull = false
        for g in 0..<groupCount {
            if counts[g] == 0 { valid[g] = false; anyNull = true; continue }
            let parts = call.function == .avg
                ? Self.average(months: months[g], days: days[g], nanos: nanos[g], count: Int128(counts[g]))
                : (months[g], days[g], nanos[g])
            guard let m = Int64(exactly: parts.0), let d = Int64(exactly: parts.1), let n = Int64(exactly: parts.2) else {
                throw QueryError(.execution, "\(call.text) overflows INTERVAL", at: call.position)
            }
            values[g] = Interval(months: m, days: d, nanos: n)
        }
        return Vector(type: .interval, storage: .interval(values), validity: anyNull ? valid : nil, count: groupCount)
    }

    /// The average of `count` intervals whose parts sum to the given totals (DuckDB's carry rule).
    /// REQUIRES: count > 0.
    static func average(months: Int128, days: Int128, nanos: Int128, count: Int128) -> (Int128, Int128, Int128) {
        let m = months / count
        let d = (days + (months % count) * 30)
        let n = nanos + (d % count) * Int128(Interval.nanosPerDay)
        // Nearest nanosecond, halves away from zero.
        let q = n / count, r = n % count
        let rounded = 2 * r.magnitude >= count.magnitude ? q + (n < 0 ? -1 : 1) : q
        return (m, d / count, rounded)
    }
}
