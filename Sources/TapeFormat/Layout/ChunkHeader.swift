/// The self-describing header of a chunk frame (format-spec §3, §3.1).
///
/// Frame grammar:
///   magic "TCHK" / header_length u32 / body_length u64 / header / body / masked crc32c u32
public struct ChunkHeader: Sendable, Equatable {
    public var tableName: String
    public var schema: Schema
    /// Index of the chunk's first row within its table.
    public var rowStart: Int
    public var rowCount: Int
    /// One per schema column, in schema order.
    public var blocks: [BlockDescriptor]

    public static let magic: [UInt8] = Array("TCHK".utf8)
    /// Bytes before the header: magic, header_length, body_length.
    public static let prefixSize = 16
    /// Bytes after the body: the CRC.
    public static let suffixSize = 4
    /// Most rows in one chunk (format-spec §3.1).
    public static let maxRowCount = ChunkLimits.maxRows

    public init(tableName: String, schema: Schema, rowStart: Int, rowCount: Int, blocks: [BlockDescriptor]) {
        self.tableName = tableName
        self.schema = schema
        self.rowStart = rowStart
        self.rowCount = rowCount
        self.blocks = blocks
    }

    /// Sum of the blocks' stored lengths: the body length.
    public var bodyLength: Int { blocks.reduce(0) { $0 + $1.storedLength } }

    public func encode(into w: inout ByteWriter) {
        w.writeString(tableName)
        schema.encode(into: &w)
        w.writeVarint(UInt64(rowStart))
        w.writeVarint(UInt64(rowCount))
        for (i, b) in blocks.enumerated() { b.encode(type: schema[i].type, into: &w) }
    }

    public init(decoding r: inout ByteReader) throws(FormatError) {
        let nameAt = r.absoluteOffset
        tableName = try r.readString("table name")
        if let problem = NameRules.problem(tableName) {
            throw .invalid(what: "table name", offset: nameAt, reason: problem)
        }
        schema = try Schema(decoding: &r)
        rowStart = try r.readCount("chunk row start", limit: Int(Int64.max / 2))
        let countAt = r.absoluteOffset
        rowCount = try r.readCount("chunk row count", limit: ChunkHeader.maxRowCount)
        guard rowCount > 0 else { throw .invalid(what: "chunk row count", offset: countAt, reason: "chunk has no rows") }
        blocks = try Self.decodeBlocks(&r, schema: schema, rowCount: rowCount)
    }

    /// Decodes one descriptor per column, checks nullability and that the chunk's decoded size
    /// is within `ChunkLimits.maxDecodedBytes` (so nothing is allocated for a chunk that claims more).
    static func decodeBlocks(_ r: inout ByteReader, schema: Schema, rowCount: Int) throws(FormatError) -> [BlockDescriptor] {
        let start = r.absoluteOffset
        var blocks: [BlockDescriptor] = []
        blocks.reserveCapacity(schema.count)
        for c in schema.columns {
            let at = r.absoluteOffset
            let b = try BlockDescriptor(decoding: &r, type: c.type, rowCount: rowCount)
            if !c.nullable && b.nullCount > 0 {
                throw .invalid(what: "block of column '\(c.name)'", offset: at, reason: "non-nullable column has \(b.nullCount) nulls")
            }
            blocks.append(b)
        }
        let decoded = ChunkLimits.decodedSize(schema: schema, rowCount: rowCount, blocks: blocks)
        guard decoded <= ChunkLimits.maxDecodedBytes else {
            throw .outOfBounds(what: "decoded size of a chunk of \(rowCount) rows × \(schema.count) columns", offset: start,
                               value: UInt64(decoded), limit: UInt64(ChunkLimits.maxDecodedBytes))
        }
        return blocks
    }

    /// Appends the frame prefix (magic, lengths) and this header for a body of `bodyLength` bytes.
    /// Returns the header length. The caller appends the body and then `frameCRC`'s masked value.
    @discardableResult
    public func encodeFramePrefix(bodyLength: Int, into w: inout ByteWriter) -> Int {
        let start = w.count
        w.writeBytes(ChunkHeader.magic)
        w.writeU32(0)
        w.writeU64(UInt64(bodyLength))
        let headerStart = w.count
        encode(into: &w)
        let headerLength = w.count - headerStart
        w.patchU32(UInt32(headerLength), at: start + 4)
        return headerLength
    }

