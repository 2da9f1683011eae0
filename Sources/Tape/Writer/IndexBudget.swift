import TapeFormat

/// What a writer has used of the format's index limits (format-spec §7: index entries and footer
/// length), so that it never writes a file a reader must refuse.
///
/// Tables are counted when declared, exactly. A chunk is counted, at its largest possible size,
/// when its table starts buffering rows for it (`reserve`), so a row is refused *before* it is
/// accepted rather than when its chunk is written: no accepted row is ever lost to the limit. The
/// footer's metadata has its own room (`metadataRoom`); its sections have `sectionRoom`, and
/// sections bigger than that take the rest from the tables' room (`setSections`), so tables,
/// chunks and sections together never pass the footer limit.
struct IndexBudget {
    /// Index entries allowed (`IndexLimits.maxEntries`, lower in tests).
    let maxEntries: Int
    /// Entries and footer bytes of declared tables and reserved or written chunks.
    private(set) var entries = 0
    private(set) var bytes = 0
    /// Encoded bytes of the footer's sections (with the metrics section's reserve) beyond
    /// `sectionRoom`: taken from `tableRoom`.
    private(set) var sectionOverflow = 0

    /// Bytes of the footer kept for its metadata (a metadata frame's header limit) and sections.
    static let metadataRoom = ChunkLimits.maxHeaderLength
    static let sectionRoom = 1 << 20
    /// Section bytes kept for the metrics section a writer adds at close (a few hundred bytes).
    static let metricsRoom = 64 << 10
    /// Footer bytes left for tables and chunk entries.
    static let tableRoom = IndexLimits.maxFooterLength - metadataRoom - sectionRoom - 64

    init(maxEntries: Int = IndexLimits.maxEntries) {
        self.maxEntries = min(maxEntries, IndexLimits.maxEntries)
    }

    /// Counts the footer entries of an existing file's tables (an append carries them).
    mutating func carry(_ tables: [Footer.TableEntry]) {
        for t in tables {
            let perEntry = IndexLimits.entries(columns: t.schema.count)
            entries += perEntry * (1 + t.chunks.count)
            bytes += Self.definitionBytes(t.name, t.schema) + t.chunks.count * IndexLimits.maxChunkEntryBytes(t.schema)
        }
    }

    /// Counts a newly declared table; throws when the file's index has no room for it.
    mutating func declare(_ name: String, _ schema: Schema, path: String) throws {
        try take(IndexLimits.entries(columns: schema.count), Self.definitionBytes(name, schema), path: path, what: "table '\(name)'")
    }

    /// Counts the chunk that `table` starts buffering rows for; throws when there is no room.
    mutating func reserve(_ table: String, _ schema: Schema, path: String) throws {
        try take(IndexLimits.entries(columns: schema.count), IndexLimits.maxChunkEntryBytes(schema), path: path,
                 what: "another chunk of table '\(table)'")
    }

    /// Counts the footer sections a writer holds now (replacing the earlier count); throws,
    /// changing nothing, when with the tables and chunks counted so far they would pass the
    /// footer limit.
    mutating func setSections(_ sections: [(tag: UInt64, bytes: [UInt8])], path: String) throws {
        var total = Self.metricsRoom + Self.varintSize(UInt64(sections.count))
        for s in sections { total += Self.varintSize(s.tag) + Self.varintSize(UInt64(s.bytes.count)) + s.bytes.count }
        let overflow = max(0, total - Self.sectionRoom)
        guard bytes + overflow <= Self.tableRoom else {
            throw TapeError.invalidArgument("'\(path)' has no room for footer sections of \(total - Self.metricsRoom) bytes: a footer holds "
                + "at most \(IndexLimits.maxFooterLength >> 20) MiB (format-spec §7), and this file's tables and chunks already take "
                + "\(bytes) bytes of it")
        }
        sectionOverflow = overflow
    }

    private mutating func take(_ e: Int, _ b: Int, path: String, what: String) throws {
        guard entries + e <= maxEntries, bytes + b + sectionOverflow <= Self.tableRoom else {
            throw TapeError.invalidArgument("'\(path)' has no room for \(what): a file's index holds at most \(maxEntries) entries "
                + "(tables and chunks, by columns) and a \(IndexLimits.maxFooterLength >> 20) MiB footer (format-spec §7), and this "
                + "file's holds \(entries) entries\(sectionOverflow > 0 ? " and footer sections of \(sectionOverflow + Self.sectionRoom) bytes" : ""); close it and write the rest of the run to another file, or write bigger chunks")
        }
        entries += e
        bytes += b
    }

    /// Bytes of `v` as a varint.
    static func varintSize(_ v: UInt64) -> Int {
        var v = v, size = 1
        while v >= 0x80 { v >>= 7; size += 1 }
        return size
    }

    private static func definitionBytes(_ name: String, _ schema: Schema) -> Int {
        var w = ByteWriter()
        w.writeString(name)
        schema.encode(into: &w)
        return w.count + 2 * 10
    }
}
