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
        lastSpill = nil
        if let pipe = parallelPipeline, let out = try runParallel(pipe) {
            if out.count > 0 { _ = try emit(out) }
            return
        }
        let agg = Aggregation(keys: keys, aggregates: aggregates)
        var position: Int64 = 0
        let limit = memoryLimit, canSpill = self.canSpill
        var over = false
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

    /// Whether a run beyond the memory limit can spill (`SpilledAggregation`): with GROUP BY keys,
    /// or count(DISTINCT x) alone without them.
    var canSpill: Bool { SpilledAggregation.applies(keys: keys, aggregates: aggregates) }

    /// The Tape scan and streaming operators below, when they can run on the scan's worker threads
    /// (more than one) with a partial aggregation per thread.
    private var parallelPipeline: MorselPipeline? {
        guard spillDepth == 0, let pipe = MorselPipeline.find(input), pipe.scan.threads > 1 else { return nil }
        return pipe
    }

    /// One partial aggregation per scan worker, fed by the pipeline below on the worker's thread,
    /// then merged (positions keep row order, so first/last and arg_min/arg_max ties match one
    /// thread). nil when the pipeline cannot run per batch, or when with GROUP BY keys the states
    /// outgrew the memory limit: the caller then runs the input again on one thread, spilling.
    private func runParallel(_ pipe: MorselPipeline) throws(QueryError) -> Batch? {
        guard try pipe.prepare() else { return nil }
        defer { pipe.finish() }
        let keys = self.keys, aggregates = self.aggregates, canSpill = self.canSpill
        let threads = pipe.scan.threads, limit = memoryLimit
        let perWorker = max(1, limit / threads)
        let over = BudgetFlag()
        let states: [Aggregation]
        do {
            states = try pipe.run(threads: threads, makeState: { _ in Aggregation(keys: keys, aggregates: aggregates) }) { agg, position, b throws(QueryError) in
                try agg.add(b, position: position)
                if agg.approximateBytes > perWorker {
                    if canSpill { over.set(); throw QueryError(.execution, "aggregation over its share of the memory limit") }
                    try agg.checkBudget(perWorker, of: limit)
                }
            }
        } catch let e {
            if over.isSet { return nil }
            throw e
        }
        guard let merged = states.first else { return try Aggregation(keys: keys, aggregates: aggregates).result() }
        for s in states.dropFirst() {
            try merged.merge(s)
            if merged.approximateBytes > limit {
                if canSpill { return nil }
                try merged.checkBudget(limit)
            }
        }
        return try merged.result()
    }

    func explain(analyzed: Bool) -> [String] {
        let k = keys.isEmpty ? "" : " GROUP BY \(keys.map(\.text).joined(separator: ", "))"
        // A run that outgrew the memory limit ran again on one thread, spilling: say that instead.
        let spilled = analyzed && lastSpill != nil
        let p = spilled ? "" : parallelPipeline.map { " (partial per scan thread on \($0.scan.threads) threads, merged)" } ?? ""
        return ["HASH AGGREGATE \(aggregates.map(\.text).joined(separator: ", "))\(k)\(p)" + SpillReport.suffix(lastSpill, analyzed: analyzed)]
    }
}
