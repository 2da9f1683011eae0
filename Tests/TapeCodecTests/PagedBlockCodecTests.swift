import Testing
import TapeCodec
import TapeFormat
import TapeTestSupport

/// PAGED blocks at the codec level (format-spec §5.5): round trips of every fixed-width type with
/// NULLs, row ranges, and a crafted directory that lies in each way a reader must catch, each
/// reported as a positioned `FormatError` (never a trap).
@Suite struct PagedBlockCodecTests {
    static func column(_ type: ColumnType, _ n: Int, nulls: Bool) -> ColumnData {
        var validity = Bitmap()
        for i in 0..<n { validity.append(!nulls || i % 7 != 3) }
        let storage: ColumnLayout = type == .float64
            ? .float64((0..<n).map { Double($0 % 500) / 4 - 30 })
            : .int64((0..<n).map { Int64($0) * 60 - Int64($0 % 11) })
        return ColumnData(type: type, storage: storage, validity: nulls ? validity : nil)
    }

    static func paged(_ c: ColumnData, rowsPerPage: Int, codec: Codec = .zstd(level: 1)) -> ([UInt8], BlockDescriptor) {
        var body = ByteWriter()
        let d = BlockEncoder(codec: codec, rowsPerPage: rowsPerPage).encode(c, into: &body)
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
        for codec in [Codec.none, .lz4, .zstd(level: 1)] {
            let (bytes, d) = Self.paged(c, rowsPerPage: 64, codec: codec)
            #expect(d.encoding == PageDirectory.encodingID && d.codec == 0 && d.nullCount == c.nullCount)
            expectSameRows(try decodeBlock(bytes, d, type: type, rows: n), c)
            for range in [0..<0, 0..<1, 63..<65, 64..<128, 999..<1000, 100..<900, 0..<1000] {
                let got: ColumnData = try bytes.withUnsafeBytes { buf throws(FormatError) in
                    try BlockDecoder().decode(buf, descriptor: d, type: type, rowCount: n, offset: 0, rows: range)
                }
                expectSameRows(got, c.slice(range))
            }
        }
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
        let (bytes, paged) = Self.paged(c, rowsPerPage: 4096, codec: .zstd(level: 3))
        let (_, whole) = encodeBlock(c, codec: .zstd(level: 3))
        let (dir, _) = try Self.split(bytes, paged, type: .float64, rows: n)
        #expect(dir.pages.allSatisfy { $0.codec == 2 })
        #expect(paged.storedLength < whole.storedLength + whole.storedLength / 12, "\(paged.storedLength) vs \(whole.storedLength)")
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
        let (bytes, d) = Self.paged(c, rowsPerPage: 100, codec: .none)
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

    @Test("thousands of random byte edits of a paged block's directory give errors or the original rows, never a trap")
    func mutatedDirectories() throws {
        let n = 500
        let c = Self.column(.float64, n, nulls: true)
        let (bytes, d) = Self.paged(c, rowsPerPage: 64, codec: .none)
        let (dir, _) = try Self.split(bytes, d, type: .float64, rows: n)
        var g = SplitMix64(seed: 10)
        for _ in 0..<3000 {
            var m = bytes
            let at = Int(g.next() % UInt64(dir.byteCount + 16))
            m[at] = UInt8(truncatingIfNeeded: g.next())
            let crc = m.withUnsafeBytes { CRC32C.mask(CRC32C.checksum($0)) }
            var md = d
            md.checksum = crc
            if let got = try? decodeBlock(m, md, type: .float64, rows: n) { #expect(got.count == n) }
        }
    }
}
