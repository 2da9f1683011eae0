import TapeFormat

/// Decoding of PAGED blocks (format-spec §5.5, format 1.4): only the pages holding the rows asked
/// for are decompressed and decoded, each straight into its place in the result.
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
        // The directory needs at most 10 bytes for page_rows and 56 bytes per page descriptor
        // (no checksum); copy no more than that for the cursor.
        var head = ByteReader(Array(stored.prefix(10)), baseOffset: offset)
        let pageRows = max(1, (try? head.readCount("page rows", limit: n)) ?? n)
        let pages = (n + pageRows - 1) / pageRows
        let prefix = min(stored.count, 10 + pages.multipliedReportingOverflow(by: 56).partialValue)
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
    /// page's validity to `validity` when it is non-nil.
    private func decodePages<T: BitwiseCopyable>(_ stored: UnsafeRawBufferPointer, _ dir: PageDirectory, _ pages: Range<Int>,
                                                 type: ColumnType, rowCount n: Int, cover: Range<Int>, offset: Int,
                                                 validity: inout Bitmap?) throws(FormatError) -> [T] {
        let offsets = dir.pageOffsets
        // One decompression buffer sized for all the pages together, as for a block that is not
        // paged: grown page by page instead, it left the allocator handing each chunk's result
        // arrays fresh pages (a 1M-row scan of one column: 7,900 page faults per 32 scans instead
        // of 1,240, and about 20% slower).
        scratch.removeAll()
        scratch.reserve(pages.reduce(0) { $0 + dir.pages[$1].rawLength })
        var bits = validity
        defer { validity = bits }
        return try Self.makeArray(cover.count) { (out: UnsafeMutablePointer<T>) throws(FormatError) in
            let slots = UnsafeMutableRawPointer(out).assumingMemoryBound(to: UInt64.self)
            for k in pages {
                let p = dir.pages[k]
                let rows = dir.rows(ofPage: k, rowCount: n)
                let at = offset + offsets[k]
                guard let encoding = Encoding(rawValue: p.encoding), encoding.supports(type) else {
                    throw .invalid(what: "page \(k) encoding", offset: at, reason: "encoding \(p.encoding) is not valid for \(type)")
                }
                let limit = RawLengthLimit.limit(type: type, rowCount: rows.count, codec: p.codec, storedLength: p.storedLength)
                guard p.rawLength <= limit else {
                    throw .outOfBounds(what: "page \(k) raw length", offset: at, value: UInt64(p.rawLength), limit: UInt64(limit))
                }
                let bytes = UnsafeRawBufferPointer(rebasing: stored[offsets[k]..<(offsets[k] + p.storedLength)])
                let raw = try decompress(bytes, descriptor: p, offset: at)
                var r = PayloadReader(raw, blockOffset: at, compressed: p.codec != 0)
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
}
