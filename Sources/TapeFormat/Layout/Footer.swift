/// The footer frame (format-spec §6): metadata, table schemas, and the index of every chunk.
///
/// Grammar:
///   magic "TFTR" / metadata_count varint / {key string, value string}*
///   / table_count varint / table_entry* / section_count varint / {tag varint, length varint, bytes}*
public struct Footer: Sendable, Equatable {
    public static let magic: [UInt8] = Array("TFTR".utf8)

    /// Longest chunk frame (format-spec §7): prefix, longest header, longest body, CRC.
    static let maxChunkFrameLength = ChunkHeader.prefixSize + ChunkLimits.maxHeaderLength + ChunkLimits.maxBodyLength + ChunkHeader.suffixSize

    /// Key/value run metadata in insertion order (keys unique).
    public var metadata: [(key: String, value: String)]
    public var tables: [TableEntry]
    /// Extension sections by tag (unknown tags are kept and skipped).
    public var sections: [(tag: UInt64, bytes: [UInt8])]

    public init(metadata: [(key: String, value: String)] = [], tables: [TableEntry] = [], sections: [(tag: UInt64, bytes: [UInt8])] = []) {
        self.metadata = metadata
        self.tables = tables
        self.sections = sections
    }

    public static func == (a: Footer, b: Footer) -> Bool {
        a.tables == b.tables
            && a.metadata.map { $0.key } == b.metadata.map { $0.key }
            && a.metadata.map { $0.value } == b.metadata.map { $0.value }
            && a.sections.map { $0.tag } == b.sections.map { $0.tag }
            && a.sections.map { $0.bytes } == b.sections.map { $0.bytes }
    }

    /// One table of the file.
    public struct TableEntry: Sendable, Equatable {
        public var name: String
        public var schema: Schema
        public var rowCount: Int
        public var chunks: [ChunkEntry]

        public init(name: String, schema: Schema, rowCount: Int, chunks: [ChunkEntry]) {
            self.name = name
            self.schema = schema
            self.rowCount = rowCount
            self.chunks = chunks
        }
    }

    /// Where one chunk is and what its blocks hold.
    public struct ChunkEntry: Sendable, Equatable {
        public var frameOffset: Int
        public var frameLength: Int
        public var bodyOffset: Int
        public var rowStart: Int
        public var rowCount: Int
        public var blocks: [BlockDescriptor]

        public init(frameOffset: Int, frameLength: Int, bodyOffset: Int, rowStart: Int, rowCount: Int, blocks: [BlockDescriptor]) {
            self.frameOffset = frameOffset
            self.frameLength = frameLength
            self.bodyOffset = bodyOffset
            self.rowStart = rowStart
            self.rowCount = rowCount
            self.blocks = blocks
        }

        /// Absolute file offset of block `i`. O(i): for several blocks of one chunk, use `blockOffsets`.
        public func blockOffset(_ i: Int) -> Int {
            var o = bodyOffset
            for k in 0..<i { o += blocks[k].storedLength }
            return o
        }

        /// Absolute file offset of every block, in column order.
        public var blockOffsets: [Int] {
            var o = bodyOffset
            return blocks.map { b in
                defer { o += b.storedLength }
                return o
            }
        }
    }

    public func encode(into w: inout ByteWriter) {
        w.writeBytes(Footer.magic)
        RunMetadata.encode(metadata, into: &w)
        w.writeVarint(UInt64(tables.count))
        for t in tables {
            w.writeString(t.name)
            t.schema.encode(into: &w)
            w.writeVarint(UInt64(t.rowCount))
            w.writeVarint(UInt64(t.chunks.count))
            for c in t.chunks {
                w.writeVarint(UInt64(c.frameOffset))
                w.writeVarint(UInt64(c.frameLength))
                w.writeVarint(UInt64(c.bodyOffset))
                w.writeVarint(UInt64(c.rowStart))
                w.writeVarint(UInt64(c.rowCount))
                for (i, b) in c.blocks.enumerated() { b.encode(type: t.schema[i].type, into: &w) }
            }
        }
        w.writeVarint(UInt64(sections.count))
        for (tag, bytes) in sections {
            w.writeVarint(tag)
            w.writeVarint(UInt64(bytes.count))
            w.writeBytes(bytes)
        }
    }

    /// Decodes a footer frame whose bytes are `r`'s remaining bytes; chunk positions are checked
    /// against `dataEnd` (the footer's own offset: chunks lie before it).
    public init(decoding r: inout ByteReader, dataEnd: Int) throws(FormatError) {
        let start = r.absoluteOffset
        let m = try r.withBytes(4, "footer magic") { Array($0) }
        guard m == Footer.magic else { throw .badMagic(what: "footer", offset: start) }
        metadata = try RunMetadata.decode(&r)
        tables = try Self.decodeTables(&r, dataEnd: dataEnd, keep: true)
        let nSections = try r.readCount("section count", limit: r.remaining / 2)
        var sections: [(tag: UInt64, bytes: [UInt8])] = []
        for _ in 0..<nSections {
            let tag = try r.readVarint("section tag")
            let len = try r.readCount("section length", limit: r.remaining)
            let bytes = try r.withBytes(len, "section") { Array($0) }
            sections.append((tag, bytes))
        }
        self.sections = sections
        try r.requireAtEnd("footer")
    }

