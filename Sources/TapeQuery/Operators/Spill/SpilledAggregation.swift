/// GROUP BY beyond `--memory-limit` (a `HashAggregateOperator` whose group table and aggregate
/// states outgrew the limit): the in-memory state is dropped and the input is run again from the
/// start, its rows hash-partitioned by the GROUP BY keys into a temporary file; each partition
/// holds whole groups (in arrival order, so first/last/arg_min ties resolve as before) and is
/// aggregated alone by a `HashAggregateOperator` over a `SpilledSourceOperator`, which spills again
/// with another hash seed if one partition still does not fit, up to `maxDepth` levels. Groups come
/// out partition by partition.
struct SpilledAggregation {
    static let maxDepth = 3
    let op: HashAggregateOperator

    init(_ op: HashAggregateOperator) { self.op = op }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) -> SpillReport {
        guard op.spillDepth < SpilledAggregation.maxDepth else {
            throw QueryError(.execution, "aggregation needs more than \(QueryOptions.describe(bytes: op.memoryLimit)) (--memory-limit) for the groups of one spill partition even after spilling; raise --memory-limit or group more coarsely")
        }
        let file = try SpillFile(owner: "HASH AGGREGATE")
        let input = op.input, keys = op.keys
        var parts = SpillPartitions(file: file, types: input.columns.map(\.type), memoryLimit: op.memoryLimit, seed: op.spillDepth)
        try input.run { b throws(QueryError) in
            var kv: [Vector] = []
            for k in keys { kv.append(try Evaluator.evaluate(k, b)) }
            try parts.add(b, keys: kv)
            return true
        }
        let streams = try parts.finish()
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
