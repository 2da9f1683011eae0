import Foundation
import Tape
import TapeTestSupport

/// The conformance corpus (Tests/Conformance): small hand-made files, each exercising one rule of
/// format-spec.md, with the outcome the spec requires. `ConformanceTests` checks that the committed
/// manifest is what this list says and runs Tape's reader over the committed files;
/// `TAPE_WRITE_CONFORMANCE=1 swift test --filter ConformanceTests` rewrites files and manifest.
///
/// Expected outcomes are written here by hand from the spec, never taken from Tape's reader.
struct ConformanceCase: Sendable {
    /// File name without extension.
    var name: String
    /// The spec section the case exercises.
    var rule: String
    var about: String
    var bytes: [UInt8]
    /// "ok", or the error kind a reader of the sealed file (reading every block, checking every
    /// CRC) must report: bad-magic, unsupported-version, checksum, out-of-bounds, invalid,
    /// truncated, unsealed.
    var read: String
    /// The rows of every table when `read == "ok"`: table → (column names, rows).
    var tables: [String: (columns: [String], rows: [[Value]])] = [:]
    /// "ok" or "fail": whether a full verification (§3.2 statistics included) passes. Only when
    /// `read == "ok"`.
    var verify: String? = nil
    /// Rows per table a recovery scan (§4) keeps, for unsealed files.
    var recover: [String: Int]? = nil
}

typealias Col = CraftedFile.Column

/// A column of `type` holding `values` (`.null` for null).
func column(_ type: ColumnType, _ values: [Value]) -> ColumnData {
    var validity = Bitmap()
    for v in values { validity.append(!v.isNull) }
    let hasNull = values.contains { $0.isNull }
    let storage: ColumnLayout
    switch type {
    case .int64, .timestamp, .duration:
        storage = .int64(values.map { if case .int(let x) = $0 { return x }; if case .timestamp(let x) = $0 { return x }; return 0 })
    case .float64: storage = .float64(values.map { if case .double(let x) = $0 { return x }; return 0 })
    case .bool: storage = .bool(Bitmap(values.map { $0 == .bool(true) }))
    case .string: storage = .strings(((try? StringArray(values.map { if case .string(let s) = $0 { return s }; return "" })) ?? StringArray()))
    }
    return ColumnData(type: type, storage: storage, validity: hasNull ? validity : nil)
}

enum ConformanceCorpus {
    /// `cases()`, built once per test process.
    static let cached: Result<[ConformanceCase], Error> = Result { try cases() }