    /// Decodes `table_count varint / table_entry*` at `r` (the footer part after the metadata)
    /// with every check the footer needs: names, unique tables, the index-entry limit, chunk
    /// entries consistent with their frames (within `dataEnd`, the footer's offset) and rows
    /// continuing from chunk to chunk. With `keep` false the entries are checked but not kept (a
    /// reader that needs only the metadata and sections, e.g. `tape summary`'s footer scan).
    public static func decodeTables(_ r: inout ByteReader, dataEnd: Int, keep: Bool) throws(FormatError) -> [TableEntry] {
        let nTables = try r.readCount("table count", limit: r.remaining / 4)
        var tables: [TableEntry] = []
        var entries = 0   // index entries so far (format-spec §7)
        var names = Set<String>()
        for _ in 0..<nTables {
            let at = r.absoluteOffset
            let name = try r.readString("table name")
            if let problem = NameRules.problem(name) { throw .invalid(what: "table name", offset: at, reason: problem) }
            guard names.insert(name).inserted else { throw .invalid(what: "footer", offset: at, reason: "duplicate table '\(name)'") }
            let schema = try Schema(decoding: &r)
            let perEntry = IndexLimits.entries(columns: schema.count)
            entries += perEntry
            guard entries <= IndexLimits.maxEntries else {
                throw .outOfBounds(what: "index entries (tables and chunks × columns) of table '\(name)'", offset: at,
                                   value: UInt64(entries), limit: UInt64(IndexLimits.maxEntries))
            }
            let rowsAt = r.absoluteOffset
            let rowCount = try r.readCount("table row count", limit: Int(Int64.max / 2))
            let nChunks = try r.readCount("chunk count", limit: min(r.remaining / (5 + schema.count * 6),
                                                                    (IndexLimits.maxEntries - entries) / perEntry))
            entries += nChunks * perEntry
            var chunks: [ChunkEntry] = []
            if keep { chunks.reserveCapacity(nChunks) }
            var nextRow = 0
            for _ in 0..<nChunks {
                let entryAt = r.absoluteOffset
                let frameOffset = try r.readCount("chunk frame offset", limit: dataEnd)
                let frameLength = try r.readCount("chunk frame length", limit: min(dataEnd - frameOffset, Self.maxChunkFrameLength))
                let bodyOffset = try r.readCount("chunk body offset", limit: dataEnd)
                let rowStart = try r.readCount("chunk row start", limit: Int(Int64.max / 2))
                let rowCount = try r.readCount("chunk row count", limit: ChunkHeader.maxRowCount)
                let blocks = try ChunkHeader.decodeBlocks(&r, schema: schema, rowCount: rowCount)
                let bodyLength = blocks.reduce(0) { $0 + $1.storedLength }
                guard frameOffset >= FileHeader.size,
                      bodyOffset >= frameOffset + ChunkHeader.prefixSize,
                      bodyOffset + bodyLength + ChunkHeader.suffixSize == frameOffset + frameLength
                else {
                    throw .invalid(what: "chunk entry of table '\(name)'", offset: entryAt,
                                   reason: "frame \(frameOffset)+\(frameLength) and body \(bodyOffset)+\(bodyLength) are inconsistent")
                }
                guard rowStart == nextRow, rowCount > 0 else {
                    throw .invalid(what: "chunk entry of table '\(name)'", offset: entryAt,
                                   reason: "rows \(rowStart)..<\(rowStart + rowCount) do not continue at row \(nextRow)")
                }
                nextRow += rowCount
                if keep {
                    chunks.append(ChunkEntry(frameOffset: frameOffset, frameLength: frameLength, bodyOffset: bodyOffset,
                                             rowStart: rowStart, rowCount: rowCount, blocks: blocks))
                }
            }
            guard nextRow == rowCount else {
                throw .invalid(what: "table '\(name)'", offset: rowsAt, reason: "row count \(rowCount) but chunks hold \(nextRow)")
            }
            if keep { tables.append(TableEntry(name: name, schema: schema, rowCount: rowCount, chunks: chunks)) }
        }
        return tables
    }

    /// Appends this footer frame followed by the trailer that locates it, for a footer that will
    /// start at file offset `offset` (the end of the chunk data).
    public func encodeSealed(at offset: Int, into w: inout ByteWriter) {
        let start = w.count
        encode(into: &w)
        let length = w.count - start
        let crc = w.bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        Trailer(footerOffset: UInt64(offset), footerLength: UInt64(length), footerCRC: CRC32C.mask(crc)).encode(into: &w)
    }

    /// Value of metadata `key`, if present.
    public func metadataValue(_ key: String) -> String? {
        metadata.first { $0.key == key }?.value
    }
}
