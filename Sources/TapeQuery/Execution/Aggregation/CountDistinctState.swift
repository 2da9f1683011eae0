/// count(DISTINCT x): a set of values per group (memory grows with distinct values).
final class CountDistinctState: AggregateState {
    private var ints: [Set<Int64>] = []
    private var others: [Set<Datum>] = []
    private var isInt: Bool { let t = call.args.first?.type; return t == .int || t == .timestamp }

    override func update(_ inputs: [Vector], groups: [Int32]?, groupCount: Int, position: Int64, count: Int) throws(QueryError) {
        grow(&ints, groupCount, [])
        grow(&others, groupCount, [])
        let v = inputs[0]
        if Evaluator.isNullConstant(v) { return }
        if isInt {
            let x = Evaluator.ints(v)
            forEachRow(v, groups, count) { r, g in ints[g].insert(x.at(r)) }
        } else if case .dict(let entries, let idx) = v.storage {
            forEachRow(v, groups, count) { r, g in others[g].insert(.string(entries[Int(idx[r])])) }
        } else {
            let m = v.materialized()
            forEachRow(m, groups, count) { r, g in others[g].insert(m.datum(r)) }
        }
    }

    override func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) throws(QueryError) {
        let o = other as! CountDistinctState
        grow(&ints, groupCount, [])
        grow(&others, groupCount, [])
        for g in o.ints.indices { ints[Int(mapping[g])].formUnion(o.ints[g]) }
        for g in o.others.indices { others[Int(mapping[g])].formUnion(o.others[g]) }
    }

    override func finish(groupCount: Int) -> Vector {
        grow(&ints, groupCount, [])
        grow(&others, groupCount, [])
        return Vector(type: .int, storage: .int((0..<groupCount).map { Int64(ints[$0].count + others[$0].count) }), count: groupCount)
    }
}
