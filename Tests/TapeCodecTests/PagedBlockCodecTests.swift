import Testing
import TapeCodec
import TapeFormat
import TapeTestSupport

/// PAGED blocks at the codec level (format-spec §5.5), in both forms (1.4: each page compressed on
/// its own; 1.5: pages compressed in groups): round trips of every fixed-width type with NULLs,
/// row ranges, and a crafted directory that lies in each way a reader must catch, each reported as
/// a positioned `FormatError` (never a trap).
@Suite struct PagedBlockCodecTests {
    static func column(_ type: ColumnType, _ n: Int, nulls: Bool) -> ColumnData {
        var validity = Bitmap()
        for i in 0..<n { validity.append(!nulls || i % 7 != 3) }
        let storage: ColumnLayout = type == .float64
            ? .float64((0..<n).map { Double($0 % 500) / 4 - 30 })
            : .int64((0..<n).map { Int64($0) * 60 - Int64($0 % 11) })
        return ColumnData(type: type, storage: storage, validity: nulls ? validity : nil)
    }

    static func paged(_ c: ColumnData, rowsPerPage: Int, codec: Codec = .zstd(level: 1),
                      pagesPerGroup: Int = BlockEncoder.defaultPagesPerGroup) -> ([UInt8], BlockDescriptor) {
        var body = ByteWriter()
        let d = BlockEncoder(codec: codec, rowsPerPage: rowsPerPage, pagesPerGroup: pagesPerGroup).encode(c, into: &body)
        return (body.bytes, d)
    }

    /// The directory and page bytes of a PAGED block.
    static func split(_ bytes: [UInt8], _ d: BlockDescriptor, type: ColumnType, rows: Int) throws -> (PageDirectory, [UInt8]) {
        var r = ByteReader(bytes)
        let dir = try PageDirectory(decoding: &r, type: type, rowCount: rows, nullCount: d.nullCount, storedLength: d.storedLength)
        return (dir, Array(bytes[dir.byteCount...]))
    }

    /// A PAGED block made of `dir` and `pages` as given, with a correct block checksum.
    static func assemble(_ dir: PageDirectory, _ pages: [UInt8], type: ColumnType, nullCount: Int) -> ([UInt8], BlockDescriptor) {
        var d = dir
        var w = ByteWriter()
        d.encode(type: type, into: &w)
        w.writeBytes(pages)
        let crc = w.bytes.withUnsafeBytes { CRC32C.mask(CRC32C.checksum($0)) }
        return (w.bytes, BlockDescriptor(encoding: PageDirectory.encodingID, codec: 0, storedLength: w.count, rawLength: w.count,
                                         nullCount: nullCount, stats: .empty, checksum: crc))
    }

    @Test("paged blocks round-trip whole and by row range", arguments: [ColumnType.int64, .timestamp, .duration, .float64], [false, true])
    func roundTrip(type: ColumnType, nulls: Bool) throws {
        let n = 1000
        let c = Self.column(type, n, nulls: nulls)
        for codec in [Codec.none, .lz4, .zstd(level: 1)] { for groupPages in [0, 1, 3, 4, 16, 100] {
            let (bytes, d) = Self.paged(c, rowsPerPage: 64, codec: codec, pagesPerGroup: groupPages)
            #expect(d.encoding == PageDirectory.encodingID && d.codec == 0 && d.nullCount == c.nullCount)
            let (dir, _) = try Self.split(bytes, d, type: type, rows: n)
            #expect(dir.pagesPerGroup == min(groupPages, 16))
            #expect(dir.groups.count == (groupPages == 0 ? 0 : (16 + min(groupPages, 16) - 1) / min(groupPages, 16)))
            expectSameRows(try decodeBlock(bytes, d, type: type, rows: n), c)
            for range in [0..<0, 0..<1, 63..<65, 64..<128, 999..<1000, 100..<900, 0..<1000] {
                let got: ColumnData = try bytes.withUnsafeBytes { buf throws(FormatError) in
                    try BlockDecoder().decode(buf, descriptor: d, type: type, rowCount: n, offset: 0, rows: range)
                }
                expectSameRows(got, c.slice(range))
            }
        } }
    }

