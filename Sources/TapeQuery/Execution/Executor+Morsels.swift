import Foundation

extension Executor {
    /// Whether the plan is a plain filtered projection (no aggregate, window, DISTINCT, ORDER BY,
    /// OFFSET or LIMIT), so its chunks' rows may be consumed in any order by a pipeline above the
    /// scan (`MorselPipeline`).
    var isUnorderedStreamable: Bool {
        plan.table != nil && !plan.isAggregate && plan.windows.isEmpty && !plan.distinct && plan.order.isEmpty
            && plan.limit == nil && plan.offset == 0
    }

    /// Scans every task on `threads` workers in no particular order: each worker makes its state
    /// with `makeState(worker)` and hands each of its tasks' filtered, projected rows to
    /// `body(state, task index, batch)` on its own thread. Returns the workers' states (in worker
    /// order) once all tasks are done; the first failure stops the others and is thrown.
    /// REQUIRES: `isUnorderedStreamable`.
    func runUnordered<W>(threads: Int, makeState: @escaping @Sendable (Int) -> W,
                         _ body: @escaping @Sendable (W, Int, Batch) throws(QueryError) -> Void) throws(QueryError) -> [W] {
        try forEachTask(threads: threads, makeState: makeState) { [self] state, i, readers throws(QueryError) in
            let (scanned, b, bytes) = try scanTask(tasks[i], readers)
            record(bytes: bytes, scanned: scanned, matched: b.count)
            if b.count > 0 { try body(state, i, try project(b)) }
        }
    }

    /// Runs `body(state, task index, readers)` for every task on up to `threads` workers, which
    /// take tasks in order from a shared counter; each worker makes its state with
    /// `makeState(worker)` and its own readers. Returns the workers' states in worker order once
    /// all tasks are done; the first failure stops the others and is thrown.
    func forEachTask<W>(threads: Int, makeState: @escaping @Sendable (Int) -> W,
                        _ body: @escaping @Sendable (W, Int, Readers) throws(QueryError) -> Void) throws(QueryError) -> [W] {
        let workers = max(1, min(threads, tasks.count))
        let next = Counter()
        let results = ResultSlots<W>(count: workers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let state = makeState(w)
            let readers = Readers(runs: runs, verify: options.verifyChecksums)
            var r: Result<W, QueryError> = .success(state)
            while let i = next.take(below: tasks.count) {
                do { try body(state, i, readers) } catch let e as QueryError {
                    r = .failure(e)
                    next.stop()
                    break
                } catch {
                    r = .failure(QueryError(.execution, "\(error)"))
                    next.stop()
                    break
                }
            }
            results.set(w, r)
        }
        var states: [W] = []
        for r in results.values {
            switch r {
            case .success(let s)?: states.append(s)
            case .failure(let e)?: throw e
            case nil: break
            }
        }
        return states
    }
}