    static func cases() throws -> [ConformanceCase] {
        var out: [ConformanceCase] = []
        func valid(_ name: String, _ rule: String, _ about: String, _ f: CraftedFile,
                   _ tables: [String: (columns: [String], rows: [[Value]])], verify: String = "ok") {
            out.append(ConformanceCase(name: name, rule: rule, about: about, bytes: f.bytes, read: "ok", tables: tables, verify: verify))
        }
        func invalid(_ name: String, _ rule: String, _ about: String, _ bytes: [UInt8], _ kind: String) {
            out.append(ConformanceCase(name: name, rule: rule, about: about, bytes: bytes, read: kind))
        }
        func unsealed(_ name: String, _ rule: String, _ about: String, _ bytes: [UInt8], _ kept: [String: Int]) {
            out.append(ConformanceCase(name: name, rule: rule, about: about, bytes: bytes, read: "unsealed", recover: kept))
        }
        let x = [Col("x", .int64, nullable: false)]
        let xs: [Value] = [.int(1), .int(2), .int(3)]

        // MARK: valid files
        var f = CraftedFile()
        f.chunk("t", x, [column(.int64, xs)])
        f.seal()
        valid("valid-minimal", "§3", "one table, one non-null int64 column, three rows, PLAIN, no compression",
              f, ["t": (["x"], xs.map { [$0] })])

        let typed = [Col("i", .int64), Col("f", .float64), Col("ts", .timestamp), Col("b", .bool), Col("s", .string)]
        let rows: [[Value]] = [
            [.int(-5), .double(1.5), .timestamp(1_700_000_000_000_000_000), .bool(true), .string("a")],
            [.null, .null, .null, .null, .null],
            [.int(Int64.max), .double(-0.0), .timestamp(-1), .bool(false), .string("\u{e9}t\u{e9}")],
            [.int(Int64.min), .double(.infinity), .timestamp(0), .null, .string("")],
        ]
        func columns(_ cols: [Col], _ rows: [[Value]]) -> [ColumnData] {
            cols.indices.map { i in column(cols[i].type, rows.map { $0[i] }) }
        }
        f = CraftedFile()
        f.chunk("t", typed, columns(typed, rows), encodings: [.plain, .plain, .plain, .plain, .plain])
        f.seal()
        valid("valid-types-nulls", "§3.1, §3.3, §5.0", "every type, PLAIN, with a null row (validity bitmap)",
              f, ["t": (typed.map(\.name), rows)])

        let steps: [Value] = (0..<1100).map { k in .int(1_000 + Int64(k) * 60 + (k % 97 == 0 ? 1_000_000_007 : 0)) }
        f = CraftedFile()
        f.chunk("t", x, [column(.int64, steps)], encodings: [.delta])
        f.seal()
        valid("valid-delta", "§5.1", "DELTA over two miniblocks (1024 + 75 deltas) with exceptions",
              f, ["t": (["x"], steps.map { [$0] })])

        let prices: [Value] = [1.25, 100.1, -3.5, 0.1, 737.55, 1e15].map { .double($0) }
        let p = [Col("p", .float64)]
        f = CraftedFile()
        f.chunk("t", p, [column(.float64, prices)], encodings: [.decimal])
        f.seal()
        valid("valid-decimal", "§5.2", "DECIMAL (exponent 2)", f, ["t": (["p"], prices.map { [$0] })])

        let bits: [Value] = [3.14159, -2.5e-300, .nan, 1e308, 0.0].map { .double($0) }
        f = CraftedFile()
        f.chunk("t", p, [column(.float64, bits)], encodings: [.byteStreamSplit])
        f.seal()
        valid("valid-byte-stream-split", "§5.3, §3.2", "BYTE_STREAM_SPLIT with a NaN (stats exclude it, NaN flag set)",
              f, ["t": (["p"], bits.map { [$0] })])

        let syms: [Value] = ["AAPL", "MSFT", "AAPL", nil, "GOOG", "AAPL"].map { $0.map(Value.string) ?? .null }
        let s = [Col("sym", .string)]
        f = CraftedFile()
        f.chunk("t", s, [column(.string, syms)], encodings: [.dictionary])
        f.seal()
        valid("valid-dictionary", "§5.4", "DICTIONARY strings with a null", f, ["t": (["sym"], syms.map { [$0] })])

        for (codec, name) in [(Codec.lz4, "lz4"), (.zstd(level: 3), "zstd")] {
            let many: [Value] = (0..<500).map { .int(Int64($0 % 7)) }
            f = CraftedFile()
            f.chunk("t", x, [column(.int64, many)], codec: codec, encodings: [.plain])
            f.seal()
            valid("valid-\(name)", "§3.3", "a \(name)-compressed PLAIN block", f, ["t": (["x"], many.map { [$0] })])
        }

        let eq = [Col("ts", .timestamp, nullable: false), Col("equity", .float64)]
        let tr = [Col("qty", .int64)]
        f = CraftedFile()
        f.metadata([("strategy", "sma")])
        f.chunk("equity", eq, columns(eq, [[.timestamp(1), .double(100)], [.timestamp(2), .double(101)]]))
        f.chunk("trades", tr, [column(.int64, [.int(5)])])
        f.chunk("equity", eq, columns(eq, [[.timestamp(3), .double(99.5)]]))
        f.emptyTables = [("orders", [Col("id", .int64)])]
        f.seal(metadata: [("strategy", "sma")], sections: [(99, [1, 2, 3])])
        valid("valid-interleaved", "§2, §3.4, §6", "two tables in interleaved chunks, a declared table without chunks, a metadata frame, an unknown footer section",
              f, ["equity": (["ts", "equity"], [[.timestamp(1), .double(100)], [.timestamp(2), .double(101)], [.timestamp(3), .double(99.5)]]),
                  "trades": (["qty"], [[.int(5)]]), "orders": (["id"], [])])

        f = CraftedFile(minor: 0)
        f.chunk("t", x, [column(.int64, xs)], checksums: false)
        f.seal(minor: 0)
        valid("valid-format-1.0", "§2.1", "a 1.0 file: minor version 0, no block checksums", f, ["t": (["x"], xs.map { [$0] })])

        f = CraftedFile()
        f.chunk("t", x, [column(.int64, xs)])
        f.seal(minor: 0)
        valid("valid-trailer-minor-differs", "§2.2", "header 1.1, trailer 1.0: the header's minor version governs; the file reads",
              f, ["t": (["x"], xs.map { [$0] })])

        f = CraftedFile(minor: 7)
        f.chunk("t", x, [column(.int64, xs)])
        f.seal(minor: 7)
        valid("valid-future-minor", "§2.1", "version 1.7 using only 1.1 features: readers may read a higher minor version",
              f, ["t": (["x"], xs.map { [$0] })])

        // Validity 0b1111_0101 for 3 rows: rows 0 and 2 valid, padding bits 3..7 set (MUST be ignored).
        var pd = BlockDescriptor(encoding: 0, codec: 0, storedLength: 17, rawLength: 17, nullCount: 1,
                                 stats: ColumnStats(min: .int(7), max: .int(9)))
        var pad = ByteWriter()
        pad.writeU8(0b1111_0101)
        pad.writeI64(7)
        pad.writeI64(9)
        pd.checksum = pad.bytes.withUnsafeBytes { CRC32C.mask(CRC32C.checksum($0)) }
        f = CraftedFile()
        f.rawChunk("t", [Col("x", .int64)], rowCount: 3, blocks: [pd], body: pad.bytes)
        f.seal()
        valid("valid-padding-bits", "§1", "a validity bitmap whose padding bits are set: readers ignore them",
              f, ["t": (["x"], [[.int(7)], [.null], [.int(9)]])])

        let zeros: [Value] = [.double(0.0), .double(1.0)]
        f = CraftedFile()
        f.chunk("t", p, [column(.float64, zeros)], encodings: [.plain]) { $0[0].stats.min = .float(-0.0) }
        f.seal()
        valid("valid-negative-zero-min", "§3.2", "min stored as -0.0 over data whose minimum is +0.0: the same value",
              f, ["t": (["p"], zeros.map { [$0] })])

        let long = String(repeating: "\u{e9}", count: 40)   // 80 bytes: min cut to 64 bytes, max dropped
        let strs: [Value] = [.string(long), .string(long + "z")]
        f = CraftedFile()
        f.chunk("t", s, [column(.string, strs)], encodings: [.plain])
        f.seal()
        valid("valid-long-strings", "§3.2", "string extremes over 64 bytes: min cut at a character boundary, max absent",
              f, ["t": (["sym"], strs.map { [$0] })])

        // A PAGED block (format 1.4): 300 rows in pages of 64 (the last of 44), each page its own
        // encoding and zstd frame (or stored), with its own statistics; a null in the third page.
        let pagedCols = [Col("ts", .timestamp, nullable: false), Col("px", .float64)]
        func pagedRow(_ k: Int) -> [Value] {
            let ts = Value.timestamp(1_700_000_000_000_000_000 + Int64(k) * 60_000_000_000)
            let px: Value = k == 150 ? .null : .double(Double(10_000 + (k * 37) % 101) / 100)
            return [ts, px]
        }
        let pagedRows = (0..<300).map(pagedRow)
        f = CraftedFile(minor: 4)
        f.chunk("t", pagedCols, columns(pagedCols, pagedRows), codec: .zstd(level: 3), rowsPerPage: 64)
        f.seal(minor: 4)
        valid("valid-paged", "§5.5", "format 1.4: a timestamp and a float64 column of 300 rows, each a PAGED block of 64-row pages, a null in page 2",
              f, ["t": (["ts", "px"], pagedRows)])

        /// A file of format 1.`minor` whose one chunk holds the ts column of `pagedRows` as
        /// `encoder` writes it, its block bytes then changed by `patch` (block CRC recomputed).
        func patchedPagedFile(_ encoder: BlockEncoder, minor: UInt16, _ patch: (inout [UInt8]) -> Void) -> [UInt8] {
            var body = ByteWriter()
            var block = encoder.encode(column(.timestamp, pagedRows.map { $0[0] }), encoding: .delta, into: &body)
            var bytes = body.bytes
            patch(&bytes)
            block.checksum = bytes.withUnsafeBytes { CRC32C.mask(CRC32C.checksum($0)) }
            var file = CraftedFile(minor: minor)
            file.rawChunk("t", [pagedCols[0]], rowCount: 300, blocks: [block], body: bytes)
            file.seal(minor: minor)
            return file.bytes
        }

        // The same ts column with page_rows changed 64 → 128: the page count no longer matches
        // the descriptors and bytes that follow.
        let pageRowsLie = patchedPagedFile(BlockEncoder(codec: .none, rowsPerPage: 64, pagesPerGroup: 0), minor: 4) { $0[0] = 128 }
        invalid("paged-page-rows-lie", "§5.5", "a PAGED block whose page_rows (128) does not match its 5 page descriptors", pageRowsLie, "invalid")

        // Format 1.5: the same rows, pages compressed in groups of 2 (3 groups: 2 + 2 + 1 pages).
        f = CraftedFile(minor: 5)
        f.chunk("t", pagedCols, columns(pagedCols, pagedRows), codec: .zstd(level: 3), rowsPerPage: 64, pagesPerGroup: 2)
        f.seal(minor: 5)
        valid("valid-paged-groups", "§5.5", "format 1.5: the valid-paged rows, each PAGED block's 5 pages compressed in groups of 2 (marker 0, group_pages 2, 3 group descriptors)",
              f, ["t": (["ts", "px"], pagedRows)])

        // The grouped ts column with group_pages changed 2 → 3: group 0 then holds pages 0–2,
        // whose raw lengths do not add up to its descriptor's raw_length.
        let groupPagesLie = patchedPagedFile(BlockEncoder(codec: .zstd(level: 3), rowsPerPage: 64, pagesPerGroup: 2), minor: 5) { bytes in
            precondition(bytes[0] == 0 && bytes[1] == 64 && bytes[2] == 2, "grouped directory layout")
            bytes[2] = 3
        }
        invalid("paged-group-pages-lie", "§5.5", "a 1.5 PAGED block whose group_pages (3) does not match its group descriptors (written for 2)", groupPagesLie, "invalid")

        // MARK: statistics that lie (read succeeds, verification fails)
        let neg: [Value] = [.int(-50), .int(2000)]
        f = CraftedFile()
        f.chunk("t", x, [column(.int64, neg)]) { $0[0].stats.min = .int(1000) }
        f.seal()
        valid("stats-min-lie", "§3.2", "the block claims min 1000 over data holding -50", f, ["t": (["x"], neg.map { [$0] })], verify: "fail")

        let nan: [Value] = [.double(1.0), .double(.nan), .double(0.5)]
        f = CraftedFile()
        f.chunk("t", p, [column(.float64, nan)], encodings: [.plain]) { $0[0].stats.hasNaN = false }
        f.seal()
        valid("stats-nan-flag-lie", "§3.2", "a NaN in the data but stats_flags bit 1 clear", f, ["t": (["p"], nan.map { [$0] })], verify: "fail")

        // MARK: unsealed files (§4)
        func twoChunks() -> CraftedFile {
            var g = CraftedFile()
            g.chunk("t", x, [column(.int64, [.int(1), .int(2)])])
            g.chunk("t", x, [column(.int64, [.int(3)])])
            return g
        }
        f = twoChunks()
        var torn = f.bytes
        var g = CraftedFile()
        g.chunk("t", x, rowStart: 3, [column(.int64, [.int(4)])])
        torn += g.bytes[16..<(16 + (g.bytes.count - 16) / 2)]
        unsealed("unsealed-torn-tail", "§4", "two chunks, then half a frame: the torn tail is dropped", torn, ["t": 3])

        f = twoChunks()
        f.chunk("t", x, rowStart: 7, [column(.int64, [.int(8)])])
        f.chunk("t", x, rowStart: 3, [column(.int64, [.int(4)])])
        unsealed("unsealed-row-gap", "§4", "a chunk whose row_start does not continue its table ends the scan, even though a later chunk would",
                 f.bytes, ["t": 3])

        f = CraftedFile()
        f.chunk("t", x, [column(.int64, [.int(1)])])
        let mid = f.chunk("t", x, [column(.int64, [.int(2)])])
        f.chunk("t", x, [column(.int64, [.int(3)])])
        var bad = f.bytes
        bad[mid.frameOffset + mid.frameLength - 1] ^= 0xFF
        unsealed("unsealed-middle-crc", "§4", "the middle frame's CRC fails: the scan ends there, the valid later frame is not kept",
                 bad, ["t": 1])

        f = twoChunks()
        unsealed("unsealed-footer-magic", "§4", "a footer magic met while scanning (no trailer) ends the scan",
                 f.bytes + Footer.magic + [0, 0, 0], ["t": 3])

        // MARK: invalid files
        f = CraftedFile()
        f.chunk("t", x, [column(.int64, xs)])
        f.seal()
        let good = f.bytes
        var b = good; b[1] = 0x55
        invalid("bad-header-magic", "§2.1", "the file magic is wrong", b, "bad-magic")
        b = good; b[8] = 2
        invalid("header-major-2", "§2.1", "header major version 2", b, "unsupported-version")
        b = good; b[12] = 1
        invalid("header-flags", "§2.1", "an unknown header flag bit", b, "invalid")
        f = CraftedFile()
        f.chunk("t", x, [column(.int64, xs)])
        f.seal(major: 2)
        invalid("trailer-major-2", "§2.2", "header says 1.1, trailer says 2.1: the file is unsupported, not unsealed (recovery refuses it)",
                f.bytes, "unsupported-version")
        b = good; b[b.count - 32 + 16] ^= 0xFF
        invalid("footer-crc", "§2.2", "the footer CRC in the trailer does not hold", b, "checksum")
        b = good; b[b.count - 32] = 8
        invalid("trailer-footer-offset", "§2.2", "footer_offset 8 lies inside the file header", b, "out-of-bounds")
        let c0 = f.chunks[0]
        b = good; b[c0.frameOffset + c0.frameLength - 1] ^= 0xFF
        invalid("chunk-crc", "§3, §4", "a chunk frame CRC fails in a sealed file: corruption, never a torn tail", b, "checksum")

        f = CraftedFile()
        f.chunk("t", x, [column(.int64, xs)]) { $0[0].checksum = ($0[0].checksum ?? 0) ^ 1 }
        f.seal()
        invalid("block-crc", "§3.2", "a block's own CRC fails (frame CRC holds)", f.bytes, "checksum")

        f = CraftedFile()
        f.chunk("t", [Col("x", .int64)], [column(.int64, [.int(1), .null, .int(3)])]) { $0[0].nullCount = 2 }
        f.seal()
        invalid("null-count-lie", "§3.3", "null_count 2 but the validity bitmap has one null", f.bytes, "invalid")

        f = CraftedFile()
        f.chunk("t", x, [column(.int64, xs)]) { $0[0].rawLength += 8 }
        f.seal()
        invalid("raw-length-lie", "§3.2, §3.3", "codec none with raw_length ≠ stored_length", f.bytes, "invalid")

        let text: [Value] = (0..<1000).map { _ in .string("a") }
        f = CraftedFile()
        f.chunk("t", [Col("s", .string, nullable: false)], [column(.string, text)], codec: .zstd(level: 3), encodings: [.plain]) {
            $0[0].rawLength = 1 << 30
        }
        f.seal()
        invalid("raw-length-string-bomb", "§7", "a zstd string block of 1000 rows claiming a 1 GiB raw payload: over the chunk's decoded-size limit",
                f.bytes, "out-of-bounds")
        let ints: [Value] = (0..<1000).map { .int(Int64($0 % 3)) }
        f = CraftedFile()
        f.chunk("t", x, [column(.int64, ints)], codec: .zstd(level: 3), encodings: [.plain]) { $0[0].rawLength = 60 << 20 }
        f.seal()
        invalid("raw-length-int-lie", "§7", "a zstd int64 block of 1000 rows claiming a 60 MiB raw payload (at most about 8 KiB is possible)",
                f.bytes, "out-of-bounds")

        invalid("bomb-64x16M-null", "§7", "64 all-null int64 columns × 16,777,216 rows in one zstd chunk: decodes to 8 GiB, over the chunk limit",
                try CraftedFile.nullBomb(columns: 64, rows: ChunkLimits.maxRows), "out-of-bounds")
        invalid("bomb-rows", "§3.1, §7", "a chunk of 16,777,217 rows", try CraftedFile.nullBomb(columns: 1, rows: ChunkLimits.maxRows + 1), "out-of-bounds")

        for (name, bad, about) in [("column-name-nul", "a\u{0}b", "a column name holding NUL"),
                                    ("column-name-newline", "a\nb", "a column name holding a newline"),
                                    ("column-name-empty", "", "an empty column name")] {
            f = CraftedFile()
            f.chunk("t", [Col(bad, .int64, nullable: false)], [column(.int64, xs)])
            f.seal()
            invalid(name, "§3.1", about, f.bytes, "invalid")
        }
        f = CraftedFile()
        f.chunk("t\u{1b}[31m", x, [column(.int64, xs)])
        f.seal()
        invalid("table-name-escape", "§3.1", "a table name holding an ESC control character", f.bytes, "invalid")
        f = CraftedFile()
        f.chunk("t", [Col("x", .int64), Col("x", .int64)], [column(.int64, xs), column(.int64, xs)])
        f.seal()
        invalid("duplicate-column", "§3.1", "two columns named x", f.bytes, "invalid")
        f = CraftedFile()
        f.chunk("t", x, [column(.int64, xs)])
        f.seal { footer in
            // table_count 1 → 2, and the table entry repeated.
            let entry = Array(footer[6...].dropLast())   // after magic, metadata_count 0, table_count 1; before section_count
            footer = Footer.magic + [0, 2] + entry + entry + [0]
        }
        invalid("duplicate-table", "§6", "two footer tables named t", f.bytes, "invalid")

        f = CraftedFile()
        f.chunk("t", [Col("x", .int64, nullable: false)], [column(.int64, [.int(1), .null, .int(3)])])
        f.seal()
        invalid("non-nullable-null", "§3.1", "a non-nullable column whose block has a null", f.bytes, "invalid")

        f = CraftedFile()
        f.chunk("t", x, [column(.int64, xs)])
        f.chunk("t", x, rowStart: 5, [column(.int64, xs)])
        f.seal()
        invalid("footer-row-gap", "§6", "a table's second chunk starts at row 5 instead of 3", f.bytes, "invalid")

        f = CraftedFile()
        f.chunk("t", x, [column(.int64, xs)]) { $0[0].encoding = 9 }
        f.seal()
        invalid("unknown-encoding", "§5", "encoding id 9", f.bytes, "invalid")

        // DELTA exceptions out of order: values 10, 11, 12 → base 1, width 0, two exceptions (1, 0), (0, 0).
        var delta = ByteWriter()
        delta.writeI64(10)
        delta.writeSignedVarint(1)
        delta.writeU8(0)
        delta.writeVarint(2)
        for index in [1, 0] as [UInt64] { delta.writeVarint(index); delta.writeVarint(0) }
        f = CraftedFile()
        f.rawChunk("t", x, rowCount: 3, blocks: [rawDescriptor(delta.bytes, encoding: .delta)], body: delta.bytes)
        f.seal()
        invalid("delta-exception-order", "§5.1", "DELTA exception indices not strictly increasing", f.bytes, "invalid")

        // DICTIONARY index 3 with 2 entries.
        var dict = ByteWriter()
        dict.writeVarint(2)
        dict.writeVarint(1); dict.writeVarint(1)
        dict.writeBytes(Array("ab".utf8))
        dict.writeU8(2)
        dict.writeU8(0b0000_1100)   // indices 0, 3 at width 2
        f = CraftedFile()
        f.rawChunk("t", [Col("s", .string, nullable: false)], rowCount: 2, blocks: [rawDescriptor(dict.bytes, encoding: .dictionary)], body: dict.bytes)
        f.seal()
        invalid("dictionary-index", "§5.4", "a dictionary index ≥ dict_count", f.bytes, "out-of-bounds")

        f = CraftedFile()
        f.chunk("t", x, [column(.int64, xs)])
        f.seal()
        b = f.bytes
        // stats_flags of the footer's descriptor: set bit 6 (the frame copy stays valid).
        if let at = footerStatsFlagsOffset(f) { b[at] |= 0x40 }
        let crc = b[footerStart(f)..<(b.count - 32)].withUnsafeBytes { CRC32C.mask(CRC32C.checksum($0)) }
        withUnsafeBytes(of: crc.littleEndian) { for (i, v) in $0.enumerated() { b[b.count - 32 + 16 + i] = v } }
        invalid("unknown-stats-flag", "§3.2", "stats_flags bit 6 set in the footer's descriptor", b, "invalid")
        return out
    }

