import TapeFormat

/// first/last by row order (NULL values included, as DuckDB), and any_value (first non-NULL).
/// Each group keeps the value and its row position; merging keeps the earliest/latest position.
final class FirstLastState: AggregateState {
    private var values: [Datum] = []
    private var positions: [Int64] = []
    private var seen: [Bool] = []
    private var isLast: Bool { call.function == .last }

    private func ensure(_ n: Int) {
        grow(&values, n, .null)
        grow(&positions, n, 0)
        grow(&seen, n, false)
    }

    private func offer(_ g: Int, _ pos: Int64, _ value: () -> Datum) {
        if seen[g] && (isLast ? pos <= positions[g] : pos >= positions[g]) { return }
        values[g] = value()
        positions[g] = pos
        seen[g] = true
    }

    override func update(_ inputs: [Vector], groups: [Int32]?, groupCount: Int, position: Int64, count: Int) throws(QueryError) {
        ensure(groupCount)
        let v = inputs[0]
        let skipNulls = call.function == .anyValue
        // Visit rows so that each group's winning row in this batch is seen first.
        let order: StrideTo<Int> = isLast ? stride(from: count - 1, to: -1, by: -1) : stride(from: 0, to: count, by: 1)
        for r in order {
            if skipNulls && v.isNull(r) { continue }
            let g = groups.map { Int($0[r]) } ?? 0
            offer(g, position + Int64(r)) { v.datum(r) }
            if groups == nil { break }
        }
    }

    override func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) throws(QueryError) {
        let o = other as! FirstLastState
        ensure(groupCount)
        for g in o.seen.indices where o.seen[g] {
            offer(Int(mapping[g]), o.positions[g]) { o.values[g] }
        }
    }

    override func finish(groupCount: Int) throws(QueryError) -> Vector {
        ensure(groupCount)
        var b = VectorBuilder(type: call.type)
        for g in 0..<groupCount { b.append(values[g]) }
        return try b.build()
    }
}
