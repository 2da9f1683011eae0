import Foundation
import TapeCodec

/// Turns a push-style producer (`Query.run` calls back with each batch) into the pull-style
/// `get_next` of the C Stream Interface: the producer runs on its own thread and blocks once
/// `capacity` batches wait, so a stream holds at most `capacity` + 1 batches at a time (bounded
/// memory whatever the table's size).
///
/// Thread safety: every field is read and written under `condition`'s lock.
final class BatchChannel: @unchecked Sendable {
    /// Batches buffered ahead of the consumer.
    static let capacity = 2

    private let condition = NSCondition()
    private var queue: [RecordBatch] = []
    private var started = false
    private var done = false
    private var cancelled = false
    private var failure: BridgeError?

    /// Starts `produce` on a new thread once; it gets a `put` function returning false when the
    /// consumer has gone (the producer should then stop).
    func start(_ produce: @escaping @Sendable (_ put: @escaping (RecordBatch) -> Bool) throws -> Void) {
        condition.lock()
        defer { condition.unlock() }
        guard !started else { return }
        started = true
        let thread = Thread { [self] in
            var failure: BridgeError?
            do { try produce(self.put) } catch let e as BridgeError { failure = e } catch { failure = .io("\(error)") }
            self.finish(failure)
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Producer side: waits for room, then queues `batch`. False when the consumer has cancelled.
    private func put(_ batch: RecordBatch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= BatchChannel.capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        queue.append(batch)
        condition.broadcast()
        return true
    }

    private func finish(_ error: BridgeError?) {
        condition.lock()
        failure = error
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// Consumer side: the next batch, nil at the end, or the producer's error (after the batches
    /// that came before it).
    func take() throws(BridgeError) -> RecordBatch? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !done { condition.wait() }
        if !queue.isEmpty {
            let b = queue.removeFirst()
            condition.broadcast()
            return b
        }
        if let failure { throw failure }
        return nil
    }

    /// Consumer side: stops the producer and waits for its thread to end (so nothing it uses is
    /// freed under it).
    func cancelAndWait() {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        queue.removeAll()
        condition.broadcast()
        while started && !done { condition.wait() }
    }
}
