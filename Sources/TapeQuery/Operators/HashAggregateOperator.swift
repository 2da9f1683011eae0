/// GROUP BY `keys` computing `aggregates` over a non-scan input (the Tape scan aggregates itself,
/// per worker thread). A pipeline breaker: consumes the whole input into an `Aggregation` (group
/// table + aggregate states), then emits one row per group — key columns, then one column per
/// aggregate. Without keys it emits exactly one row, also for an empty input. When the state
/// outgrows `memoryLimit` with GROUP BY keys it starts again, spilling the input hash-partitioned
/// by the keys (see `SpilledAggregation`); without keys it fails naming the limit.
final class HashAggregateOperator: SpillingOperator {
    let input: any PhysicalOperator
    let keys: [BoundExpr]
    let aggregates: [AggregateCall]
    let memoryLimit: Int
    let columns: [OutputColumn]
    /// 0 for the planned operator, 1… for the per-partition aggregations after spilling.
    let spillDepth: Int
    /// What the last run spilled (nil: nothing).
    var lastSpill: SpillReport?
    var children: [any PhysicalOperator] { [input] }

    init(_ input: any PhysicalOperator, keys: [BoundExpr], aggregates: [AggregateCall], memoryLimit: Int, spillDepth: Int = 0) {
        self.spillDepth = spillDepth
        self.input = input
        self.keys = keys
        self.aggregates = aggregates
        self.memoryLimit = memoryLimit
        columns = keys.map { OutputColumn(name: $0.text, type: $0.type) } + aggregates.map { OutputColumn(name: $0.text, type: $0.type) }
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        let agg = Aggregation(keys: keys, aggregates: aggregates)
        var position: Int64 = 0
        let limit = memoryLimit, canSpill = !keys.isEmpty
        var over = false
        lastSpill = nil
        try input.run { b throws(QueryError) in
            try agg.add(b, position: position)
            position += 1 << 32
            if canSpill && agg.approximateBytes > limit {
                over = true
                return false
            }
            try agg.checkBudget(limit)
            return true
        }
        if over {
            lastSpill = try SpilledAggregation(self).run(emit)
            return
        }
        let out = try agg.result()
        if out.count > 0 { _ = try emit(out) }
    }

    func explain(analyzed: Bool) -> [String] {
        let k = keys.isEmpty ? "" : " GROUP BY \(keys.map(\.text).joined(separator: ", "))"
        return ["HASH AGGREGATE \(aggregates.map(\.text).joined(separator: ", "))\(k)" + SpillReport.suffix(lastSpill, analyzed: analyzed)]
    }
}