    /// A codec-none descriptor (no statistics, with its block CRC) for a hand-made raw payload.
    static func rawDescriptor(_ raw: [UInt8], encoding: Encoding) -> BlockDescriptor {
        BlockDescriptor(encoding: encoding.rawValue, codec: 0, storedLength: raw.count, rawLength: raw.count, nullCount: 0,
                        stats: .empty, checksum: raw.withUnsafeBytes { CRC32C.mask(CRC32C.checksum($0)) })
    }

    /// Where the footer starts in a sealed crafted file.
    static func footerStart(_ f: CraftedFile) -> Int {
        f.bytes.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: f.bytes.count - 32, as: UInt64.self).littleEndian) }
    }

    /// Offset of the `stats_flags` byte of the single block of the single chunk in the footer of a
    /// crafted file with one table `t`, one int64 column `x`, no metadata.
    static func footerStatsFlagsOffset(_ f: CraftedFile) -> Int? {
        let c = f.chunks[0]
        var w = ByteWriter()
        w.writeBytes(Footer.magic)
        w.writeVarint(0)
        w.writeVarint(1)
        w.writeString("t")
        CraftedFile.encodeColumns(c.columns, into: &w)
        w.writeVarint(UInt64(c.rowCount))
        w.writeVarint(1)
        for v in [c.frameOffset, c.frameLength, c.bodyOffset, c.rowStart, c.rowCount] { w.writeVarint(UInt64(v)) }
        let d = c.blocks[0]
        w.writeU8(d.encoding)
        w.writeU8(d.codec)
        w.writeVarint(UInt64(d.storedLength))
        w.writeVarint(UInt64(d.rawLength))
        w.writeVarint(UInt64(d.nullCount))
        return footerStart(f) + w.count
    }
}
