import TapeFormat

/// Decoding of PAGED blocks (format-spec §5.5, formats 1.4 and 1.5): only the pages (1.5: the
/// groups) holding the rows asked for are decompressed, and only those pages decoded, each
/// straight into its place in the result.
extension BlockDecoder {
    /// The page directory of the PAGED block `stored` (descriptor `d`, `n` rows, at file offset
    /// `offset`). Checks the block-level rules: a fixed-width type, codec none, and a directory
    /// whose pages add up to the block.
    public static func pageDirectory(_ stored: UnsafeRawBufferPointer, descriptor d: BlockDescriptor, type: ColumnType,
                                     rowCount n: Int, offset: Int) throws(FormatError) -> PageDirectory {
        guard type.hasInt64Storage || type == .float64 else {
            throw .invalid(what: "block encoding", offset: offset, reason: "encoding \(d.encoding) (paged) is not valid for \(type)")
        }
        guard d.codec == 0 else {
            throw .invalid(what: "paged block", offset: offset, reason: "codec \(d.codec): a paged block is stored uncompressed (its pages are compressed)")
        }
        guard n >= 1 else { throw .invalid(what: "paged block", offset: offset, reason: "no rows") }
        // The directory needs at most 1 byte of marker, 10 bytes each for page_rows and
        // group_pages, 56 bytes per page descriptor (no checksum) and 21 per group descriptor;
        // copy no more than that for the cursor.
        var head = ByteReader(Array(stored.prefix(11)), baseOffset: offset)
        if stored.first == 0 { _ = try? head.readU8("page directory marker") }
        let pageRows = max(1, (try? head.readCount("page rows", limit: n)) ?? n)
        let pages = (n + pageRows - 1) / pageRows
        let prefix = min(stored.count, 21 + pages.multipliedReportingOverflow(by: 77).partialValue)
        var r = ByteReader(Array(stored.prefix(max(0, prefix))), baseOffset: offset)
        return try PageDirectory(decoding: &r, type: type, rowCount: n, nullCount: d.nullCount, storedLength: d.storedLength)
    }

    /// Rows `rows` of the PAGED block `stored` (its checksum already checked).
    func decodePaged(_ stored: UnsafeRawBufferPointer, descriptor d: BlockDescriptor, type: ColumnType,
                     rowCount n: Int, offset: Int, rows: Range<Int>) throws(FormatError) -> ColumnData {
        let dir = try Self.pageDirectory(stored, descriptor: d, type: type, rowCount: n, offset: offset)
        let pages = dir.pages(covering: rows)
        guard !pages.isEmpty else { return ColumnData(type: type, storage: type == .float64 ? .float64([]) : .int64([])) }
        let cover = dir.rows(ofPage: pages.lowerBound, rowCount: n).lowerBound..<dir.rows(ofPage: pages.upperBound - 1, rowCount: n).upperBound
        var validity: Bitmap? = pages.contains { dir.pages[$0].nullCount > 0 } ? Bitmap() : nil
        let column: ColumnData
        if type == .float64 {
            let values: [Double] = try decodePages(stored, dir, pages, type: type, rowCount: n, cover: cover, offset: offset, validity: &validity)
            column = ColumnData(type: type, storage: .float64(values), validity: validity)
        } else {
            let values: [Int64] = try decodePages(stored, dir, pages, type: type, rowCount: n, cover: cover, offset: offset, validity: &validity)
            column = ColumnData(type: type, storage: .int64(values), validity: validity)
        }
        return cover == rows ? column : column.slice((rows.lowerBound - cover.lowerBound)..<(rows.upperBound - cover.lowerBound))
    }

