import TapeFormat

/// Where the next valid frame starts after damaged bytes (format-spec §4.1 resynchronisation),
/// found in one forward pass over the file however many bytes of it look like frames.
///
/// A *candidate* is an offset holding a chunk, metadata or schema magic whose 16-byte prefix
/// decodes within the file; its CRC covers its bytes up to its last four. Checking each candidate
/// by reading its frame would cost what the candidate claims, up to the rest of the file, per
/// candidate: quadratic on a file of many fake magics. Instead the pass keeps the running CRC-32C
/// of the bytes it has read, notes it at each candidate's start, and when it reaches the
/// candidate's stored CRC derives the candidate's checksum from the two running values
/// (`CRC32C.range`, O(log length)). Every byte is read and checksummed once (`bytesChecksummed`
/// never exceeds the bytes searched); only a candidate whose CRC holds is read again, to decode
/// its header (`framesDecoded`). Memory: one window, plus one entry per candidate not yet passed
/// (at most one per 16 bytes of the longest frame a candidate claims: 128 MiB).
///
/// The pass only moves forward: a frame walk asks `checksums(at:)` at each frame it reaches (so it
/// reads no damaged frame whole) and `next(after:hint:decodes:)` after damage, with increasing
/// offsets; what an earlier call learned about later candidates is kept. A walk without damage
/// thus reads each frame twice: once in the pass, once to decode it.
struct FrameSearch {
    /// What the search has done so far (tests bound it).
    struct Work: Equatable {
        /// Bytes read and checksummed by the pass.
        var bytesChecksummed = 0
        /// Candidates found (magic and prefix valid).
        var candidates = 0
        /// Candidates whose CRC held and whose frame was then read to decode its header.
        var framesDecoded = 0
    }

    private enum State { case pending, crcHolds, invalid }

    private struct Candidate {
        var start: Int
        var kind: FramePrefix.Kind
        /// The running CRC of the bytes from `base` to `start`.
        var crcBefore: UInt32
        var state: State
        /// Once settled: the frame's stored CRC and the masked CRC of its bytes.
        var stored: UInt32 = 0
        var computed: UInt32 = 0
    }

    /// Bytes read per step (plus a frame prefix, so that a candidate's prefix is in the window).
    static let window = 1 << 16

    let file: RawFile
    /// End of the searched bytes (the file size, or a sealed file's footer offset).
    let limit: Int
    private(set) var work = Work()

    /// The pass has checksummed the bytes `base ..< streamed` into `running`.
    private var base = 0
    private var streamed = 0
    private var running: UInt32 = 0
    /// Candidates in order of their start, those before `head` settled and out of the search;
    /// entry `i` has the number `removed + i` (numbers survive compaction).
    private var candidates: [Candidate] = []
    private var head = 0
    private var removed = 0
    /// Pending candidates by the window their stored CRC lies in: (offset of the CRC, number).
    private var endsByWindow: [Int: [(crcAt: Int, number: Int)]] = [:]

    init(file: RawFile, limit: Int) {
        self.file = file
        self.limit = limit
    }

    /// The offset of the first valid frame after `damaged`: `hint` (the damaged frame's claimed
    /// end) when a valid frame starts there, else the smallest candidate after `damaged` whose CRC
    /// holds and for which `decodes` is true; nil when there is none before `limit`.
    /// REQUIRES: `damaged` is not below the `damaged` of an earlier call.
    mutating func next(after damaged: Int, hint: Int?, decodes: (Int) throws -> Bool) throws -> Int? {
        if streamed <= damaged { restart(at: damaged + 1) }
        if let hint, hint > damaged, hint < limit {
            while true {
                if streamed <= hint { try advance(); continue }
                guard let i = index(of: hint) else { break }   // not a candidate
                if candidates[i].state == .pending { try advance(); continue }
                if candidates[i].state == .crcHolds, try decode(i, decodes) { return hint }
                break
            }
        }
        while true {
            dropFront(upTo: damaged)
            guard head < candidates.count else {
                if streamed >= limit { return nil }
                try advance()
                continue
            }
            switch candidates[head].state {
            case .pending: try advance()
            case .crcHolds: if try decode(head, decodes) { return candidates[head].start }
            case .invalid: break   // dropped on the next turn
            }
        }
    }

    /// For the frame a walk reached at `offset` (a frame boundary, its walk's offsets increase):
    /// its kind, stored CRC and the masked CRC of its bytes, from the pass (which goes on from
    /// `offset` when it is behind it, and up to the frame's stored CRC); nil when no chunk,
    /// metadata or schema frame prefix decodes there. Candidates before `offset` are forgotten.
    mutating func checksums(at offset: Int) throws -> (kind: FramePrefix.Kind, stored: UInt32, computed: UInt32)? {
        if streamed <= offset { restart(at: offset) } else { dropFront(upTo: offset - 1, invalidToo: false) }
        while true {
            if streamed <= offset { try advance(); continue }
            guard let i = index(of: offset) else { return nil }
            let c = candidates[i]
            if c.state == .pending { try advance(); continue }
            return (c.kind, c.stored, c.computed)
        }
    }

