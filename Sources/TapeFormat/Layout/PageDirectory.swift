/// The page directory at the start of a PAGED block (format-spec §5.5): the block's rows cut into
/// pages of `pageRows` rows (the last one shorter), each with its own encoding and zone map, so a
/// reader decodes only the pages a row range needs and skips pages by their zone maps.
///
/// Two forms. Format 1.4 (`pagesPerGroup == 0`): each page is stored and compressed as an
/// independent block. Format 1.5 (`pagesPerGroup ≥ 1`): the raw payloads of `pagesPerGroup`
/// consecutive pages are compressed together as one **group** (one zstd frame for 4 pages instead
/// of 4), so a full scan builds a frame's entropy tables once per group; a reader decompresses the
/// groups holding the pages it needs and decodes only those pages.
///
/// Grammar (the start of the block's stored bytes; the stored bytes of the pages (1.4) or of the
/// groups (1.5) follow, back to back):
///   1.4:  page_rows varint (≥ 1) / page_count × block_descriptor (§3.2, without block_crc)
///   1.5:  marker u8 = 0 / page_rows varint (≥ 1) / group_pages varint (1 ≤ group_pages ≤ page_count) /
///         page_count × block_descriptor (codec 0: the page's raw payload length twice) /
///         group_count × { codec u8, stored_length varint, raw_length varint }
/// where page_count = ceil(row_count / page_rows), page `i` holds rows
/// `[i × page_rows, min((i + 1) × page_rows, row_count))`, group_count = ceil(page_count /
/// group_pages), and group `g`'s raw bytes are the raw payloads of pages
/// `[g × group_pages, min((g + 1) × group_pages, page_count))` back to back.
public struct PageDirectory: Sendable, Equatable {
    /// The encoding id of a PAGED block (format-spec §5.5).
    public static let encodingID: UInt8 = 5

    /// One compressed group of consecutive pages (format 1.5).
    public struct Group: Sendable, Equatable {
        /// Codec of the group's stored bytes (0 none, 1 lz4, 2 zstd; §3.2).
        public var codec: UInt8
        /// Bytes the group takes in the block.
        public var storedLength: Int
        /// Bytes of its pages' raw payloads together.
        public var rawLength: Int

        public init(codec: UInt8, storedLength: Int, rawLength: Int) {
            self.codec = codec
            self.storedLength = storedLength
            self.rawLength = rawLength
        }
    }

    /// Rows of every page but the last.
    public var pageRows: Int
    /// Pages per group (format 1.5), or 0 when each page is stored on its own (format 1.4).
    public var pagesPerGroup: Int
    /// One descriptor per page, in row order (encoding, codec, lengths, null count, statistics).
    public var pages: [BlockDescriptor]
    /// One descriptor per group (empty when `pagesPerGroup == 0`).
    public var groups: [Group]
    /// Bytes the directory takes at the start of the block (set by decoding and encoding).
    public private(set) var byteCount: Int = 0

    public init(pageRows: Int, pages: [BlockDescriptor], pagesPerGroup: Int = 0, groups: [Group] = []) {
        self.pageRows = pageRows
        self.pages = pages
        self.pagesPerGroup = pagesPerGroup
        self.groups = groups
    }

    /// Rows of the block covered by page `i` of a block of `rowCount` rows.
    public func rows(ofPage i: Int, rowCount: Int) -> Range<Int> {
        (i * pageRows)..<Swift.min((i + 1) * pageRows, rowCount)
    }

    /// The pages holding any of `rows`.
    public func pages(covering rows: Range<Int>) -> Range<Int> {
        guard !rows.isEmpty else { return 0..<0 }
        return (rows.lowerBound / pageRows)..<((rows.upperBound - 1) / pageRows + 1)
    }

    /// The pages of group `g` (format 1.5).
    public func pages(ofGroup g: Int) -> Range<Int> {
        (g * pagesPerGroup)..<Swift.min((g + 1) * pagesPerGroup, pages.count)
    }

    /// Offset of each page's stored bytes relative to the start of the block (format 1.4), or of
    /// each group's (format 1.5).
    public var pageOffsets: [Int] {
        var o = byteCount
        let lengths = pagesPerGroup == 0 ? pages.map(\.storedLength) : groups.map(\.storedLength)
        return lengths.map { n in
            defer { o += n }
            return o
        }
    }

    /// Appends the directory (the caller appends the pages' or groups' stored bytes after it).
    public mutating func encode(type: ColumnType, into w: inout ByteWriter) {
        let start = w.count
        if pagesPerGroup > 0 { w.writeU8(0) }
        w.writeVarint(UInt64(pageRows))
        if pagesPerGroup > 0 { w.writeVarint(UInt64(pagesPerGroup)) }
        for p in pages { p.encode(type: type, into: &w) }
        for g in groups {
            w.writeU8(g.codec)
            w.writeVarint(UInt64(g.storedLength))
            w.writeVarint(UInt64(g.rawLength))
        }
        byteCount = w.count - start
    }

