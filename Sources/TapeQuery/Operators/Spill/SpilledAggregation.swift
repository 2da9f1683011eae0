/// GROUP BY beyond `--memory-limit` (a `HashAggregateOperator` whose group table and aggregate
/// states outgrew the limit): the in-memory state is dropped and the input is run again from the
/// start, its rows hash-partitioned by the GROUP BY keys into a temporary file; each partition
/// holds whole groups (in arrival order, so first/last/arg_min ties resolve as before) and is
/// aggregated alone by a `HashAggregateOperator` over a `SpilledSourceOperator`, which spills again
/// with another hash seed if one partition still does not fit, up to `maxDepth` levels. Groups come
/// out partition by partition.
///
/// Without GROUP BY keys only count(DISTINCT x) spills (each call counting the same x, without
/// FILTER): the rows are partitioned by x, each partition counts its distinct values alone, and
/// the counts add up (`distinctCount`).
struct SpilledAggregation {
    static let maxDepth = 3
    let op: HashAggregateOperator

    init(_ op: HashAggregateOperator) { self.op = op }

    /// Whether an aggregation with these keys and calls can spill.
    static func applies(keys: [BoundExpr], aggregates: [AggregateCall]) -> Bool {
        if !keys.isEmpty { return true }
        guard let first = aggregates.first else { return false }
        return aggregates.allSatisfy { $0.function == .countDistinct && $0.filter == nil && $0.args.map(\.text) == first.args.map(\.text) }
    }

    /// The one-row answer of keyless count(DISTINCT x) calls (`applies`) from the input
    /// partitioned by x: the sum of each partition's distinct count (a value is in one partition
    /// only). Fails naming the limit when one partition's distinct values alone outgrow it.
    static func distinctCount(_ streams: [SpillStream], aggregates: [AggregateCall], memoryLimit: Int) throws(QueryError) -> Batch {
        var total: Int64 = 0
        for s in streams where s.rows > 0 {
            let agg = Aggregation(keys: [], aggregates: [aggregates[0]])
            try s.forEach { b throws(QueryError) in
                try agg.add(b, position: 0)
                try agg.checkBudget(memoryLimit)
                return true
            }
            if case .int(let v) = try agg.result().columns[0].datum(0) { total += v }
        }
        return Batch(columns: aggregates.map { _ in Vector(type: .int, storage: .int64([total]), count: 1) }, count: 1)
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) -> SpillReport {
        guard op.spillDepth < SpilledAggregation.maxDepth else {
            throw QueryError(.execution, "aggregation needs more than \(QueryOptions.describe(bytes: op.memoryLimit)) (--memory-limit) for the groups of one spill partition even after spilling; raise --memory-limit or group more coarsely")
        }
        let file = try SpillFile(owner: "HASH AGGREGATE")
        let input = op.input, keys = op.keys
        let streams = try SpillPartitions.partition(input, keys: keys.isEmpty ? op.aggregates[0].args : keys, file: file,
                                                    memoryLimit: op.memoryLimit, seed: op.spillDepth)
        if keys.isEmpty {
            _ = try emit(try SpilledAggregation.distinctCount(streams, aggregates: op.aggregates, memoryLimit: op.memoryLimit))
            return SpillReport(bytes: file.size, pieces: streams.count, what: "hash partitions")
        }
        var report = SpillReport(bytes: 0, pieces: streams.count, what: "hash partitions")
        for s in streams where s.rows > 0 {
            let part = HashAggregateOperator(SpilledSourceOperator(s, columns: input.columns), keys: keys, aggregates: op.aggregates,
                                             memoryLimit: op.memoryLimit, spillDepth: op.spillDepth + 1)
            guard try report.run(partition: part, emit) else { break }
        }
        report.bytes += file.size
        return report
    }
}
