/// How one column's block of a chunk is stored (format-spec §3.2). Identical in the chunk header
/// and in the footer's chunk entry.
public struct BlockDescriptor: Sendable, Equatable {
    /// Encoding id (format-spec §5); interpreted by TapeCodec.
    public var encoding: UInt8
    /// Codec id: 0 none, 1 lz4, 2 zstd.
    public var codec: UInt8
    /// Bytes of the block in the chunk body.
    public var storedLength: Int
    /// Bytes of the block's raw payload after decompression.
    public var rawLength: Int
    public var nullCount: Int
    public var stats: ColumnStats

    public init(encoding: UInt8, codec: UInt8, storedLength: Int, rawLength: Int, nullCount: Int, stats: ColumnStats) {
        self.encoding = encoding
        self.codec = codec
        self.storedLength = storedLength
        self.rawLength = rawLength
        self.nullCount = nullCount
        self.stats = stats
    }

    /// Largest raw payload a reader accepts (format-spec §7).
    public static let maxRawLength = 1 << 30

    public func encode(type: ColumnType, into w: inout ByteWriter) {
        w.writeU8(encoding)
        w.writeU8(codec)
        w.writeVarint(UInt64(storedLength))
        w.writeVarint(UInt64(rawLength))
        w.writeVarint(UInt64(nullCount))
        stats.encode(type: type, into: &w)
    }

    /// Decodes a descriptor of a block holding `rowCount` rows of `type`.
    public init(decoding r: inout ByteReader, type: ColumnType, rowCount: Int) throws(FormatError) {
        encoding = try r.readU8("block encoding")
        let codecAt = r.absoluteOffset
        codec = try r.readU8("block codec")
        guard codec <= 2 else { throw .invalid(what: "block codec", offset: codecAt, reason: "unknown codec \(codec)") }
        storedLength = try r.readCount("block stored length", limit: Int(UInt32.max) * 4)
        rawLength = try r.readCount("block raw length", limit: BlockDescriptor.maxRawLength)
        nullCount = try r.readCount("block null count", limit: rowCount)
        stats = try ColumnStats(decoding: &r, type: type)
        if codec == 0 && storedLength != rawLength {
            throw .invalid(what: "block descriptor", offset: codecAt, reason: "uncompressed block with stored length \(storedLength) ≠ raw length \(rawLength)")
        }
    }
}
