import TapeFormat

/// Writing PAGED blocks (format-spec §5.5, formats 1.4 and 1.5).
extension BlockEncoder {
    /// Encodes `column` (int64-stored or float64, more than `rowsPerPage` rows) as a PAGED block:
    /// the page directory, then the pages of `rowsPerPage` rows each. The first page with a value
    /// chooses the encoding (unless one is forced) and the later pages use it where their values
    /// allow (DECIMAL falls back per page), so the choice — which for floats compresses samples
    /// both ways — is made once per block. With `pagesPerGroup` > 0 (format 1.5) the raw payloads
    /// of that many consecutive pages are compressed together as one group; with 0 (format 1.4)
    /// each page is compressed on its own. A page or group is kept compressed when that saves at
    /// least 1/32 of it (a block: 1/8): pages compress a little worse than a whole block, and
    /// near-random floats would otherwise lose their compression. The block's statistics are the
    /// merge of its pages'; its checksum covers the directory and the stored bytes after it.
    func encodePaged(_ column: ColumnData, encoding: Encoding?, into body: inout ByteWriter) -> BlockDescriptor {
        let n = column.count
        let pageCount = (n + rowsPerPage - 1) / rowsPerPage
        let groupPages = min(pagesPerGroup, pageCount)   // group_pages ≤ page_count (§5.5)
        let grouped = groupPages > 0
        var pageBytes = ByteWriter(capacity: grouped ? min(8 * n / 4, 8 * rowsPerPage * groupPages + 64) : 8 * n / 4)
        var groupBytes = ByteWriter(capacity: grouped ? 8 * n / 4 : 0)
        var pages: [BlockDescriptor] = []
        var groups: [PageDirectory.Group] = []
        pages.reserveCapacity(pageCount)
        var stats = ColumnStats.empty
        /// Compresses the raw pages gathered in `pageBytes` as one group.
        func closeGroup() {
            let raw = pageBytes.bytes.withUnsafeBytes { src in
                if let compressed = compress(src, minSaving: Self.pageMinSaving) {
                    groupBytes.writeBytes(compressed)
                    return (codec.id, compressed.count)
                }
                groupBytes.writeBytes(src)
                return (UInt8(0), src.count)
            }
            groups.append(PageDirectory.Group(codec: raw.0, storedLength: raw.1, rawLength: pageBytes.count))
            pageBytes.removeAll()
        }
        for start in stride(from: 0, to: n, by: rowsPerPage) {
            let rows = start..<min(start + rowsPerPage, n)
            // The encoding of the first page that held a value (an all-null page chose blindly).
            let forced = encoding ?? pages.first { $0.stats.min != nil || $0.stats.hasNaN }.flatMap { Encoding(rawValue: $0.encoding) }
            var page = encodeSingle(Self.page(column, rows), encoding: forced, minSaving: Self.pageMinSaving,
                                    compressing: !grouped, into: &pageBytes)
            page.checksum = nil   // the block's checksum covers the page
            stats = pages.isEmpty ? page.stats : Self.merge(stats, page.stats)
            pages.append(page)
            if grouped && (pages.count % groupPages == 0 || rows.upperBound == n) { closeGroup() }
        }
        var directory = PageDirectory(pageRows: rowsPerPage, pages: pages, pagesPerGroup: groupPages, groups: groups)
        let start = body.count
        directory.encode(type: column.type, into: &body)
        body.writeBytes(grouped ? groupBytes.bytes : pageBytes.bytes)
        let length = body.count - start
        let crc = body.bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        return BlockDescriptor(encoding: PageDirectory.encodingID, codec: 0, storedLength: length, rawLength: length,
                               nullCount: column.nullCount, stats: stats, checksum: CRC32C.mask(crc))
    }

    /// A page is stored compressed when that saves at least 1/32 of its raw payload.
    static let pageMinSaving = 32

    /// Rows `rows` of a fixed-width column (values copied; validity kept only when a row is null).
    private static func page(_ column: ColumnData, _ rows: Range<Int>) -> ColumnData {
        var validity: Bitmap?
        if let v = column.validity, v.popCount(in: rows) < rows.count {
            var b = Bitmap()
            b.append(contentsOf: v, range: rows)
            validity = b
        }
        switch column.storage {
        case .int64(let values): return ColumnData(type: column.type, storage: .int64(Array(values[rows])), validity: validity)
        case .float64(let values): return ColumnData(type: column.type, storage: .float64(Array(values[rows])), validity: validity)
        default: return column.slice(rows)
        }
    }

    /// The statistics of two consecutive pages together (format-spec §3.2): least min, greatest
    /// max (the earlier page's on ties, so a zero keeps the sign met first), NaN if either has one.
    static func merge(_ a: ColumnStats, _ b: ColumnStats) -> ColumnStats {
        func pick(_ x: StatValue?, _ y: StatValue?, _ yWins: (StatValue, StatValue) -> Bool) -> StatValue? {
            guard let x else { return y }
            guard let y else { return x }
            return yWins(x, y) ? y : x
        }
        let lower = pick(a.min, b.min) { x, y in
            switch (x, y) {
            case (.int(let p), .int(let q)): return q < p
            case (.float(let p), .float(let q)): return q < p
            default: return false
            }
        }
        let upper = pick(a.max, b.max) { x, y in
            switch (x, y) {
            case (.int(let p), .int(let q)): return q > p
            case (.float(let p), .float(let q)): return q > p
            default: return false
            }
        }
        return ColumnStats(min: lower, max: upper, hasNaN: a.hasNaN || b.hasNaN)
    }
}
