import Foundation

/// The Window stage of the executor: materialise the rows after WHERE (or the groups after
/// HAVING), compute every window function over them, apply QUALIFY, then project into the result
/// stage (DISTINCT, ORDER BY, LIMIT follow there).
extension Executor {
    /// Every row surviving WHERE, in scan order (runs, then chunks), with the slots the query reads.
    /// Fails when holding them would pass the memory budget, naming the Window operator.
    func collectRows(threads: Int) throws(QueryError) -> Batch {
        let needed = plan.neededSlots
        var builders = needed.map { VectorBuilder(type: plan.slots[$0].type) }
        var count = 0
        func take(_ b: Batch) throws(QueryError) {
            guard b.count > 0 else { return }
            for (k, s) in needed.enumerated() { builders[k].append(b.columns[s]) }
            count += b.count
            // Held rows plus the sort permutation and frame bounds per row.
            let bytes = builders.reduce(0) { $0 + $1.approximateBytes } + count * 24
            if bytes > options.memoryLimit {
                throw QueryError(.execution, "Window operator needs more than the memory limit of \(options.memoryLimit >> 20) MiB to hold its input (\(count) rows so far); filter rows with WHERE, select fewer columns, or raise --memory-limit")
            }
        }
        if threads <= 1 {
            let readers = Readers(runs: runs, verify: options.verifyChecksums)
            for t in tasks {
                let (scanned, b, bytes) = try scanTask(t, readers)
                record(bytes: bytes, scanned: scanned, matched: b.count)
                try take(b)
            }
        } else {
            // Workers scan tasks in parallel, `threads` tasks at a time; batches are taken in task order.
            var start = 0
            while start < tasks.count {
                let first = start, end = min(tasks.count, start + threads * 4)
                let results = ResultSlots<Batch>(count: end - first)
                DispatchQueue.concurrentPerform(iterations: threads) { w in
                    let readers = Readers(runs: runs, verify: options.verifyChecksums)
                    var i = first + w
                    while i < end {
                        do {
                            let (scanned, b, bytes) = try scanTask(tasks[i], readers)
                            record(bytes: bytes, scanned: scanned, matched: b.count)
                            results.set(i - first, .success(b))
                        } catch let e as QueryError {
                            results.set(i - first, .failure(e))
                        } catch {
                            results.set(i - first, .failure(QueryError(.execution, "\(error)")))
                        }
                        i += threads
                    }
                }
                for r in results.values {
                    switch r {
                    case .success(let b)?: try take(b)
                    case .failure(let e)?: throw e
                    case nil: break
                    }
                }
                start = end
            }
        }
        var columns = plan.slots.map { Vector.constant(.null, type: $0.type, count: count) }
        for (k, s) in needed.enumerated() { columns[s] = builders[k].build() }
        return Batch(columns: columns, count: count)
    }

    /// Window results appended to `rows`, QUALIFY applied, outputs projected into `stage`.
    func finishWindowed(_ rows: Batch, _ stage: ResultStage) throws(QueryError) {
        var columns = Array(rows.columns.prefix(plan.windowBase))
        columns += try WindowEvaluator.evaluate(plan.windows, over: rows)
        var b = Batch(columns: columns, count: rows.count)
        if let q = plan.qualify {
            let v = try Evaluator.evaluate(q, b)
            let keep = (0..<Int32(b.count)).filter { !v.isNull(Int($0)) && v.datumBool(Int($0)) }
            if keep.count < b.count { b = b.gather(keep) }
        }
        var start = 0
        while start < b.count {
            let end = min(b.count, start + 65_536)
            let piece = start == 0 && end == b.count ? b : b.gather((Int32(start)..<Int32(end)).map { $0 })
            if try !stage.push(try project(piece)) { return }
            start = end
        }
    }
}
