import TapeFormat

/// Walks the frames of a file from the end of its header, without using the footer
/// (format-spec §4): the basis of verification and of recovering files whose writer died.
struct FrameScanner {
    /// A chunk frame whose CRC holds.
    struct Chunk {
        var frameOffset: Int
        var frameLength: Int
        var header: ChunkHeader
        var bodyOffset: Int { frameOffset + frameLength - ChunkHeader.suffixSize - header.bodyLength }
    }

    /// A metadata frame (format 1.1) whose CRC holds and whose pairs decode. The pairs are not
    /// kept (a file may hold many metadata frames, and only one is used): `pairs(of:)` reads them.
    struct Metadata {
        var frameOffset: Int
        var frameLength: Int
    }

    /// A schema frame (format 1.2) whose CRC holds.
    struct Schemas {
        var frameOffset: Int
        var frameLength: Int
        var tables: [SchemaFrame.Table]
    }

    /// Why the walk stopped.
    enum End: Equatable {
        /// A footer frame starts here.
        case footer(offset: Int)
        /// The frames ended exactly at the limit.
        case limit
        /// The bytes at `offset` are not a complete, valid frame.
        case damaged(offset: Int, FormatError)
    }

    /// Bytes a salvaging walk skipped: no valid frame starts in `offset ..< offset + length`.
    struct Skipped {
        var offset: Int
        var length: Int
        /// Why the frame at `offset` is not valid.
        var error: FormatError
    }

    /// What a walk found, in file order.
    struct Result {
        var chunks: [Chunk] = []
        var metadata: [Metadata] = []
        var schemas: [Schemas] = []
        /// Damaged stretches followed by valid frames (only when scanning with `resync`).
        var skipped: [Skipped] = []
        var end: End = .limit
        /// What the resynchronising search did (`resync: .search`).
        var searchWork = FrameSearch.Work()
        /// Bytes of whole frames read (and checksummed) by the walk itself, not by the search.
        var frameBytesRead = 0
    }

    /// One frame read at an offset.
    private enum Frame {
        case chunk(Chunk), metadata(Metadata), schemas(Schemas), footer
        var length: Int {
            switch self {
            case .chunk(let c): return c.frameLength
            case .metadata(let m): return m.frameLength
            case .schemas(let s): return s.frameLength
            case .footer: return 0
            }
        }
    }

    let file: RawFile

    /// Reused storage for the frame being read, and how many bytes whole-frame reads took.
    struct FrameBuffer {
        var bytes: [UInt8] = []
        var bytesRead = 0
    }

    /// How a walk goes on after bytes that are not a valid frame.
    enum Resync {
        /// It stops there (`.damaged`).
        case none
        /// It goes on after the bad frame when its prefix still gives its length and a valid frame
        /// starts there (cheap: one extra frame read).
        case byLength
        /// As `byLength`, else at the next offset holding a frame magic that starts a valid frame
        /// (format-spec §4.1), found by `FrameSearch`: one pass over the file in all.
        case search
    }

