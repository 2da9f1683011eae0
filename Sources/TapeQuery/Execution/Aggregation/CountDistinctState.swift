import TapeFormat

/// count(DISTINCT x): a set of values per group (memory grows with distinct values and is counted
/// against the query's memory budget). Values are equal as in GROUP BY: every NaN is one value,
/// and -0.0 equals 0.0 (`Datum`'s equality).
final class CountDistinctState: AggregateState {
    private var ints: [Set<Int64>] = []
    private var others: [Set<Datum>] = []
    /// Approximate bytes of the sets' elements (strings by length), kept as values are inserted.
    private var bytes = 0
    private var isInt: Bool { let t = call.args.first?.type; return t == .int || t == .timestamp }

    /// A set element's slot plus the hash table's spare capacity, roughly.
    private static let intBytes = 16, datumBytes = 48

    override var approximateBytes: Int { bytes }

    private static func size(_ d: Datum) -> Int {
        if case .string(let s) = d { return datumBytes + s.utf8.count }
        return datumBytes
    }

    override func update(_ inputs: [Vector], groups: [Int32]?, groupCount: Int, position: Int64, count: Int) throws(QueryError) {
        grow(&ints, groupCount, [])
        grow(&others, groupCount, [])
        let v = inputs[0]
        if Evaluator.isNullConstant(v) { return }
        if isInt {
            let x = Evaluator.ints(v)
            forEachRow(v, groups, count) { r, g in if ints[g].insert(x.at(r)).inserted { bytes += Self.intBytes } }
        } else if case .dictionary(let entries, let idx) = v.storage {
            let values = (0..<entries.count).map { Datum.string(entries[$0]) }
            forEachRow(v, groups, count) { r, g in insert(values[Int(idx[r])], g) }
        } else {
            let m = v.materialized()
            forEachRow(m, groups, count) { r, g in insert(m.datum(r), g) }
        }
    }

    private func insert(_ d: Datum, _ g: Int) {
        if others[g].insert(d).inserted { bytes += Self.size(d) }
    }

    override func merge(_ other: AggregateState, mapping: [Int32], groupCount: Int) throws(QueryError) {
        let o = other as! CountDistinctState
        grow(&ints, groupCount, [])
        grow(&others, groupCount, [])
        for g in o.ints.indices {
            let t = Int(mapping[g])
            let before = ints[t].count
            ints[t].formUnion(o.ints[g])
            bytes += (ints[t].count - before) * Self.intBytes
        }
        for g in o.others.indices {
            for d in o.others[g] { insert(d, Int(mapping[g])) }
        }
    }

    override func finish(groupCount: Int) -> Vector {
        grow(&ints, groupCount, [])
        grow(&others, groupCount, [])
        return Vector(type: .int, storage: .int64((0..<groupCount).map { Int64(ints[$0].count + others[$0].count) }), count: groupCount)
    }
}
