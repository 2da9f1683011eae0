import Foundation

/// The Window stage of the executor: materialise the rows after WHERE (or the groups after
/// HAVING), compute every window function over them, apply QUALIFY, then project into the result
/// stage (DISTINCT, ORDER BY, LIMIT follow there).
extension Executor {
    /// Every row surviving WHERE, in scan order (runs, then chunks), with the slots the query reads.
    /// Fails when holding them would pass the memory budget, naming the Window operator.
    func collectRows(threads: Int) throws(QueryError) -> Batch {
        let needed = plan.neededSlots
        var buffer = WindowInputBuffer(types: needed.map { plan.slots[$0].type }, memoryLimit: options.memoryLimit)
        func take(_ b: Batch) throws(QueryError) {
            try buffer.append(needed.map { b.columns[$0] }, rows: b.count)
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
        let count = buffer.count
        var columns = plan.slots.map { Vector.constant(.null, type: $0.type, count: count) }
        for (k, v) in buffer.build().enumerated() { columns[needed[k]] = v }
        return Batch(columns: columns, count: count)
    }

    /// Window results appended to `rows`, QUALIFY applied, outputs projected into `stage`.
    func finishWindowed(_ rows: Batch, _ stage: ResultStage) throws(QueryError) {
        var b = try WindowEvaluator.appended(plan.windows, to: rows, base: plan.windowBase)
        if let q = plan.qualify, let keep = try FilterOperator.selection(q, b) { b = b.gather(keep) }
        _ = try WindowEvaluator.emitInPieces(b) { piece throws(QueryError) in try stage.push(try project(piece)) }
    }
}
