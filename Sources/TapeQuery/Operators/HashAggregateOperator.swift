/// GROUP BY `keys` computing `aggregates` over a non-scan input (the Tape scan aggregates itself,
/// per worker thread). A pipeline breaker: consumes the whole input into an `Aggregation` (group
/// table + aggregate states), then emits one row per group — key columns, then one column per
/// aggregate. Without keys it emits exactly one row, also for an empty input. Fails when the
/// state outgrows `memoryLimit`.
final class HashAggregateOperator: PhysicalOperator {
    let input: any PhysicalOperator
    let keys: [BoundExpr]
    let aggregates: [AggregateCall]
    let memoryLimit: Int
    let columns: [OutputColumn]
    var children: [any PhysicalOperator] { [input] }

    init(_ input: any PhysicalOperator, keys: [BoundExpr], aggregates: [AggregateCall], memoryLimit: Int) {
        self.input = input
        self.keys = keys
        self.aggregates = aggregates
        self.memoryLimit = memoryLimit
        columns = keys.map { OutputColumn(name: $0.text, type: $0.type) } + aggregates.map { OutputColumn(name: $0.text, type: $0.type) }
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        let agg = Aggregation(keys: keys, aggregates: aggregates)
        var position: Int64 = 0
        let limit = memoryLimit
        try input.run { b throws(QueryError) in
            try agg.add(b, position: position)
            position += 1 << 32
            try agg.checkBudget(limit)
            return true
        }
        let out = try agg.result()
        if out.count > 0 { _ = try emit(out) }
    }

    func explain(analyzed: Bool) -> [String] {
        let k = keys.isEmpty ? "" : " GROUP BY \(keys.map(\.text).joined(separator: ", "))"
        return ["HASH AGGREGATE \(aggregates.map(\.text).joined(separator: ", "))\(k)"]
    }
}
