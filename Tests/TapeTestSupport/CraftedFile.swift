import Tape

/// Builds `.tape` files byte by byte from the format layer's pieces, so that a test can write what
/// no writer would: lying statistics or lengths, bad names, version disagreements, bombs. Every
/// frame gets a correct CRC unless a test damages the bytes afterwards, so that a reader is
/// tested on the rule at hand, not on a checksum.
///
/// Frames are appended in call order; `seal` writes a footer indexing every chunk appended (tables
/// in first-seen order) and a trailer. Names are not checked (`CraftedColumn` is not a `Schema`).
public struct CraftedFile {
    /// A column definition that may break the format's rules.
    public struct Column {
        public var name: String
        public var type: ColumnType
        public var nullable: Bool
        public init(_ name: String, _ type: ColumnType, nullable: Bool = true) {
            self.name = name
            self.type = type
            self.nullable = nullable
        }
    }

    /// A chunk as the footer indexes it.
    public struct Chunk {
        public var table: String
        public var columns: [Column]
        public var frameOffset: Int
        public var frameLength: Int
        public var bodyOffset: Int
        public var rowStart: Int
        public var rowCount: Int
        public var blocks: [BlockDescriptor]
    }

    public var bytes: [UInt8] = []
    public var chunks: [Chunk] = []
    /// Tables the footer declares without chunks: name → columns.
    public var emptyTables: [(String, [Column])] = []

    /// A file header of version `major.minor` with `flags`.
    public init(major: UInt16 = 1, minor: UInt16 = 1, flags: UInt32 = 0) {
        var w = ByteWriter()
        w.writeBytes(FileHeader.magic)
        w.writeU16(major)
        w.writeU16(minor)
        w.writeU32(flags)
        bytes = w.bytes
    }

    /// Encodes `data` (one `ColumnData` per column, equal row counts) with Tape's block encoder and
    /// appends the chunk; `edit` may change the descriptors (and so the header) before the frame
    /// is written. `checksums: false` writes 1.0 descriptors (no block CRC); `rowsPerPage` > 0
    /// writes PAGED blocks where the encoder would: with pages grouped by `pagesPerGroup`
    /// (format 1.5), or each page compressed on its own when it is 0 (format 1.4).
    @discardableResult
    public mutating func chunk(_ table: String, _ columns: [Column], rowStart: Int? = nil, _ data: [ColumnData],
                               codec: Codec = .none, encodings: [Encoding?]? = nil, checksums: Bool = true, rowsPerPage: Int = 0,
                               pagesPerGroup: Int = 0, edit: (inout [BlockDescriptor]) -> Void = { _ in }) -> Chunk {
        let encoder = BlockEncoder(codec: codec, rowsPerPage: rowsPerPage, pagesPerGroup: pagesPerGroup)
        var body = ByteWriter()
        var blocks: [BlockDescriptor] = []
        for (i, column) in data.enumerated() {
            var d = encoder.encode(column, encoding: encodings?[i], into: &body)
            if !checksums { d.checksum = nil }
            blocks.append(d)
        }
        edit(&blocks)
        return rawChunk(table, columns, rowStart: rowStart, rowCount: data.first?.count ?? 0, blocks: blocks, body: body.bytes)
    }

    /// Appends a chunk frame with the given descriptors and body bytes as they are.
    @discardableResult
    public mutating func rawChunk(_ table: String, _ columns: [Column], rowStart: Int? = nil, rowCount: Int,
                                  blocks: [BlockDescriptor], body: [UInt8]) -> Chunk {
        let start = rowStart ?? chunks.filter { $0.table == table }.reduce(0) { $0 + $1.rowCount }
        var header = ByteWriter()
        header.writeString(table)
        Self.encodeColumns(columns, into: &header)
        header.writeVarint(UInt64(start))
        header.writeVarint(UInt64(rowCount))
        for (i, b) in blocks.enumerated() { b.encode(type: columns[i].type, into: &header) }
        var w = ByteWriter()
        w.writeBytes(ChunkHeader.magic)
        w.writeU32(UInt32(header.count))
        w.writeU64(UInt64(body.count))
        w.writeBytes(header.bytes)
        w.writeBytes(body)
        let crc = w.bytes.withUnsafeBytes { CRC32C.mask(CRC32C.checksum($0)) }
        w.writeU32(crc)
        let c = Chunk(table: table, columns: columns, frameOffset: bytes.count, frameLength: w.count,
                      bodyOffset: bytes.count + 16 + header.count, rowStart: start, rowCount: rowCount, blocks: blocks)
        bytes += w.bytes
        chunks.append(c)
        return c
    }

    /// Appends a metadata frame (format 1.1).
    public mutating func metadata(_ pairs: [(key: String, value: String)]) {
        var w = ByteWriter()
        MetadataFrame.encode(pairs, into: &w)
        bytes += w.bytes
    }