    @Test func blockStatisticsAreTheMergeOfThePages() throws {
        let c = Self.column(.float64, 777, nulls: true)
        let (_, paged) = Self.paged(c, rowsPerPage: 50)
        let (_, whole) = encodeBlock(c)
        #expect(paged.stats == whole.stats)
    }

    @Test("pages of near-random floats stay compressed and cost little more than a whole block")
    func noisyFloatPagesStayCompressed() throws {
        var g = SplitMix64(seed: 9)
        let n = 65_536
        let c = ColumnData(type: .float64, storage: .float64((0..<n).map { _ in Double(g.next() % 1_000_000) / 7 + 100 }))
        let (_, whole) = encodeBlock(c, codec: .zstd(level: 3))
        let (bytes, paged) = Self.paged(c, rowsPerPage: 4096, codec: .zstd(level: 3), pagesPerGroup: 0)
        let (dir, _) = try Self.split(bytes, paged, type: .float64, rows: n)
        #expect(dir.pages.allSatisfy { $0.codec == 2 })
        #expect(paged.storedLength < whole.storedLength + whole.storedLength / 12, "\(paged.storedLength) vs \(whole.storedLength)")
        // Grouped (1.5): 16,384-row frames come within 1/50 of the whole block.
        let (groupedBytes, grouped) = Self.paged(c, rowsPerPage: 4096, codec: .zstd(level: 3))
        let (groupedDir, _) = try Self.split(groupedBytes, grouped, type: .float64, rows: n)
        #expect(groupedDir.groups.count == 4 && groupedDir.groups.allSatisfy { $0.codec == 2 } && groupedDir.pages.allSatisfy { $0.codec == 0 })
        #expect(grouped.storedLength < whole.storedLength + whole.storedLength / 50, "\(grouped.storedLength) vs \(whole.storedLength)")
    }

    @Test("an all-null first page does not choose the encoding of the pages after it")
    func leadingNullPageDoesNotForcePlain() throws {
        let n = 640
        var validity = Bitmap()
        for i in 0..<n { validity.append(i >= 100) }
        let c = ColumnData(type: .timestamp, storage: .int64((0..<n).map { Int64($0) * 60_000_000_000 }), validity: validity)
        let (bytes, d) = Self.paged(c, rowsPerPage: 64, codec: .none)
        let (dir, _) = try Self.split(bytes, d, type: .timestamp, rows: n)
        #expect(dir.pages[0].encoding == Encoding.plain.rawValue)
        #expect(dir.pages[2...].allSatisfy { $0.encoding == Encoding.delta.rawValue })
        expectSameRows(try decodeBlock(bytes, d, type: .timestamp, rows: n), c)
    }

    @Test func shortBlocksAndOtherTypesAreNotPaged() {
        #expect(Self.paged(Self.column(.int64, 64, nulls: false), rowsPerPage: 64).1.encoding != PageDirectory.encodingID)
        var body = ByteWriter()
        let bools = ColumnData(type: .bool, storage: .bool(Bitmap(count: 500, value: true)))
        #expect(BlockEncoder(codec: .none, rowsPerPage: 10).encode(bools, into: &body).encoding == 0)
    }

