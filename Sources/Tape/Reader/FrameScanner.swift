import TapeFormat

/// Walks the chunk frames of a file from the end of its header, without using the footer
/// (format-spec §4): the basis of verification and of recovering files whose writer died.
struct FrameScanner {
    /// A chunk frame whose CRC holds.
    struct Chunk {
        var frameOffset: Int
        var frameLength: Int
        var header: ChunkHeader
        var bodyOffset: Int { frameOffset + frameLength - ChunkHeader.suffixSize - header.bodyLength }
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

    let file: RawFile

    /// Reads frames in `FileHeader.size ..< limit` until the limit, a footer, or a bad frame.
    func scan(limit: Int) throws -> (chunks: [Chunk], end: End) {
        var chunks: [Chunk] = []
        var offset = FileHeader.size
        var buffer: [UInt8] = []
        while offset < limit {
            let available = limit - offset
            guard available >= 4 else {
                return (chunks, .damaged(offset: offset, .truncated(what: "frame magic", offset: offset, needed: 4, available: available)))
            }
            let prefix = try file.read(at: offset, count: min(ChunkHeader.prefixSize, available))
            let frame: FramePrefix
            do { frame = try FramePrefix(decoding: prefix, offset: offset, limit: available) } catch {
                return (chunks, .damaged(offset: offset, error))
            }
            if frame.kind == .footer { return (chunks, .footer(offset: offset)) }
            let length = frame.frameLength
            if buffer.count < length { buffer = [UInt8](repeating: 0, count: length) }
            try buffer.withUnsafeMutableBytes { try file.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<length])) }
            do {
                let header = try Self.check(buffer, length: length, frame: frame, offset: offset)
                chunks.append(Chunk(frameOffset: offset, frameLength: length, header: header))
            } catch {
                return (chunks, .damaged(offset: offset, error))
            }
            offset += length
        }
        return (chunks, .limit)
    }

    /// Checks a whole frame's CRC and decodes its header (whose blocks must fill the body).
    static func check(_ bytes: [UInt8], length: Int, frame: FramePrefix, offset: Int) throws(FormatError) -> ChunkHeader {
        let crcAt = length - ChunkHeader.suffixSize
        let stored = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: crcAt, as: UInt32.self).littleEndian }
        let computed = bytes.withUnsafeBytes { CRC32C.mask(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<crcAt]))) }
        guard stored == computed else {
            throw .checksumMismatch(what: "chunk frame", offset: offset, stored: stored, computed: computed)
        }
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
