/// The page directory at the start of a PAGED block (format-spec §5.5, format 1.4): the block's
/// rows cut into pages of `pageRows` rows (the last one shorter), each stored as an independent
/// block of that many rows, so a reader decompresses and decodes only the pages a row range needs,
/// and skips pages by their own zone maps.
///
/// Grammar (the start of the block's stored bytes; the pages' stored bytes follow, back to back):
///   page_rows varint (1 ≤ page_rows) / page_count × block_descriptor (§3.2, without block_crc)
/// where page_count = ceil(row_count / page_rows) and page `i` holds rows
/// `[i × page_rows, min((i + 1) × page_rows, row_count))`.
public struct PageDirectory: Sendable, Equatable {
    /// The encoding id of a PAGED block (format-spec §5.5).
    public static let encodingID: UInt8 = 5

    /// Rows of every page but the last.
    public var pageRows: Int
    /// One descriptor per page, in row order (encoding, codec, lengths, null count, statistics).
    public var pages: [BlockDescriptor]
    /// Bytes the directory takes at the start of the block (set by decoding and encoding).
    public private(set) var byteCount: Int = 0

    public init(pageRows: Int, pages: [BlockDescriptor]) {
        self.pageRows = pageRows
        self.pages = pages
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

    /// Offset of each page's stored bytes relative to the start of the block.
    public var pageOffsets: [Int] {
        var o = byteCount
        return pages.map { p in
            defer { o += p.storedLength }
            return o
        }
    }

    /// Appends the directory (the caller appends the pages' stored bytes after it).
    public mutating func encode(type: ColumnType, into w: inout ByteWriter) {
        let start = w.count
        w.writeVarint(UInt64(pageRows))
        for p in pages { p.encode(type: type, into: &w) }
        byteCount = w.count - start
    }

    /// Decodes the directory of a PAGED block of `rowCount` rows and `nullCount` nulls whose stored
    /// bytes (`storedLength` of them) `r` starts at. Checks that there is at least one page and
    /// that the pages' null counts add up to `nullCount` and their stored lengths to what follows
    /// the directory; nothing is allocated before the page count is bounded by the bytes left.
    public init(decoding r: inout ByteReader, type: ColumnType, rowCount: Int, nullCount: Int,
                storedLength: Int) throws(FormatError) {
        let start = r.absoluteOffset
        let startRemaining = r.remaining
        let rowsAt = r.absoluteOffset
        pageRows = try r.readCount("page rows", limit: Swift.max(rowCount, 1))
        guard pageRows >= 1 else { throw .invalid(what: "page directory", offset: rowsAt, reason: "page rows is 0") }
        let count = (rowCount + pageRows - 1) / pageRows
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
            nulls += p.nullCount
            stored += p.storedLength
            pages.append(p)
        }
        byteCount = startRemaining - r.remaining
        guard nulls == nullCount else {
            throw .invalid(what: "page directory", offset: start, reason: "pages hold \(nulls) nulls but the block \(nullCount)")
        }
        guard byteCount + stored == storedLength else {
            throw .invalid(what: "page directory", offset: start,
                           reason: "directory of \(byteCount) bytes and pages of \(stored) bytes do not fill the block's \(storedLength) bytes")
        }
        self.pages = pages
    }
}