    /// Each lie of a crafted directory gives the named error at the block's offset (1000).
    @Test func craftedDirectoriesGivePositionedErrors() throws {
        let n = 300
        let c = Self.column(.int64, n, nulls: true)
        let (bytes, d) = Self.paged(c, rowsPerPage: 100, codec: .none, pagesPerGroup: 0)
        let (dir, pages) = try Self.split(bytes, d, type: .int64, rows: n)

        func failure(_ dir: PageDirectory, _ pages: [UInt8], nullCount: Int? = nil, type: ColumnType = .int64) -> FormatError? {
            let (b, bd) = Self.assemble(dir, pages, type: .int64, nullCount: nullCount ?? d.nullCount)
            do { _ = try decodeBlock(b, bd, type: type, rows: n); return nil } catch { return error }
        }
        func describe(_ e: FormatError?) -> String { e.map { "\($0)" } ?? "no error" }

        // Null counts that do not add up to the block's.
        var e = failure(dir, pages, nullCount: d.nullCount + 1)
        #expect(describe(e).contains("page directory") && describe(e).contains("nulls"), "\(describe(e))")
        // A page longer than the bytes that follow.
        var longer = dir
        longer.pages[1].storedLength += 5
        longer.pages[1].rawLength += 5
        e = failure(longer, pages)
        #expect(describe(e).contains("do not fill"), "\(describe(e))")
        // A page raw length past what its rows can need (decompression bomb).
        var bomb = dir
        bomb.pages[0].codec = 2
        bomb.pages[0].rawLength = 1 << 29
        e = failure(bomb, pages)
        #expect(describe(e).contains("page 0 raw length"), "\(describe(e))")
        // A page that is itself PAGED, and one with its own checksum.
        var nested = dir
        nested.pages[2].encoding = PageDirectory.encodingID
        #expect(describe(failure(nested, pages)).contains("cannot itself be paged"))
        var summed = dir
        summed.pages[2].checksum = 1
        #expect(describe(failure(summed, pages)).contains("checksum"))
        // An encoding the type does not allow, inside a page.
        var wrong = dir
        wrong.pages[1].encoding = 4
        #expect(describe(failure(wrong, pages)).contains("page 1 encoding"))
        // A PAGED block of a type that cannot be paged.
        #expect(describe(failure(dir, pages, type: .bool)).contains("paged"))
        // Page bytes damaged under a correct block checksum: the page decoder reports its place.
        var damaged = pages
        damaged[0] ^= 0xFF
        e = failure(dir, damaged)
        if case .invalid(_, let offset, _)? = e { #expect(offset >= 1000) } else if case .outOfBounds(_, let offset, _, _)? = e {
            #expect(offset >= 1000)
        } else { #expect(e != nil) }
        // page_rows of 1 claiming more pages than the bytes can describe.
        var tiny = ByteWriter()
        tiny.writeVarint(1)
        tiny.writeBytes([0, 0, 0, 0])
        let crc = tiny.bytes.withUnsafeBytes { CRC32C.mask(CRC32C.checksum($0)) }
        let td = BlockDescriptor(encoding: PageDirectory.encodingID, codec: 0, storedLength: tiny.count, rawLength: tiny.count,
                                 nullCount: 0, stats: .empty, checksum: crc)
        #expect(throws: FormatError.self) { try decodeBlock(tiny.bytes, td, type: .int64, rows: 1_000_000) }
        // A flipped byte anywhere is caught by the block checksum first.
        var flipped = bytes
        flipped[3] ^= 1
        #expect(throws: FormatError.self) { try decodeBlock(flipped, d, type: .int64, rows: n) }
    }

    /// Each lie of a crafted 1.5 (grouped) directory gives the named error, positioned in the block
    /// (at offset 1000), whether the whole block or one row range is read.
    @Test func craftedGroupDirectoriesGivePositionedErrors() throws {
        let n = 3000
        let c = Self.column(.int64, n, nulls: true)
        let (bytes, d) = Self.paged(c, rowsPerPage: 500, codec: .zstd(level: 1), pagesPerGroup: 4)
        let (dir, groups) = try Self.split(bytes, d, type: .int64, rows: n)
        #expect(dir.pagesPerGroup == 4 && dir.groups.count == 2 && dir.groups[0].codec == 2)

        func failure(_ dir: PageDirectory, _ groups: [UInt8], rows: Range<Int> = 0..<3000) -> String {
            let (b, bd) = Self.assemble(dir, groups, type: .int64, nullCount: d.nullCount)
            do {
                _ = try b.withUnsafeBytes { buf throws(FormatError) in
                    try BlockDecoder().decode(buf, descriptor: bd, type: .int64, rowCount: n, offset: 1000, rows: rows)
                }
                return "no error"
            } catch let error as FormatError {
                if case .invalid(_, let at, _) = error { #expect(at >= 1000, "\(error)") }
                if case .outOfBounds(_, let at, _, _) = error { #expect(at >= 1000, "\(error)") }
                return "\(error)"
            } catch {
                return "\(error)"
            }
        }
        var e: String
        // A group's raw length that is not the sum of its pages'.
        var raw = dir
        raw.groups[1].rawLength += 1
        e = failure(raw, groups)
        #expect(e.contains("group 1 descriptor") && e.contains("not its pages'"), "\(e)")
        // An unknown group codec.
        var codec = dir
        codec.groups[0].codec = 7
        e = failure(codec, groups)
        #expect(e.contains("group 0 codec"), "\(e)")
        // A page of a group that claims its own compression.
        var pageCodec = dir
        pageCodec.pages[5].codec = 2
        e = failure(pageCodec, groups)
        #expect(e.contains("page 5 descriptor") && e.contains("stored raw"), "\(e)")
        // Group stored lengths that do not fill the block.
        var longer = dir
        longer.groups[0].storedLength += 3
        e = failure(longer, groups)
        #expect(e.contains("do not fill"), "\(e)")
        // group_pages 0.
        var w = ByteWriter()
        w.writeU8(0)
        w.writeVarint(500)
        w.writeVarint(0)
        var rest = ByteWriter()
        var plain = dir
        plain.encode(type: .int64, into: &rest)
        w.writeBytes(rest.bytes[4...])   // marker, page_rows 500 (2 bytes), group_pages
        w.writeBytes(groups)
        let crc = w.bytes.withUnsafeBytes { CRC32C.mask(CRC32C.checksum($0)) }
        let zd = BlockDescriptor(encoding: PageDirectory.encodingID, codec: 0, storedLength: w.count, rawLength: w.count,
                                 nullCount: d.nullCount, stats: .empty, checksum: crc)
        #expect(throws: FormatError.self) { try decodeBlock(w.bytes, zd, type: .int64, rows: n) }
        // A page raw length past what its rows can need (the group's raw length agreeing): refused
        // before the group is decompressed.
        var bomb = dir
        bomb.pages[0].rawLength = 1 << 29
        bomb.pages[0].storedLength = 1 << 29
        bomb.groups[0].rawLength = dir.pages[0..<4].reduce(0) { $0 + $1.rawLength } - dir.pages[0].rawLength + (1 << 29)
        e = failure(bomb, groups, rows: 0..<10)
        #expect(e.contains("page 0 raw length"), "\(e)")
        // A zstd group relabelled lz4, and damaged group bytes under a correct block checksum.
        var lz4 = dir
        lz4.groups[1].codec = 1
        #expect(failure(lz4, groups, rows: 2500..<2510).contains("lz4"))
        var damaged = groups
        damaged[damaged.count / 2] ^= 0x5A
        _ = failure(dir, damaged)   // an error or wrong rows, never a trap
        // An untouched slice of the first group still reads when the second group is damaged.
        var tail = groups
        tail[tail.count - 2] ^= 0x5A
        #expect(failure(dir, tail, rows: 0..<1500) == "no error")
    }

    @Test("thousands of random byte edits of a paged block's directory give errors or the original rows, never a trap",
          arguments: [0, 2])
    func mutatedDirectories(pagesPerGroup: Int) throws {
        let n = 500
        let c = Self.column(.float64, n, nulls: true)
        for codec in [Codec.none, .lz4, .zstd(level: 1)] {
            let (bytes, d) = Self.paged(c, rowsPerPage: 64, codec: codec, pagesPerGroup: pagesPerGroup)
            let (dir, _) = try Self.split(bytes, d, type: .float64, rows: n)
            var g = SplitMix64(seed: 10)
            for _ in 0..<2000 {
                var m = bytes
                let at = Int(g.next() % UInt64(min(bytes.count, dir.byteCount + 16)))
                m[at] = UInt8(truncatingIfNeeded: g.next())
                let crc = m.withUnsafeBytes { CRC32C.mask(CRC32C.checksum($0)) }
                var md = d
                md.checksum = crc
                if let got = try? decodeBlock(m, md, type: .float64, rows: n) { #expect(got.count == n) }
                for range in [0..<1, 130..<300] {
                    let part: ColumnData? = try? m.withUnsafeBytes { buf throws(FormatError) in
                        try BlockDecoder().decode(buf, descriptor: md, type: .float64, rowCount: n, offset: 0, rows: range)
                    }
                    if let part { #expect(part.count == range.count) }
                }
            }
        }
    }
}
