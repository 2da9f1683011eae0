import Dispatch
import Synchronization

extension Array where Element: Sendable {
    /// `body` over the elements on up to `workers` threads, results in element order: tasks of at
    /// least `minimumStride` consecutive elements (about eight per worker), each result stored at
    /// its element's index. One thread (a plain `map`) for fewer than two elements or one worker.
    ///
    /// `body` need not be `Sendable`: every call ends before this returns, and `body` must only
    /// read state it shares with the other calls.
    public func parallelMap<R: Sendable>(workers: Int, minimumStride: Int = 16, _ body: (Element) -> R) -> [R] {
        guard count > 1, workers > 1 else { return map(body) }
        let out = Mutex([R?](repeating: nil, count: count))
        let stride = Swift.max(1, minimumStride, count / (workers * 8))
        let tasks = (count + stride - 1) / stride
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: tasks) { t in
                let range = (t * stride)..<Swift.min(count, (t + 1) * stride)
                let part = range.map { box.value(self[$0]) }
                out.withLock { o in for (k, r) in zip(range, part) { o[k] = r } }
            }
        }
        // Every index was stored by the task covering it.
        return out.withLock { $0.map { $0! } }
    }
}

/// A non-Sendable closure handed to `concurrentPerform`, whose iterations all end before the call
/// returns (the closure only reads shared state).
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