    /// Reads frames in `FileHeader.size ..< limit` until the limit, a footer, a bad frame, or the
    /// frames' index entries (chunks and schema-frame tables by columns, metadata frames, skipped
    /// stretches) passing `IndexLimits.maxEntries` (format-spec §7), which ends the walk `.damaged`
    /// at the frame that passes it, so memory stays bounded on any file. With
    /// `resync`, a bad frame that a valid chunk, metadata or schema frame follows before `limit`
    /// is recorded in `skipped` and the walk goes on from that frame; the walk ends `.damaged`
    /// only where no valid frame is found after it.
    /// `start` (a frame boundary, default the end of the header) lets a caller that already walked
    /// a prefix go on from where it stopped (`LiveTail`). `progress`, if given, is called with the
    /// offset reached (never above `limit`) after each frame and each skipped stretch.
    func scan(from start: Int = FileHeader.size, limit: Int, resync: Resync = .none,
              progress: ((Int) -> Void)? = nil) throws -> Result {
        var result = Result()
        var offset = start
        var buffer = FrameBuffer()
        var entries = 0
        var tablesSeen = Set<String>()
        var search = resync == .search ? FrameSearch(file: file, limit: limit) : nil
        func done() -> Result {
            if let search { result.searchWork = search.work }
            result.frameBytesRead = buffer.bytesRead
            return result
        }
        while offset < limit {
            let frame: Frame
            do {
                // Salvage: the search's single pass tells a frame whose CRC fails without reading
                // it, so a damaged frame claiming the rest of the file costs nothing more.
                if let sums = try search?.checksums(at: offset), sums.stored != sums.computed {
                    throw Self.checksumMismatch(kind: sums.kind, offset: offset, stored: sums.stored, computed: sums.computed)
                }
                frame = try read(at: offset, limit: limit, buffer: &buffer)
            } catch let error as FormatError {
                let hint = try claimedLength(at: offset, limit: limit).map { offset + $0 }
                let next: Int?
                if search != nil {
                    next = try search?.next(after: offset, hint: hint) { at in try valid(at, limit: limit, buffer: &buffer) }
                } else if resync == .byLength, let hint, try valid(hint, limit: limit, buffer: &buffer) {
                    next = hint
                } else {
                    next = nil
                }
                if let next {
                    result.skipped.append(Skipped(offset: offset, length: next - offset, error: error))
                    entries += 1
                    offset = next
                    progress?(min(offset, limit))
                    continue
                }
                result.end = .damaged(offset: offset, error)
                return done()
            }
            // As a footer counts them: a table's definition once, then each chunk.
            var frameEntries = 0
            var newTables: [String] = []
            func define(_ name: String, _ schema: Schema) {
                guard !tablesSeen.contains(name), !newTables.contains(name) else { return }
                newTables.append(name)
                frameEntries += IndexLimits.entries(columns: schema.count)
            }
            switch frame {
            case .footer: break
            case .chunk(let c):
                define(c.header.tableName, c.header.schema)
                frameEntries += IndexLimits.entries(columns: c.header.schema.count)
            case .metadata: frameEntries = 1
            case .schemas(let s): for t in s.tables { define(t.name, t.schema) }
            }
            guard entries + frameEntries <= IndexLimits.maxEntries else {
                result.end = .damaged(offset: offset, .outOfBounds(what: "index entries of the frames up to this one", offset: offset,
                                                                   value: UInt64(entries + frameEntries), limit: UInt64(IndexLimits.maxEntries)))
                return done()
            }
            entries += frameEntries
            tablesSeen.formUnion(newTables)
            switch frame {
            case .footer:
                result.end = .footer(offset: offset)
                return done()
            case .chunk(let c): result.chunks.append(c)
            case .metadata(let m): result.metadata.append(m)
            case .schemas(let s): result.schemas.append(s)
            }
            offset += frame.length
            progress?(min(offset, limit))
        }
        return done()
    }

