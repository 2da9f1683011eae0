import TapeCodec

/// avg over BIGINT: an exact Int128 sum per group (no Int64 sum overflows it: 2^64 rows would be
/// needed), divided once at the end — so `avg` of Int64.min and Int64.max − 1 is exact, as
/// DuckDB's HUGEINT sum, where summing as DOUBLE would round both to ±2^63.
final class AvgIntState: AggregateState {
    private var sums: [Int128] = []
    private var counts: [Int64] = []

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
        let o = other as! AvgIntState
        grow(&sums, groupCount, 0)
        grow(&counts, groupCount, 0)
        for g in o.sums.indices where o.counts[g] > 0 {
            let t = Int(mapping[g])
            sums[t] += o.sums[g]
            counts[t] += o.counts[g]
        }
    }

    override func finish(groupCount: Int) -> Vector {
        grow(&sums, groupCount, 0)
        grow(&counts, groupCount, 0)
        var values = [Double](repeating: 0, count: groupCount)
        var valid = Bitmap(count: groupCount, value: true)
        var anyNull = false
        for g in 0..<groupCount {
            if counts[g] == 0 { valid[g] = false; anyNull = true; continue }
            values[g] = Double(sums[g]) / Double(counts[g])
        }
        return Vector(type: .double, storage: .double(values), validity: anyNull ? valid : nil, count: groupCount)
    }
}