    /// Decodes `pages` of `dir` (rows `cover`) into one array of 8-byte values, appending each
    /// page's validity to `validity` when it is non-nil. In the 1.5 form each group holding a
    /// needed page is decompressed once, and only the needed pages of it are decoded.
    private func decodePages<T: BitwiseCopyable>(_ stored: UnsafeRawBufferPointer, _ dir: PageDirectory, _ pages: Range<Int>,
                                                 type: ColumnType, rowCount n: Int, cover: Range<Int>, offset: Int,
                                                 validity: inout Bitmap?) throws(FormatError) -> [T] {
        let offsets = dir.pageOffsets
        let grouped = dir.pagesPerGroup > 0
        // One decompression buffer sized for all the pages (or groups) together, as for a block
        // that is not paged, although one group at a time is decompressed into it: grown piece by
        // piece (or sized for one group), it left the allocator handing each chunk's result arrays
        // fresh pages (a 1M-row scan of one column: 7,900 page faults per 32 scans instead of
        // 1,240, and about 20% slower; with groups, kernel time 7.5% → 13.7% of a `sum`).
        let groupRange = grouped ? (pages.lowerBound / dir.pagesPerGroup)..<((pages.upperBound - 1) / dir.pagesPerGroup + 1) : 0..<0
        scratch.removeAll()
        scratch.reserve(grouped ? groupRange.reduce(0) { $0 + dir.groups[$1].rawLength }
                                : pages.reduce(0) { $0 + dir.pages[$1].rawLength })
        var bits = validity
        defer { validity = bits }
        return try Self.makeArray(cover.count) { (out: UnsafeMutablePointer<T>) throws(FormatError) in
            let slots = UnsafeMutableRawPointer(out).assumingMemoryBound(to: UInt64.self)
            var group = -1                                             // the group now in `groupRaw`
            var groupRaw = UnsafeRawBufferPointer(start: nil, count: 0)
            var inGroup = 0                                            // offset of page k in it
            for k in pages {
                let p = dir.pages[k]
                let rows = dir.rows(ofPage: k, rowCount: n)
                let bytes: UnsafeRawBufferPointer
                let at: Int
                if grouped {
                    let g = k / dir.pagesPerGroup
                    if g != group {
                        groupRaw = try decompressGroup(stored, dir, g, from: offsets[g], type: type, rowCount: n, at: offset + offsets[g])
                        group = g
                        inGroup = dir.pages(ofGroup: g).prefix { $0 < k }.reduce(0) { $0 + dir.pages[$1].rawLength }
                    }
                    at = offset + offsets[g]
                    bytes = UnsafeRawBufferPointer(rebasing: groupRaw[inGroup..<(inGroup + p.rawLength)])
                    inGroup += p.rawLength
                } else {
                    at = offset + offsets[k]
                    try Self.checkPage(p, k, type: type, rows: rows.count, at: at)
                    bytes = UnsafeRawBufferPointer(rebasing: stored[offsets[k]..<(offsets[k] + p.storedLength)])
                }
                guard let encoding = Encoding(rawValue: p.encoding), encoding.supports(type) else {
                    throw .invalid(what: "page \(k) encoding", offset: at, reason: "encoding \(p.encoding) is not valid for \(type)")
                }
                let raw = grouped ? bytes : try decompress(bytes, descriptor: p, offset: at)
                var r = PayloadReader(raw, blockOffset: at, compressed: grouped ? dir.groups[group].codec != 0 : p.codec != 0)
                let pageValidity = try Self.readValidity(&r, rows: rows.count, nullCount: p.nullCount)
                try Self.decodeFixed(&r, encoding: encoding, type: type, rows: rows.count, dense: rows.count - p.nullCount,
                                     validity: pageValidity, into: slots + (rows.lowerBound - cover.lowerBound))
                if bits != nil {
                    if let pageValidity { bits!.append(contentsOf: pageValidity, range: 0..<rows.count) } else {
                        bits!.append(repeating: true, count: rows.count)
                    }
                }
            }
        }
    }

    /// Refuses page `k` (descriptor `p`, `rows` rows, stored at file offset `at`) when its raw
    /// length is more than a page of its rows can need (format-spec §7), before it is decompressed.
    private static func checkPage(_ p: BlockDescriptor, _ k: Int, type: ColumnType, rows: Int, at: Int) throws(FormatError) {
        let limit = RawLengthLimit.limit(type: type, rowCount: rows, codec: p.codec, storedLength: p.storedLength)
        guard p.rawLength <= limit else {
            throw .outOfBounds(what: "page \(k) raw length", offset: at, value: UInt64(p.rawLength), limit: UInt64(limit))
        }
    }

    /// The raw bytes of group `g` of `dir` (stored from `start` in `stored`, at file offset `at`): its stored bytes, or
    /// them decompressed into the scratch buffer. Checks each page's raw length and the group's
    /// (against its codec's expansion limit) before decompressing.
    private func decompressGroup(_ stored: UnsafeRawBufferPointer, _ dir: PageDirectory, _ g: Int, from start: Int, type: ColumnType,
                                 rowCount n: Int, at: Int) throws(FormatError) -> UnsafeRawBufferPointer {
        for k in dir.pages(ofGroup: g) {
            try Self.checkPage(dir.pages[k], k, type: type, rows: dir.rows(ofPage: k, rowCount: n).count, at: at)
        }
        let group = dir.groups[g]
        if group.codec == 1 && group.rawLength > group.storedLength * 255 + 64 {
            throw .outOfBounds(what: "group \(g) raw length", offset: at, value: UInt64(group.rawLength),
                               limit: UInt64(group.storedLength * 255 + 64))
        }
        let bytes = UnsafeRawBufferPointer(rebasing: stored[start..<(start + group.storedLength)])
        let d = BlockDescriptor(encoding: 0, codec: group.codec, storedLength: group.storedLength, rawLength: group.rawLength,
                                nullCount: 0, stats: .empty, checksum: nil)
        return try decompress(bytes, descriptor: d, offset: at)
    }
}
