import Foundation

extension Executor {
    /// Runs `produce(task index, readers)` for every task on `threads` worker threads and hands
    /// each task's batches to `consume` on the calling thread in task order (as one thread would
    /// produce them), until `consume` returns false. Workers stay at most `2 × threads` tasks ahead
    /// of the consumer; the first failure stops them and is thrown.
    func runOrdered(threads: Int, _ produce: @escaping @Sendable (Int, Readers) throws(QueryError) -> [Batch],
                    _ consume: (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        let window = threads * 2
        let shared = Pipeline(running: threads)
        let cond = shared.cond
        let taskCount = tasks.count
        for _ in 0..<threads {
            let worker = Thread { [self] in
                let readers = Readers(runs: runs, verify: options.verifyChecksums)
                while true {
                    cond.lock()
                    while !shared.stop && shared.nextTask < taskCount && shared.nextTask - shared.consumed >= window { cond.wait() }
                    if shared.stop || shared.nextTask >= taskCount {
                        shared.running -= 1
                        cond.broadcast()
                        cond.unlock()
                        return
                    }
                    let i = shared.nextTask
                    shared.nextTask += 1
                    cond.unlock()
                    let r: Result<[Batch], QueryError>
                    do throws(QueryError) { r = .success(try produce(i, readers)) } catch { r = .failure(error) }
                    cond.lock()
                    shared.ready[i] = r
                    cond.broadcast()
                    cond.unlock()
                }
            }
            worker.stackSize = 4 << 20
            worker.start()
        }
        var failure: QueryError?
        consuming: for i in 0..<taskCount {
            cond.lock()
            while shared.ready[i] == nil { cond.wait() }
            let r = shared.ready.removeValue(forKey: i)
            shared.consumed = i + 1
            cond.broadcast()
            cond.unlock()
            do {
                for b in try r?.get() ?? [] where b.count > 0 {
                    if try !consume(b) { break consuming }
                }
            } catch {
                failure = error
                break
            }
        }
        cond.lock()
        shared.stop = true
        cond.broadcast()
        while shared.running > 0 { cond.wait() }
        cond.unlock()
        if let failure { throw failure }
    }
}

extension Executor {
    /// The filtered projection's rows of each task through `transform` on the worker threads,
    /// consumed in task order (`runOrdered`). REQUIRES: `isUnorderedStreamable`.
    func runProjected(threads: Int, _ transform: @escaping @Sendable (Batch) throws(QueryError) -> [Batch],
                      _ consume: (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        try runOrdered(threads: max(1, min(threads, tasks.count)), { [self] i, readers throws(QueryError) in
            let (scanned, b, bytes) = try scanTask(tasks[i], readers)
            record(bytes: bytes, scanned: scanned, matched: b.count)
            return b.count > 0 ? try transform(try project(b)) : []
        }, consume)
    }
}

/// State shared by the ordered workers and the consuming thread, guarded by `cond`.
/// `@unchecked`: every `var` is read and written only while `cond` is locked (the workers and the
/// consumer wait on it, which `Mutex` cannot do), and `Batch` is Sendable.
final class Pipeline: @unchecked Sendable {
    let cond = NSCondition()
    var nextTask = 0
    var consumed = 0
    var stop = false
    var ready: [Int: Result<[Batch], QueryError>] = [:]
    var running: Int
    init(running: Int) { self.running = running }
}
