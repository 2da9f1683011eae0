import Foundation

/// The Window stage of the executor: materialise the rows after WHERE (or the groups after
/// HAVING), compute every window function over them, apply QUALIFY, then project into the result
/// stage (DISTINCT, ORDER BY, LIMIT follow there).
extension Executor {
    /// Every row surviving WHERE, in scan order (runs, then chunks), with the slots the query
    /// reads, handed to `body` with the window results appended (columns `plan.windowBase…`).
    ///
    /// Beyond the budget the rows spill: hash-partitioned to disk by the windows' common PARTITION
    /// BY (`WindowSpill`), else sorted by each window specification (`SortedWindowSpill`); `body`
    /// then gets the rows piece by piece instead of all at once. A window function that cannot
    /// stream over sorted rows fails naming the Window operator and the limit.
    func collectRows(threads: Int, _ body: (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        let needed = plan.neededSlots
        let types = needed.map { plan.slots[$0].type }, limit = options.memoryLimit
        var buffer = WindowInputBuffer(types: types, memoryLimit: limit)
        let keys = WindowSpill.commonPartition(plan.windows)
        var spill: WindowSpill?
        var sorted: SortedWindowSpill?
        let slots = plan.slots, windows = plan.windows, base = plan.windowBase
        /// The slots' batch from the needed columns (the others NULL).
        let expand: (Batch) -> Batch = { b in
            var columns = slots.map { Vector.constant(.null, type: $0.type, count: b.count) }
            for (k, v) in b.columns.enumerated() { columns[needed[k]] = v }
            return Batch(columns: columns, count: b.count)
        }
        func take(_ b: Batch) throws(QueryError) {
            let cols = Batch(columns: needed.map { b.columns[$0] }, count: b.count)
            if let sorted {
                try sorted.add(cols)
                return
            }
            if spill != nil {
                try spill?.add(cols, keyInput: b)
                return
            }
            buffer.add(cols.columns, rows: b.count)
            if buffer.overLimit {
                let held = Batch(columns: try buffer.build(), count: buffer.count)
                if keys.isEmpty {
                    if let e = SortedWindowSpill.refused(windows, limit: limit, rows: buffer.count) { throw e }
                    let s = try SortedWindowSpill(windows: windows, storedTypes: types, memoryLimit: limit, expand: expand)
                    buffer = WindowInputBuffer(types: types, memoryLimit: limit)
                    try s.add(held)
                    sorted = s
                    return
                }
                var s = try WindowSpill(windows: windows, keys: keys, types: types, memoryLimit: limit, expand: expand)
                buffer = WindowInputBuffer(types: types, memoryLimit: limit)
                try s.add(held, keyInput: expand(held))
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
        if let sorted {
            let report = try sorted.drain(base: base, body)
            spillReport.withLock { $0 = report }
            return
        }
        if var s = spill {
            let report = try s.drain(base: base, body)
            spillReport.withLock { $0 = report }
            return
        }
        _ = try body(try WindowEvaluator.appended(windows, to: expand(Batch(columns: try buffer.build(), count: buffer.count)), base: base))
    }

    /// Window results appended to `rows`, QUALIFY applied, outputs projected into `stage`.
    func finishWindowed(_ rows: Batch, _ stage: ResultStage) throws(QueryError) {
        _ = try finishAppended(try WindowEvaluator.appended(plan.windows, to: rows, base: plan.windowBase), stage)
    }

    /// QUALIFY over rows with their window results appended, outputs projected into `stage`;
    /// false once the stage wants no more.
    func finishAppended(_ rows: Batch, _ stage: ResultStage) throws(QueryError) -> Bool {
        var b = rows
        if let q = plan.qualify, let keep = try FilterOperator.selection(q, b) { b = b.gather(keep) }
        return try WindowEvaluator.emitInPieces(b) { piece throws(QueryError) in try stage.push(try project(piece)) }
    }
}
