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

    /// A metadata frame (format 1.1) whose CRC holds.
    struct Metadata {
        var frameOffset: Int
        var frameLength: Int
        var pairs: RunMetadata.Pairs
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

    /// What a walk found, in file order.
    struct Result {
        var chunks: [Chunk] = []
        var metadata: [Metadata] = []
        var end: End = .limit
    }

    let file: RawFile

    /// Reads frames in `FileHeader.size ..< limit` until the limit, a footer, or a bad frame.
    func scan(limit: Int) throws -> Result {
        var result = Result()
        var offset = FileHeader.size
        var buffer: [UInt8] = []
        while offset < limit {
            let available = limit - offset
            guard available >= 4 else {
                result.end = .damaged(offset: offset, .truncated(what: "frame magic", offset: offset, needed: 4, available: available))
                return result
            }
            let prefix = try file.read(at: offset, count: min(ChunkHeader.prefixSize, available))
            let frame: FramePrefix
            do { frame = try FramePrefix(decoding: prefix, offset: offset, limit: available) } catch {
                result.end = .damaged(offset: offset, error)
                return result
            }
            if frame.kind == .footer {
                result.end = .footer(offset: offset)
                return result
            }
            let length = frame.frameLength
            if buffer.count < length { buffer = [UInt8](repeating: 0, count: length) }
            try buffer.withUnsafeMutableBytes { try file.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<length])) }
            do {
                try Self.checkCRC(buffer, length: length, kind: frame.kind, offset: offset)
                if frame.kind == .metadata {
                    let pairs = try MetadataFrame.decode(buffer, prefix: frame, offset: offset)
                    result.metadata.append(Metadata(frameOffset: offset, frameLength: length, pairs: pairs))
                } else {
                    let header = try Self.decodeHeader(buffer, frame: frame, offset: offset)
                    result.chunks.append(Chunk(frameOffset: offset, frameLength: length, header: header))
                }
            } catch {
                result.end = .damaged(offset: offset, error)
                return result
            }
            offset += length
        }
        return result
    }

    /// Checks the CRC stored in the last 4 of a frame's `length` bytes against the bytes before it.
    static func checkCRC(_ bytes: [UInt8], length: Int, kind: FramePrefix.Kind, offset: Int) throws(FormatError) {
        let crcAt = length - ChunkHeader.suffixSize
        let stored = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: crcAt, as: UInt32.self).littleEndian }
        let computed = bytes.withUnsafeBytes { CRC32C.mask(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<crcAt]))) }
        guard stored == computed else {
            throw .checksumMismatch(what: kind == .metadata ? "metadata frame" : "chunk frame", offset: offset,
                                    stored: stored, computed: computed)
        }
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
