/// The fused scan's GROUP BY beyond `--memory-limit`: when the aggregation state outgrows the
/// limit, the scan starts again (one thread, tasks in order), hash-partitioning the filtered rows
/// by the GROUP BY keys into a temporary file (`SpillPartitions`); each partition holds whole
/// groups and is aggregated alone, then HAVING and the outputs go to the result stage as usual.
/// Without GROUP BY keys only count(DISTINCT x) spills (partitioned by x; see
/// `SpilledAggregation.distinctCount`). Not used when window functions follow the aggregation
/// (they need every group at once): those fail naming the limit, as other keyless aggregates do.
extension Executor {
    var canSpillAggregate: Bool { SpilledAggregation.applies(keys: plan.keys ?? [], aggregates: plan.aggregates) && plan.windows.isEmpty }

    func runSpilledAggregate(_ stage: ResultStage) throws(QueryError) {
        let keys = plan.keys ?? [], limit = options.memoryLimit
        let partitionKeys = keys.isEmpty ? plan.aggregates[0].args : keys
        let file = try SpillFile(owner: "GROUP BY")
        let types = plan.slots.map(\.type)
        var parts = SpillPartitions(file: file, types: types, memoryLimit: limit)
        let readers = Readers(runs: runs, verify: options.verifyChecksums)
        for t in tasks {
            let (_, b, _) = try scanTask(t, readers)
            guard b.count > 0 else { continue }
            var kv: [Vector] = []
            for k in partitionKeys { kv.append(try Evaluator.evaluate(k, b)) }
            try parts.add(b, keys: kv)
        }
        let streams = try parts.finish()
        spillReport.withLock { $0 = SpillReport(bytes: file.size, pieces: streams.count, what: "hash partitions") }
        if keys.isEmpty {
            return try finishPost(try SpilledAggregation.distinctCount(streams, aggregates: plan.aggregates, memoryLimit: limit), stage)
        }
        for s in streams where s.rows > 0 {
            let agg = Aggregation(keys: keys, aggregates: plan.aggregates)
            var position: Int64 = 0
            try s.forEach { b throws(QueryError) in
                try agg.add(b, position: position)
                position += 1 << 32
                try agg.checkBudget(limit)
                return true
            }
            try finishAggregate(agg, stage)
        }
    }
}
