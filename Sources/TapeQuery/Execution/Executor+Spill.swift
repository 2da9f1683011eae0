/// The fused scan's GROUP BY beyond `--memory-limit`: when the aggregation state outgrows the
/// limit, the scan starts again (one thread, tasks in order), hash-partitioning the filtered rows
/// by the GROUP BY keys into a temporary file (`SpillPartitions`); each partition holds whole
/// groups and is aggregated alone, then HAVING and the outputs go to the result stage as usual.
/// Not used when window functions follow the aggregation (they need every group at once) or
/// without GROUP BY keys: those fail naming the limit.
extension Executor {
    var canSpillAggregate: Bool { !(plan.keys ?? []).isEmpty && plan.windows.isEmpty }

    func runSpilledAggregate(_ stage: ResultStage) throws(QueryError) {
        let keys = plan.keys ?? [], limit = options.memoryLimit
        let file = try SpillFile(owner: "GROUP BY")
        let types = plan.slots.map(\.type)
        var parts = SpillPartitions(file: file, types: types, memoryLimit: limit)
        let readers = Readers(runs: runs, verify: options.verifyChecksums)
        for t in tasks {
            let (_, b, _) = try scanTask(t, readers)
            guard b.count > 0 else { continue }
            var kv: [Vector] = []
            for k in keys { kv.append(try Evaluator.evaluate(k, b)) }
            try parts.add(b, keys: kv)
        }
        let streams = try parts.finish()
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
        spillReport.withLock { $0 = SpillReport(bytes: file.size, pieces: streams.count, what: "hash partitions") }
    }
}