    /// Appends the footer (metadata, then the chunks' tables, then `sections`) and a trailer of
    /// version `major.minor`. `editFooter` may change the footer bytes before their CRC is taken.
    public mutating func seal(metadata: [(key: String, value: String)] = [], sections: [(UInt64, [UInt8])] = [],
                              major: UInt16 = 1, minor: UInt16 = 1, editFooter: (inout [UInt8]) -> Void = { _ in }) {
        let footerOffset = bytes.count
        var w = ByteWriter()
        w.writeBytes(Footer.magic)
        RunMetadata.encode(metadata, into: &w)
        var order: [String] = []
        for c in chunks where !order.contains(c.table) { order.append(c.table) }
        w.writeVarint(UInt64(order.count + emptyTables.count))
        for name in order {
            let cs = chunks.filter { $0.table == name }
            w.writeString(name)
            Self.encodeColumns(cs[0].columns, into: &w)
            w.writeVarint(UInt64(cs.reduce(0) { $0 + $1.rowCount }))
            w.writeVarint(UInt64(cs.count))
            for c in cs {
                for v in [c.frameOffset, c.frameLength, c.bodyOffset, c.rowStart, c.rowCount] { w.writeVarint(UInt64(v)) }
                for (i, b) in c.blocks.enumerated() { b.encode(type: c.columns[i].type, into: &w) }
            }
        }
        for (name, columns) in emptyTables {
            w.writeString(name)
            Self.encodeColumns(columns, into: &w)
            w.writeVarint(0)
            w.writeVarint(0)
        }
        w.writeVarint(UInt64(sections.count))
        for (tag, b) in sections {
            w.writeVarint(tag)
            w.writeVarint(UInt64(b.count))
            w.writeBytes(b)
        }
        var footer = w.bytes
        editFooter(&footer)
        bytes += footer
        var t = ByteWriter()
        t.writeU64(UInt64(footerOffset))
        t.writeU64(UInt64(footer.count))
        t.writeU32(footer.withUnsafeBytes { CRC32C.mask(CRC32C.checksum($0)) })
        t.writeU16(major)
        t.writeU16(minor)
        t.writeBytes(FileHeader.magic)
        bytes += t.bytes
    }

    /// `column_count` and the column definitions (format-spec §3.1), names unchecked.
    public static func encodeColumns(_ columns: [Column], into w: inout ByteWriter) {
        w.writeVarint(UInt64(columns.count))
        for c in columns {
            w.writeString(c.name)
            w.writeU8(c.type.rawValue)
            w.writeU8(c.nullable ? 1 : 0)
        }
    }

    /// The stored block of `rows` all-null rows of a fixed-width type: a zero validity bitmap and
    /// no values, compressed with zstd (a few hundred bytes for 16M rows).
    public static func allNullBlock(rows: Int) throws -> (BlockDescriptor, [UInt8]) {
        let raw = [UInt8](repeating: 0, count: (rows + 7) / 8)
        var stored: [UInt8] = []
        _ = try raw.withUnsafeBytes { try BufferCompressor(codec: .zstd(level: 19)).compress($0, appendingTo: &stored) }
        let crc = stored.withUnsafeBytes { CRC32C.mask(CRC32C.checksum($0)) }
        let d = BlockDescriptor(encoding: Encoding.plain.rawValue, codec: 2, storedLength: stored.count, rawLength: raw.count,
                                nullCount: rows, stats: .empty, checksum: crc)
        return (d, stored)
    }

    /// A file of one table of `columns` all-null int64 columns × `rows` rows in `chunkCount`
    /// chunks: with the spec's old limits, 64 × 16,777,216 fit in 8 KB and decode to 8 GiB.
    public static func nullBomb(columns: Int, rows: Int, chunkCount: Int = 1) throws -> [UInt8] {
        var f = CraftedFile()
        let (d, stored) = try allNullBlock(rows: rows)
        let cols = (0..<columns).map { Column("c\($0)", .int64) }
        for _ in 0..<chunkCount {
            f.rawChunk("bomb", cols, rowCount: rows, blocks: Array(repeating: d, count: columns),
                       body: Array([[UInt8]](repeating: stored, count: columns).joined()))
        }
        f.seal()
        return f.bytes
    }
}

extension CraftedFile {
    /// A file whose footer indexes one small chunk frame `entries` times (as consecutive row
    /// ranges) with `columns` int64 columns: a few bytes of footer per block descriptor, which
    /// decode to many more bytes of memory. `metadataPairs` adds that many distinct metadata keys.
    public static func footerBomb(columns: Int, entries: Int, metadataPairs: Int = 0) -> [UInt8] {
        var f = CraftedFile()
        let cols = (0..<columns).map { Column("c\($0)", .int64) }
        let data = (0..<columns).map { _ in ColumnData(type: .int64, storage: .int64([7])) }
        let c = f.chunk("t", cols, data, encodings: Array(repeating: .plain, count: columns), checksums: false)
        for i in 1..<max(entries, 1) {
            var copy = c
            copy.rowStart = i
            f.chunks.append(copy)
        }
        let metadata = (0..<metadataPairs).map { (key: String($0, radix: 36), value: "") }
        f.seal(metadata: metadata)
        return f.bytes
    }
}