    /// The masked CRC stored after a frame: over the prefix+header bytes, then the body bytes.
    public static func frameCRC(prefixAndHeader: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) -> UInt32 {
        CRC32C.mask(CRC32C.update(CRC32C.checksum(prefixAndHeader), body))
    }

    /// Writes a whole frame: prefix, this header, `body`, CRC. Returns the header length.
    @discardableResult
    public func encodeFrame(body: [UInt8], into w: inout ByteWriter) -> Int {
        let start = w.count
        let headerLength = encodeFramePrefix(bodyLength: body.count, into: &w)
        let crc = w.bytes.withUnsafeBytes { head in
            body.withUnsafeBytes { ChunkHeader.frameCRC(prefixAndHeader: UnsafeRawBufferPointer(rebasing: head[start...]), body: $0) }
        }
        w.writeBytes(body)
        w.writeU32(crc)
        return headerLength
    }
}

/// The 16-byte prefix of a chunk, metadata or schema frame, read before anything else is allocated.
public struct FramePrefix: Sendable, Equatable {
    public enum Kind: Sendable { case chunk, metadata, schema, footer }
    public var kind: Kind
    public var headerLength: Int
    public var bodyLength: Int

    /// Total frame length: prefix + header + body + CRC.
    public var frameLength: Int { ChunkHeader.prefixSize + headerLength + bodyLength + ChunkHeader.suffixSize }

    /// Decodes a prefix at absolute `offset`; `limit` is the number of file bytes from `offset` on.
    /// A footer magic yields `.footer` with zero lengths. Lengths are checked against `limit`.
    public init(decoding bytes: [UInt8], offset: Int, limit: Int) throws(FormatError) {
        var r = ByteReader(bytes, baseOffset: offset)
        let m = try r.withBytes(4, "frame magic") { Array($0) }
        if m == Footer.magic {
            self.kind = .footer; self.headerLength = 0; self.bodyLength = 0
            return
        }
        if m == ChunkHeader.magic {
            kind = .chunk
        } else if m == MetadataFrame.magic {
            kind = .metadata
        } else if m == SchemaFrame.magic {
            kind = .schema
        } else {
            throw .badMagic(what: "chunk frame", offset: offset)
        }
        let name = kind.frameName
        let h = try r.readU32("\(name) header length")
        let b = try r.readU64("\(name) body length")
        let avail = UInt64(max(0, limit - ChunkHeader.prefixSize - ChunkHeader.suffixSize))
        guard UInt64(h) <= avail else {
            throw .outOfBounds(what: "\(name) header length", offset: offset + 4, value: UInt64(h), limit: avail)
        }
        guard b <= avail - UInt64(h) else {
            throw .outOfBounds(what: "\(name) body length", offset: offset + 8, value: b, limit: avail - UInt64(h))
        }
        if kind == .chunk {
            // §7: bounded before the frame is read, whatever the file's (possibly sparse) size.
            guard h <= ChunkLimits.maxHeaderLength else {
                throw .outOfBounds(what: "chunk header length", offset: offset + 4, value: UInt64(h), limit: UInt64(ChunkLimits.maxHeaderLength))
            }
            guard b <= UInt64(ChunkLimits.maxBodyLength) else {
                throw .outOfBounds(what: "chunk body length", offset: offset + 8, value: b, limit: UInt64(ChunkLimits.maxBodyLength))
            }
        }
        guard kind == .chunk || b == 0 else {
            throw .invalid(what: name, offset: offset + 8, reason: "body length \(b) (must be 0)")
        }
        headerLength = Int(h)
        bodyLength = Int(b)
    }
}

extension FramePrefix.Kind {
    /// How errors name a frame of this kind.
    public var frameName: String {
        switch self {
        case .chunk: return "chunk"
        case .metadata: return "metadata frame"
        case .schema: return "schema frame"
        case .footer: return "footer"
        }
    }
}
