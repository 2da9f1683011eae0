import Foundation

/// The Window stage of the executor: materialise the rows after WHERE (or the groups after
/// HAVING), compute every window function over them, apply QUALIFY, then project into the result
/// stage (DISTINCT, ORDER BY, LIMIT follow there).
extension Executor {
    /// Every row surviving WHERE, in scan order (runs, then chunks), with the slots the query reads.
    /// Fails when holding them would pass the memory budget, naming the Window operator.
    ///
    /// Beyond the budget the rows are hash-partitioned to disk by the windows' common PARTITION BY
    /// (`WindowSpill`), and `body` gets each spill partition's rows in turn instead of all at once.
    func collectRows(threads: Int, _ body: (Batch) throws(QueryError) -> Void) throws(QueryError) {
        let needed = plan.neededSlots
        let types = needed.map { plan.slots[$0].type }, limit = options.memoryLimit
        var buffer = WindowInputBuffer(types: types, memoryLimit: limit)
        let keys = WindowSpill.commonPartition(plan.windows)
        var spill: WindowSpill?
        let slots = plan.slots
        /// The slots' batch from the needed columns (the others NULL).
        func expand(_ cols: [Vector], _ count: Int) -> Batch {
            var columns = slots.map { Vector.constant(.null, type: $0.type, count: count) }
            for (k, v) in cols.enumerated() { columns[needed[k]] = v }
            return Batch(columns: columns, count: count)
        }
        func take(_ b: Batch) throws(QueryError) {
            let cols = needed.map { b.columns[$0] }
            if spill != nil {
                try spill?.add(Batch(columns: cols, count: b.count), keyInput: b)
                return
            }
            buffer.add(cols, rows: b.count)
            if buffer.overLimit {
                guard !keys.isEmpty else { throw WindowSpill.tooBig(limit, rows: buffer.count) }
                var s = try WindowSpill(keys: keys, types: types, memoryLimit: limit)
                let held = try buffer.build()
                let n = buffer.count
                buffer = WindowInputBuffer(types: types, memoryLimit: limit)
                try s.add(Batch(columns: held, count: n), keyInput: expand(held, n))
                spill = s
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
        if var s = spill {
            let report = try s.drain { rows throws(QueryError) in
                try body(expand(rows.columns, rows.count))
                return true
            }
            spillReport.withLock { $0 = report }
            return
        }
        try body(expand(try buffer.build(), buffer.count))
    }

    /// Window results appended to `rows`, QUALIFY applied, outputs projected into `stage`.
    func finishWindowed(_ rows: Batch, _ stage: ResultStage) throws(QueryError) {
        var b = try WindowEvaluator.appended(plan.windows, to: rows, base: plan.windowBase)
        if let q = plan.qualify, let keep = try FilterOperator.selection(q, b) { b = b.gather(keep) }
        _ = try WindowEvaluator.emitInPieces(b) { piece throws(QueryError) in try stage.push(try project(piece)) }
    }
}
