/// A schema frame (format 1.2, format-spec §3.5): the names and schemas of tables a writer
/// declared, written in the data region before the writer's next frame, so that recovering a file
/// whose footer was never written keeps a declared table that had no chunk yet (a chunk repeats
/// its table's schema; a table without chunks would otherwise exist only in the footer).
///
/// Frame grammar (the chunk frame's prefix, with another magic and an empty body):
///   magic "TSCH" / header_length u32 (H) / body_length u64 (= 0)
///   / table_count varint (≥ 1) / table_count × { name string, column_count varint, column_def… }
///   / masked crc32c u32 over the H + 16 bytes before it
public enum SchemaFrame {
    public static let magic: [UInt8] = Array("TSCH".utf8)

    /// One declared table.
    public typealias Table = (name: String, schema: Schema)

    /// Appends a whole schema frame declaring `tables` (REQUIRES: not empty).
    public static func encode(_ tables: [Table], into w: inout ByteWriter) {
        precondition(!tables.isEmpty, "a schema frame declares at least one table")
        let start = w.count
        w.writeBytes(magic)
        w.writeU32(0)
        w.writeU64(0)
        let headerStart = w.count
        w.writeVarint(UInt64(tables.count))
        for t in tables {
            w.writeString(t.name)
            t.schema.encode(into: &w)
        }
        w.patchU32(UInt32(w.count - headerStart), at: start + 4)
        let crc = w.bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        w.writeU32(CRC32C.mask(crc))
    }

    /// Appends as many schema frames as needed to declare `tables` in order, each within the
    /// frame header limit (format-spec §7: 4 MiB; one table's definition takes at most about 1 MiB).
    public static func encodeFrames(_ tables: [Table], into w: inout ByteWriter) {
        var group: [Table] = [], size = 10   // the table count varint
        for t in tables {
            var m = ByteWriter()
            m.writeString(t.name)
            t.schema.encode(into: &m)
            if !group.isEmpty && size + m.count > ChunkLimits.maxHeaderLength {
                encode(group, into: &w)
                group = []
                size = 10
            }
            group.append(t)
            size += m.count
        }
        if !group.isEmpty { encode(group, into: &w) }
    }

    /// Decodes the tables of a frame whose bytes (prefix through CRC, CRC already checked) are
    /// `frame`, found at absolute file offset `offset`. Names are unique within a frame.
    public static func decode(_ frame: [UInt8], prefix: FramePrefix, offset: Int) throws(FormatError) -> [Table] {
        var r = ByteReader(frame, range: ChunkHeader.prefixSize..<(ChunkHeader.prefixSize + prefix.headerLength), baseOffset: offset)
        // Each table needs at least its name length, a column count and one 3-byte column.
        let count = try r.readCount("schema frame table count", limit: r.remaining / 5)
        guard count > 0 else {
            throw .invalid(what: "schema frame", offset: offset, reason: "declares no table")
        }
        var tables: [Table] = []
        var seen = Set<String>()
        for _ in 0..<count {
            let at = r.absoluteOffset
            let name = try r.readString("table name")
            if let problem = NameRules.problem(name) { throw .invalid(what: "table name", offset: at, reason: problem) }
            guard seen.insert(name).inserted else {
                throw .invalid(what: "schema frame", offset: at, reason: "table '\(name)' declared twice")
            }
            tables.append((name, try Schema(decoding: &r)))
        }
        try r.requireAtEnd("schema frame")
        return tables
    }
}