    /// Whether the frame of candidate `i` (its CRC holds) decodes; marks it invalid if not.
    private mutating func decode(_ i: Int, _ decodes: (Int) throws -> Bool) throws -> Bool {
        work.framesDecoded += 1
        if try decodes(candidates[i].start) { return true }
        candidates[i].state = .invalid
        return false
    }

    /// The index of the candidate starting at `offset`, if one does.
    private func index(of offset: Int) -> Int? {
        var lo = head, hi = candidates.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if candidates[mid].start < offset { lo = mid + 1 } else { hi = mid }
        }
        return lo < candidates.count && candidates[lo].start == offset ? lo : nil
    }

    /// Drops leading candidates that start at or before `offset`, and with `invalidToo` those
    /// known invalid (the array is compacted once most of it is dropped: O(1) amortised per
    /// candidate).
    private mutating func dropFront(upTo offset: Int, invalidToo: Bool = true) {
        while head < candidates.count, candidates[head].start <= offset || (invalidToo && candidates[head].state == .invalid) { head += 1 }
        guard head > 1024, head * 2 > candidates.count else { return }
        candidates.removeFirst(head)
        removed += head
        head = 0
    }

    /// Starts the pass afresh at `offset`: everything known lies before it.
    private mutating func restart(at offset: Int) {
        base = offset
        streamed = offset
        running = 0
        removed += candidates.count
        candidates.removeAll()
        head = 0
        endsByWindow.removeAll()
    }

    /// Checksums the next window of bytes: notes the candidates starting in it and settles those
    /// whose stored CRC lies in it.
    private mutating func advance() throws {
        guard streamed < limit else { return }
        let start = streamed, end = min(limit, start + Self.window)
        let bytes = try file.read(at: start, count: min(limit, end + ChunkHeader.prefixSize) - start)
        work.bytesChecksummed += end - start
        let key = (start - base) / Self.window
        var events = endsByWindow.removeValue(forKey: key) ?? []
        // Starts in this window, in order; their ends go to this window's events or a later one's.
        var starts: [Int] = []
        for i in 0..<(end - start) where bytes[i] == 0x54 && Self.isMagic(bytes, at: i) { starts.append(start + i) }
        var next = 0
        // Walk the window's byte positions in order: candidates' starts and the CRCs due here.
        var position = start
        func checksum(to p: Int) {
            guard p > position else { return }
            running = bytes.withUnsafeBytes { CRC32C.update(running, UnsafeRawBufferPointer(rebasing: $0[(position - start)..<(p - start)])) }
            position = p
        }
        events.sort { $0.crcAt < $1.crcAt }
        var e = 0
        while next < starts.count || e < events.count {
            if next < starts.count, e >= events.count || starts[next] <= events[e].crcAt {
                let at = starts[next]
                next += 1
                checksum(to: at)
                guard let prefix = Self.prefix(bytes, at: at - start, offset: at, limit: limit) else { continue }
                work.candidates += 1
                candidates.append(Candidate(start: at, kind: prefix.kind, crcBefore: running, state: .pending))
                let crcAt = at + prefix.frameLength - ChunkHeader.suffixSize
                let entry = (crcAt: crcAt, number: removed + candidates.count - 1)
                if crcAt < end {
                    // Keep `events` sorted: insert after every CRC due no later.
                    var j = events.count
                    while j > e, events[j - 1].crcAt > crcAt { j -= 1 }
                    events.insert(entry, at: j)
                } else {
                    endsByWindow[(crcAt - base) / Self.window, default: []].append(entry)
                }
            } else {
                let (crcAt, number) = events[e]
                e += 1
                checksum(to: crcAt)
                let i = number - removed
                guard i >= head, i < candidates.count else { continue }   // dropped meanwhile
                let c = candidates[i]
                let computed = CRC32C.mask(CRC32C.range(before: c.crcBefore, after: running, length: crcAt - c.start))
                let stored = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: crcAt - start, as: UInt32.self).littleEndian }
                candidates[i].state = computed == stored ? .crcHolds : .invalid
                candidates[i].stored = stored
                candidates[i].computed = computed
            }
        }
        checksum(to: end)
        streamed = end
    }

    /// Whether `bytes[i ..< i + 4]` is a chunk, metadata or schema frame magic.
    private static func isMagic(_ bytes: [UInt8], at i: Int) -> Bool {
        guard i + 4 <= bytes.count else { return false }
        let m = bytes[i..<(i + 4)]
        return m.elementsEqual(ChunkHeader.magic) || m.elementsEqual(MetadataFrame.magic) || m.elementsEqual(SchemaFrame.magic)
    }

    /// The prefix at `bytes[i...]` (absolute `offset`) of a chunk, metadata or schema frame, when
    /// it is all there and decodes within `limit`.
    private static func prefix(_ bytes: [UInt8], at i: Int, offset: Int, limit: Int) -> FramePrefix? {
        guard i + ChunkHeader.prefixSize <= bytes.count,
              let prefix = try? FramePrefix(decoding: Array(bytes[i..<(i + ChunkHeader.prefixSize)]), offset: offset, limit: limit - offset),
              prefix.kind != .footer else { return nil }
        return prefix
    }
}
