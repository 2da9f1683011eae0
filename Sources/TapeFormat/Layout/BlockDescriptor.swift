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
    /// Masked CRC32C of the block's stored bytes (format 1.1); nil in blocks written by 1.0.
    /// Readers check it on every decode of the block, so a damaged block never yields rows even
    /// when the chunk frame's CRC is not checked (projected reads).
    public var checksum: UInt32?

    public init(encoding: UInt8, codec: UInt8, storedLength: Int, rawLength: Int, nullCount: Int, stats: ColumnStats,
                checksum: UInt32? = nil) {
        self.encoding = encoding
        self.codec = codec
        self.storedLength = storedLength
        self.rawLength = rawLength
        self.nullCount = nullCount
        self.stats = stats
        self.checksum = checksum
    }

    /// `stats_flags` bit 3: a `u32` block checksum follows the statistics.
    static let checksumFlag: UInt8 = 8

    /// Largest raw payload a reader accepts (format-spec §7).
    public static let maxRawLength = 1 << 30

    /// encoding u8 / codec u8 / stored_length varint / raw_length varint / null_count varint
    /// / stats_flags u8 / [min, max] / [block_crc u32, iff stats_flags bit 3]
    public func encode(type: ColumnType, into w: inout ByteWriter) {
        w.writeU8(encoding)
        w.writeU8(codec)
        w.writeVarint(UInt64(storedLength))
        w.writeVarint(UInt64(rawLength))
        w.writeVarint(UInt64(nullCount))
        stats.encode(type: type, extraFlags: checksum == nil ? 0 : Self.checksumFlag, into: &w)
        if let checksum { w.writeU32(checksum) }
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
        let flagsAt = r.absoluteOffset
        let flags = try r.readU8("stats flags")
        guard flags & ~(ColumnStats.ownFlags | Self.checksumFlag) == 0 else {
            throw .invalid(what: "stats flags", offset: flagsAt, reason: "unknown flag bits \(flags)")
        }
        stats = try ColumnStats(decoding: &r, type: type, flags: flags)
        checksum = flags & Self.checksumFlag != 0 ? try r.readU32("block checksum") : nil
        if codec == 0 && storedLength != rawLength {
            throw .invalid(what: "block descriptor", offset: codecAt, reason: "uncompressed block with stored length \(storedLength) ≠ raw length \(rawLength)")
        }
    }
}
