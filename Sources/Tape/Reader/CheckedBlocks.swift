/// Stored blocks a `TapeReader` has read and checksum-checked ahead of decoding them: page pruning
/// (`candidateRows`) reads the PAGED blocks of the predicate columns to look at their page zone
/// maps, and the decode of the same chunk that follows (`readColumns`) takes them from here instead
/// of reading and checking them a second time.
///
/// Holds the blocks of one chunk at a time (`removeAll` when page pruning moves to another chunk);
/// the buffers are kept for reuse, so memory is bounded by the largest set of predicate blocks of
/// one chunk. Keyed by the block's absolute file offset, which identifies it within the file.
struct CheckedBlocks {
    private var offsets: [Int] = []
    private var buffers: [[UInt8]] = []

    /// Forgets the held blocks (their buffers are kept for reuse).
    mutating func removeAll() {
        offsets.removeAll(keepingCapacity: true)
    }

    /// Holds the `count` bytes of the block at file offset `offset`, filled by `fill` (which reads
    /// them and checks their checksum); if `fill` throws, nothing is held.
    mutating func hold(offset: Int, count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        let k = offsets.count
        if buffers.count == k { buffers.append([]) }
        if buffers[k].count < count { buffers[k] = [UInt8](repeating: 0, count: count) }
        try buffers[k].withUnsafeMutableBytes { try fill(UnsafeMutableRawBufferPointer(rebasing: $0[0..<count])) }
        offsets.append(offset)
    }

    /// The buffer holding the block at file offset `offset` (its bytes first; the buffer may be
    /// longer), or nil when that block is not held.
    func block(at offset: Int) -> [UInt8]? {
        offsets.firstIndex(of: offset).map { buffers[$0] }
    }
}
