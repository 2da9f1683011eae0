/// The tables of a `TapeWriter` that hold buffered rows, oldest first, for the `maxChunkLag` rule.
///
/// A table is pushed when its buffer goes from empty to non-empty, with the file's chunk count at
/// that moment (`TableWriter.bufferedSinceChunk`). The chunk count only grows, so the queue is
/// sorted by that count and the tables that lag are always at its front: finding them costs O(1)
/// per table flushed instead of a scan of every table per chunk (which made a run of n tables cost
/// O(n²)). An entry whose table has since been flushed (its buffer empty, or started again at a
/// later count) is stale and dropped when it reaches the front.
///
/// Size: at most one entry per table per chunk count within the lag window (plus stale entries
/// waiting behind a live one), so it stays bounded by tables × (`maxChunkLag` + 1) in practice.
struct ChunkLagQueue {
    private var entries: [(table: TableWriter, since: Int)] = []
    private var head = 0

    /// Records that `table` started buffering when `since` chunks had been written.
    /// REQUIRES: `since` is not below the value of any earlier push.
    mutating func push(_ table: TableWriter, since: Int) {
        entries.append((table, since))
    }

    /// Removes and returns the oldest table whose buffered rows have waited while at least `lag`
    /// chunks were written (`chunksWritten - since >= lag`), dropping stale entries on the way;
    /// nil when the oldest live table does not lag yet.
    mutating func popLagging(chunksWritten: Int, lag: Int) -> TableWriter? {
        while head < entries.count {
            let (table, since) = entries[head]
            let live = table.bufferedRows > 0 && table.bufferedSinceChunk == since
            if live && chunksWritten - since < lag { return nil }
            head += 1
            compactIfSparse()
            if live { return table }
        }
        return nil
    }

    /// Drops the popped prefix once it is at least half of the storage (amortised O(1)).
    private mutating func compactIfSparse() {
        guard head >= 1024, head * 2 >= entries.count else { return }
        entries.removeFirst(head)
        head = 0
    }
}
