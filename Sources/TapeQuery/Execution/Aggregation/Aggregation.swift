/// Hash aggregation state (one per worker; workers' states merge): a group table over the key
/// expressions and one `AggregateState` per aggregate call. Used by the scan's fused aggregation
/// and by `HashAggregateOperator`.
final class Aggregation {
    let keys: [BoundExpr]
    let aggregates: [AggregateCall]
    let groups: GroupTable?
    let states: [AggregateState]
    init(keys: [BoundExpr], aggregates: [AggregateCall]) {
        self.keys = keys
        self.aggregates = aggregates
        groups = keys.isEmpty ? nil : GroupTable(types: keys.map(\.type))
        states = aggregates.map(AggregateState.make)
    }

    var groupCount: Int { groups?.count ?? 1 }

    func add(_ b: Batch, position: Int64) throws(QueryError) {
        guard b.count > 0 else { return }
        var ids: [Int32]?
        if let groups {
            var kv: [Vector] = []
            for k in keys { kv.append(try Evaluator.evaluate(k, b)) }
            // count(*) by one dictionary-encoded key: count per dictionary entry, then add
            // each entry's count to its group, without a group id per row.
            if kv.count == 1, kv[0].validity == nil, case .dictionary(let entries, let idx) = kv[0].storage,
               aggregates.allSatisfy({ $0.function == .countStar && $0.filter == nil }) {
                let perEntry = CountState.histogram(idx, buckets: entries.count)
                let entryIds = (0..<entries.count).map { perEntry[$0] > 0 ? groups.stringID(entries, $0) : -1 }
                for s in states { (s as? CountState)?.add(perEntry, to: entryIds, groupCount: groupCount) }
                return
            }
            ids = groups.assign(kv, count: b.count)
        }
        for (i, call) in aggregates.enumerated() {
            var rows = b
            var rowIds = ids
            if let f = call.filter, let keep = try FilterOperator.selection(f, b) {
                // FILTER (WHERE …): aggregate only the rows that pass (row order kept).
                rows = b.gather(keep)
                rowIds = ids.map { all in keep.map { all[Int($0)] } }
            }
            var inputs: [Vector] = []
            for a in call.args { inputs.append(try Evaluator.evaluate(a, rows)) }
            try states[i].update(inputs, groups: rowIds, groupCount: groupCount, position: position, count: rows.count)
        }
    }

    func merge(_ other: Aggregation) throws(QueryError) {
        let mapping: [Int32]
        if let groups, let og = other.groups { mapping = try groups.absorb(og) } else { mapping = [0] }
        for (s, o) in zip(states, other.states) { try s.merge(o, mapping: mapping, groupCount: groupCount) }
    }

    var approximateBytes: Int {
        (groups?.approximateBytes ?? 0) + states.reduce(0) { $0 + $1.approximateBytes } + groupCount * states.count * 16
    }

    /// The post-aggregation batch: keys then aggregate results, one row per group.
    func result() throws(QueryError) -> Batch {
        let n = groupCount
        var cols = try groups?.keyVectors() ?? []
        for s in states { cols.append(try s.finish(groupCount: n)) }
        return Batch(columns: cols, count: n)
    }

    /// Throws when this state holds more than `budget` bytes (groups, distinct sets, quantile
    /// values); the message names `limit`, the `--memory-limit` the budget is a share of
    /// (one worker's share when workers aggregate in parallel).
    func checkBudget(_ budget: Int, of limit: Int? = nil) throws(QueryError) {
        if approximateBytes > budget {
            let total = limit ?? budget
            let perThread = total == budget ? "" : ", \(QueryOptions.describe(bytes: budget)) per thread"
            throw QueryError(.execution, "aggregation needs more than \(QueryOptions.describe(bytes: total)) (--memory-limit\(perThread)) (\(groupCount) groups so far); raise --memory-limit or group more coarsely")
        }
    }
}