    /// Decodes the directory of a PAGED block of `rowCount` rows and `nullCount` nulls whose stored
    /// bytes (`storedLength` of them) `r` starts at, in either form. Checks that there is at least
    /// one page, that the pages' null counts add up to `nullCount`, that a group's raw length is
    /// its pages' and that the stored lengths (of the pages, or of the groups) add up to what
    /// follows the directory; nothing is allocated before its count is bounded by the bytes left.
    public init(decoding r: inout ByteReader, type: ColumnType, rowCount: Int, nullCount: Int,
                storedLength: Int) throws(FormatError) {
        let start = r.absoluteOffset
        let startRemaining = r.remaining
        var grouped = false
        if r.remaining > 0 {
            var peek = r
            grouped = try peek.readU8("page directory marker") == 0
            if grouped { r = peek }
        }
        let rowsAt = r.absoluteOffset
        pageRows = try r.readCount("page rows", limit: Swift.max(rowCount, 1))
        guard pageRows >= 1 else { throw .invalid(what: "page directory", offset: rowsAt, reason: "page rows is 0") }
        let count = (rowCount + pageRows - 1) / pageRows
        pagesPerGroup = 0
        if grouped {
            let groupAt = r.absoluteOffset
            pagesPerGroup = try r.readCount("group pages", limit: Swift.max(count, 1))
            guard pagesPerGroup >= 1 else { throw .invalid(what: "page directory", offset: groupAt, reason: "group pages is 0") }
        }
        // A page descriptor takes at least 6 bytes (encoding, codec, three lengths, flags).
        guard count >= 1, count <= r.remaining / 6 else {
            throw .outOfBounds(what: "page count of a paged block of \(rowCount) rows", offset: rowsAt,
                               value: UInt64(count), limit: UInt64(r.remaining / 6))
        }
        var pages: [BlockDescriptor] = []
        pages.reserveCapacity(count)
        var nulls = 0, stored = 0
        for i in 0..<count {
            let at = r.absoluteOffset
            let rows = Swift.min(pageRows, rowCount - i * pageRows)
            let p = try BlockDescriptor(decoding: &r, type: type, rowCount: rows)
            guard p.checksum == nil else {
                throw .invalid(what: "page \(i) descriptor", offset: at, reason: "a page has no checksum of its own (the block's covers it)")
            }
            guard p.encoding != Self.encodingID else {
                throw .invalid(what: "page \(i) descriptor", offset: at, reason: "a page cannot itself be paged")
            }
            guard !grouped || p.codec == 0 else {
                throw .invalid(what: "page \(i) descriptor", offset: at, reason: "codec \(p.codec): a page of a group is stored raw (its group is compressed)")
            }
            nulls += p.nullCount
            stored += p.storedLength
            pages.append(p)
        }
        self.pages = pages
        groups = []
        if grouped {
            let groupCount = (count + pagesPerGroup - 1) / pagesPerGroup
            // A group descriptor takes at least 3 bytes (codec and two lengths).
            guard groupCount <= r.remaining / 3 else {
                throw .outOfBounds(what: "group count of a paged block", offset: r.absoluteOffset,
                                   value: UInt64(groupCount), limit: UInt64(r.remaining / 3))
            }
            groups.reserveCapacity(groupCount)
            stored = 0
            for g in 0..<groupCount {
                let at = r.absoluteOffset
                let codec = try r.readU8("group codec")
                guard codec <= 2 else { throw .invalid(what: "group \(g) codec", offset: at, reason: "unknown codec \(codec)") }
                let s = try r.readCount("group stored length", limit: storedLength)
                let raw = try r.readCount("group raw length", limit: BlockDescriptor.maxRawLength)
                let expected = (g * pagesPerGroup..<Swift.min((g + 1) * pagesPerGroup, count)).reduce(0) { $0 + pages[$1].rawLength }
                guard raw == expected else {
                    throw .invalid(what: "group \(g) descriptor", offset: at, reason: "raw length \(raw) is not its pages' \(expected) bytes")
                }
                guard codec != 0 || s == raw else {
                    throw .invalid(what: "group \(g) descriptor", offset: at, reason: "uncompressed group of \(s) bytes with raw length \(raw)")
                }
                stored += s
                groups.append(Group(codec: codec, storedLength: s, rawLength: raw))
            }
        }
        byteCount = startRemaining - r.remaining
        guard nulls == nullCount else {
            throw .invalid(what: "page directory", offset: start, reason: "pages hold \(nulls) nulls but the block \(nullCount)")
        }
        guard byteCount + stored == storedLength else {
            let parts = grouped ? "groups" : "pages"
            throw .invalid(what: "page directory", offset: start,
                           reason: "directory of \(byteCount) bytes and \(parts) of \(stored) bytes do not fill the block's \(storedLength) bytes")
        }
    }
}
