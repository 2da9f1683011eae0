import Synchronization

/// How far a query got, for a progress report (`QueryOptions.progress`): first the footers opened
/// of the runs named, then the chunks done of those planned after pruning (runs and chunks ruled
/// out by run filters or zone maps at planning are not counted; a chunk read, skipped by a top-N
/// boundary or answered from footer statistics is done). A query stopped early by LIMIT ends
/// below its total.
///
/// `onUpdate` is called after each step, from whichever thread did it, one call at a time (under
/// a lock). Done never exceeds total: a scan run again (a correlated subquery) raises the total.
public final class QueryProgress: Sendable {
    public enum Phase: Sendable, Equatable {
        /// Footers read, of the runs named.
        case opening
        /// Chunks done, of those planned.
        case scanning
    }

    public typealias Update = @Sendable (_ phase: Phase, _ done: Int, _ total: Int) -> Void

    private let onUpdate: Update
    private let counts = Mutex((opened: 0, chunksDone: 0, chunksPlanned: 0))

    public init(_ onUpdate: @escaping Update) { self.onUpdate = onUpdate }

    /// One more footer read, of `total`.
    func opened(of total: Int) {
        counts.withLock { c in
            c.opened += 1
            onUpdate(.opening, min(c.opened, total), total)
        }
    }

    /// A scan planned `chunks` more chunks.
    func planned(chunks: Int) {
        counts.withLock { $0.chunksPlanned += chunks }
    }

    /// `n` more chunks done.
    func done(chunks n: Int) {
        guard n > 0 else { return }
        counts.withLock { c in
            c.chunksDone += n
            c.chunksPlanned = max(c.chunksPlanned, c.chunksDone)
            onUpdate(.scanning, c.chunksDone, c.chunksPlanned)
        }
    }
}