    /// The frame at `offset`; throws `FormatError` when it is torn, damaged or unknown. Only I/O
    /// errors are thrown otherwise.
    private func read(at offset: Int, limit: Int, buffer frameBuffer: inout FrameBuffer) throws -> Frame {
        let available = limit - offset
        guard available >= 4 else {
            throw FormatError.truncated(what: "frame magic", offset: offset, needed: 4, available: available)
        }
        let prefix = try file.read(at: offset, count: min(ChunkHeader.prefixSize, available))
        let frame = try FramePrefix(decoding: prefix, offset: offset, limit: available)
        if frame.kind == .footer { return .footer }
        let length = frame.frameLength
        if frameBuffer.bytes.count < length { frameBuffer.bytes = [UInt8](repeating: 0, count: length) }
        try frameBuffer.bytes.withUnsafeMutableBytes { try file.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<length])) }
        frameBuffer.bytesRead += length
        let buffer = frameBuffer.bytes
        try Self.checkCRC(buffer, length: length, kind: frame.kind, offset: offset)
        switch frame.kind {
        case .metadata:
            _ = try MetadataFrame.decode(buffer, prefix: frame, offset: offset)
            return .metadata(Metadata(frameOffset: offset, frameLength: length))
        case .schema:
            return .schemas(Schemas(frameOffset: offset, frameLength: length,
                                    tables: try SchemaFrame.decode(buffer, prefix: frame, offset: offset)))
        case .chunk, .footer:
            return .chunk(Chunk(frameOffset: offset, frameLength: length,
                                header: try Self.decodeHeader(buffer, frame: frame, offset: offset)))
        }
    }

    /// The pairs of metadata frame `m`, found by an earlier walk of this file.
    func pairs(of m: Metadata) throws -> RunMetadata.Pairs {
        var frameBuffer = FrameBuffer()
        guard case .metadata = try read(at: m.frameOffset, limit: m.frameOffset + m.frameLength, buffer: &frameBuffer) else {
            throw FormatError.invalid(what: "metadata frame", offset: m.frameOffset, reason: "no longer a metadata frame")
        }
        let prefix = try FramePrefix(decoding: Array(frameBuffer.bytes[0..<ChunkHeader.prefixSize]), offset: m.frameOffset, limit: m.frameLength)
        return try MetadataFrame.decode(frameBuffer.bytes, prefix: prefix, offset: m.frameOffset)
    }

    /// The length a frame's prefix at `offset` claims, when the prefix decodes inside `limit`.
    private func claimedLength(at offset: Int, limit: Int) throws -> Int? {
        let available = limit - offset
        guard available >= ChunkHeader.prefixSize else { return nil }
        let prefix = try file.read(at: offset, count: ChunkHeader.prefixSize)
        guard let frame = try? FramePrefix(decoding: prefix, offset: offset, limit: available), frame.kind != .footer else { return nil }
        return frame.frameLength
    }

    /// Whether a valid frame other than a footer starts at `at`.
    private func valid(_ at: Int, limit: Int, buffer: inout FrameBuffer) throws -> Bool {
        guard at < limit else { return false }
        do {
            if case .footer = try read(at: at, limit: limit, buffer: &buffer) { return false }
            return true
        } catch is FormatError { return false }
    }

    /// Checks the CRC stored in the last 4 of a frame's `length` bytes against the bytes before it.
    static func checkCRC(_ bytes: [UInt8], length: Int, kind: FramePrefix.Kind, offset: Int) throws(FormatError) {
        let crcAt = length - ChunkHeader.suffixSize
        let stored = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: crcAt, as: UInt32.self).littleEndian }
        let computed = bytes.withUnsafeBytes { CRC32C.mask(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<crcAt]))) }
        guard stored == computed else { throw checksumMismatch(kind: kind, offset: offset, stored: stored, computed: computed) }
    }

    /// The error for a frame of `kind` at `offset` whose stored (masked) CRC is not the computed one.
    static func checksumMismatch(kind: FramePrefix.Kind, offset: Int, stored: UInt32, computed: UInt32) -> FormatError {
        .checksumMismatch(what: kind == .chunk ? "chunk frame" : kind.frameName, offset: offset, stored: stored, computed: computed)
    }

    /// Decodes a chunk frame's header (whose blocks must fill the body).
    static func decodeHeader(_ bytes: [UInt8], frame: FramePrefix, offset: Int) throws(FormatError) -> ChunkHeader {
        var r = ByteReader(bytes, range: ChunkHeader.prefixSize..<(ChunkHeader.prefixSize + frame.headerLength),
                           baseOffset: offset)
        let header = try ChunkHeader(decoding: &r)
        try r.requireAtEnd("chunk header")
        guard header.bodyLength == frame.bodyLength else {
            throw .invalid(what: "chunk header", offset: offset,
                           reason: "blocks add up to \(header.bodyLength) bytes but the body has \(frame.bodyLength)")
        }
        return header
    }
}
