import Foundation
import Testing
@testable import Tape
import TapeFormat
import TapeTestSupport

/// The rows of the committed format 1.0 fixture (`Tests/Fixtures/v1_0.tape`), regenerated from a seed:
/// `equity` (100 rows, 4 chunks of ≤ 32 rows) and `trades` (20 rows), with nulls and strings.
enum FormatFixture {
    static let equityColumns = [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64),
                                ColumnDef("position", .int64)]
    static let tradeColumns = [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("side", .string),
                               ColumnDef("qty", .int64), ColumnDef("filled", .bool)]

    static func rows() -> (equity: [[Value]], trades: [[Value]]) {
        var g = SplitMix64(seed: 0x7A9E_1_0)
        var equity: [[Value]] = []
        var trades: [[Value]] = []
        for i in 0..<100 {
            let ts = 1_700_000_000_000_000_000 + Int64(i) * 60_000_000_000
            equity.append([.timestamp(ts), i % 7 == 3 ? .null : .double(10_000 + Double(Int64(g.next() % 20_000)) / 100),
                           .int(Int64(g.next() % 11) - 5)])
            if i % 5 == 0 {
                trades.append([.timestamp(ts), .string(i % 10 == 0 ? "buy" : "sell"), .int(Int64(g.next() % 500)),
                               i % 15 == 0 ? .null : .bool(g.next() & 1 == 0)])
            }
        }
        return (equity, trades)
    }

    /// Where the committed 1.0 file lives.
    static var path: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/v1_0.tape").path
    }

    /// Writes the fixture's rows (the 1.0 file was made by this with the 1.0 writer).
    static func write(to path: String) throws {
        let (equity, trades) = rows()
        let w = try TapeWriter(path: path, options: WriterOptions(codec: .zstd(level: 3), rowsPerChunk: 32, maxChunkLag: 0),
                               metadata: ["strategy": "fixture", "symbol": "TEST"])
        let e = try w.declareTable("equity", columns: equityColumns)
        let t = try w.declareTable("trades", columns: tradeColumns)
        for r in equity { try e.append(values: r) }
        for r in trades { try t.append(values: r) }
        try w.close()
    }
}

@Suite("Format versions: 1.5 writes, 1.0 to 1.4 still read")
struct FormatVersionTests {
    @Test func readsTheCommitted1_0File() throws {
        let (equity, trades) = FormatFixture.rows()
        for verify in [true, false] {
            let r = try TapeReader(path: FormatFixture.path, options: ReaderOptions(verifyChecksums: verify))
            #expect(r.formatMinorVersion == 0)
            #expect(r.footer.metadataValue("strategy") == "fixture" && r.footer.metadataValue("symbol") == "TEST")
            #expect(r.tables.flatMap(\.chunks).flatMap(\.blocks).allSatisfy { $0.checksum == nil })
            #expect(try r.rows("equity") == equity)
            #expect(try r.rows("trades") == trades)
            #expect(try r.rows("trades", columns: ["filled", "side"]) == trades.map { [$0[3], $0[1]] })
        }
        #expect(try TapeReader(path: FormatFixture.path).table("equity").chunks.count == 4)
        let report = try Verifier.verify(path: FormatFixture.path)
        #expect(report.ok, "\(report.problems)")
        #expect(report.rows == 120)
    }

    /// The committed format 1.1 file (`Tests/Fixtures/v1_1.tape`, written by `FormatFixture.write`
    /// with the 1.1 writer): no schema frames, block checksums. It reads, verifies, and an append
    /// makes it the current version.
    @Test func readsAndAppendsToTheCommitted1_1File() throws {
        let fixture = URL(fileURLWithPath: FormatFixture.path).deletingLastPathComponent().appendingPathComponent("v1_1.tape").path
        let (equity, trades) = FormatFixture.rows()
        let r = try TapeReader(path: fixture, options: ReaderOptions(verifyChecksums: true))
        #expect(r.formatMinorVersion == 1)
        #expect(r.tables.flatMap(\.chunks).flatMap(\.blocks).allSatisfy { $0.checksum != nil })
        #expect(try r.allRows() == ["equity": equity, "trades": trades])
        #expect(try Verifier.verify(path: fixture).ok)
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("v1_1.tape")
        try FileManager.default.copyItem(atPath: fixture, toPath: path)
        let w = try TapeWriter(appendingTo: path)
        _ = try w.declareTable("later", columns: [ColumnDef("x", .int64)])
        try w.close()
        let appended = try TapeReader(path: path)
        #expect(appended.formatMinorVersion == FileHeader.minorVersion && appended.tables.map(\.name) == ["equity", "trades", "later"])
        #expect(try appended.allRows() == ["equity": equity, "trades": trades, "later": []])
        #expect(try Verifier.verify(path: path).ok)
    }

    /// The committed format 1.2 file (`Tests/Fixtures/v1_2.tape`): `FormatFixture.write`'s rows plus
    /// a declared table that never got a row (its schema lives in a schema frame and the footer).
    /// Written by the 1.2 writer and frozen since: later versions must keep reading it.
    @Test func readsTheCommitted1_2File() throws {
        let fixture = URL(fileURLWithPath: FormatFixture.path).deletingLastPathComponent().appendingPathComponent("v1_2.tape").path
        let (equity, trades) = FormatFixture.rows()
        let r = try TapeReader(path: fixture, options: ReaderOptions(verifyChecksums: true))
        #expect(r.formatMinorVersion == 2)
        #expect(r.tables.map(\.name) == ["equity", "trades", "signals"])
        #expect(try r.table("signals").schema.columns.map(\.name) == ["ts", "score"])
        #expect(try r.allRows() == ["equity": equity, "trades": trades, "signals": []])
        #expect(try Verifier.verify(path: fixture).ok)
        // Recovery of the same bytes without their footer keeps the empty table too.
        let dir = TempDir(); defer { dir.cleanup() }
        let cut = dir.path("cut.tape")
        try Data(FileManager.default.contents(atPath: fixture)!.prefix(Int(r.footerOffset))).write(to: URL(fileURLWithPath: cut))
        _ = try Recovery.recover(path: cut)
        #expect(try TapeReader(path: cut).allRows() == ["equity": equity, "trades": trades, "signals": []])
    }

    /// The rows of the 1.3 fixture's `holds` table: a duration column (holding times, one null,
    /// one negative, one beyond a day with a fraction) beside an int64.
    static let holdRows: [[Value]] = [
        [.timestamp(0), .int(0), .int(3_600_000_000_000)],
        [.timestamp(60_000_000_000), .int(1), .int(183_600_000_000_000)],
        [.timestamp(120_000_000_000), .int(2), .null],
        [.timestamp(180_000_000_000), .int(3), .int(-93_600_000_000_000)],
        [.timestamp(240_000_000_000), .int(4), .int(86_400_500_000_001)],
    ]

    /// Rewrites a committed fixture: `FormatFixture.write`'s equity and trades plus the `holds`
    /// table with a duration column, written with `options`.
    static func writeFixture(_ path: String, options: WriterOptions) throws {
        try? FileManager.default.removeItem(atPath: path)
        let (equity, trades) = FormatFixture.rows()
        let w = try TapeWriter(path: path, options: options, metadata: ["strategy": "fixture", "symbol": "TEST"])
        let e = try w.declareTable("equity", columns: FormatFixture.equityColumns)
        let t = try w.declareTable("trades", columns: FormatFixture.tradeColumns)
        let h = try w.declareTable("holds", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("n", .int64),
                                                      ColumnDef("held", .duration)])
        for r in equity { try e.append(values: r) }
        for r in trades { try t.append(values: r) }
        for r in Self.holdRows { try h.append(values: r) }
        try w.close()
    }

    /// The committed format 1.3 file (`Tests/Fixtures/v1_3.tape`): `FormatFixture.write`'s rows plus
    /// a `holds` table with a duration column. `TAPE_WRITE_FIXTURES=1` rewrites it with the current
    /// writer (only while the current version is 1.3); later versions must keep reading it.
    @Test func readsTheCommitted1_3File() throws {
        let fixture = URL(fileURLWithPath: FormatFixture.path).deletingLastPathComponent().appendingPathComponent("v1_3.tape").path
        if ProcessInfo.processInfo.environment["TAPE_WRITE_FIXTURES"] == "1" && FileHeader.minorVersion == 3 {
            try Self.writeFixture(fixture, options: WriterOptions(codec: .zstd(level: 3), rowsPerChunk: 32, maxChunkLag: 0))
        }
        let (equity, trades) = FormatFixture.rows()
        let r = try TapeReader(path: fixture, options: ReaderOptions(verifyChecksums: true))
        #expect(r.formatMinorVersion == 3)
        #expect(try r.table("holds").schema.columns.map(\.type) == [.timestamp, .int64, .duration])
        #expect(try r.allRows() == ["equity": equity, "trades": trades, "holds": Self.holdRows])
        #expect(try Verifier.verify(path: fixture).ok)
    }

    /// The committed format 1.4 file (`Tests/Fixtures/v1_4.tape`): the 1.3 fixture's tables written
    /// with 8-row pages, so its int64, timestamp, duration and float64 blocks are PAGED (several
    /// pages, NULLs in some). `TAPE_WRITE_FIXTURES=1` rewrites it with the current writer (only
    /// while the current version is 1.4); later versions must keep reading it.
    @Test func readsTheCommitted1_4File() throws {
        let fixture = URL(fileURLWithPath: FormatFixture.path).deletingLastPathComponent().appendingPathComponent("v1_4.tape").path
        if ProcessInfo.processInfo.environment["TAPE_WRITE_FIXTURES"] == "1" && FileHeader.minorVersion == 4 {
            var options = WriterOptions(codec: .zstd(level: 3), rowsPerChunk: 32, maxChunkLag: 0)
            options.rowsPerPage = 8
            try Self.writeFixture(fixture, options: options)
        }
        let (equity, trades) = FormatFixture.rows()
        let r = try TapeReader(path: fixture, options: ReaderOptions(verifyChecksums: true))
        #expect(r.formatMinorVersion == 4)
        let equityBlocks = try r.table("equity").chunks.flatMap(\.blocks)
        #expect(equityBlocks.contains { $0.encoding == PageDirectory.encodingID })
        #expect(try r.allRows() == ["equity": equity, "trades": trades, "holds": Self.holdRows])
        #expect(try Verifier.verify(path: fixture).ok)
    }

    /// The committed format 1.5 file (`Tests/Fixtures/v1_5.tape`): the 1.3 fixture's tables written
    /// with 8-row pages compressed in groups of 2, so its int64, timestamp, duration and float64
    /// blocks are PAGED with page groups (NULLs in some pages). `TAPE_WRITE_FIXTURES=1` rewrites it
    /// with the current writer (only while the current version is 1.5); later versions must keep
    /// reading it.
    @Test func readsTheCommitted1_5File() throws {
        let fixture = URL(fileURLWithPath: FormatFixture.path).deletingLastPathComponent().appendingPathComponent("v1_5.tape").path
        if ProcessInfo.processInfo.environment["TAPE_WRITE_FIXTURES"] == "1" && FileHeader.minorVersion == 5 {
            var options = WriterOptions(codec: .zstd(level: 3), rowsPerChunk: 32, maxChunkLag: 0)
            options.rowsPerPage = 8
            options.pagesPerGroup = 2
            try Self.writeFixture(fixture, options: options)
        }
        let (equity, trades) = FormatFixture.rows()
        let r = try TapeReader(path: fixture, options: ReaderOptions(verifyChecksums: true))
        #expect(r.formatMinorVersion == 5)
        let paged = try #require(try r.table("equity").chunks.first?.blocks.firstIndex { $0.encoding == PageDirectory.encodingID })
        let dir = try PageGroupTests.directory(fixture, table: "equity", col: paged)
        #expect(dir.pagesPerGroup == 2 && dir.groups.count == 2 && dir.pages.count == 4)
        #expect(try r.allRows() == ["equity": equity, "trades": trades, "holds": Self.holdRows])
        #expect(try Verifier.verify(path: fixture).ok)
    }

    /// A reader may read a file of a higher minor version (format-spec §2.1); what it cannot
    /// decode there may be a feature it does not know rather than damage, and the error says so.
    @Test func anErrorInAFileOfANewerMinorVersionSaysTheFileIsNewer() throws {
        let fixture = URL(fileURLWithPath: FormatFixture.path).deletingLastPathComponent().appendingPathComponent("v1_5.tape").path
        let block = try TapeReader(path: fixture).table("equity").chunks[0].blockOffsets[1]
        let dir = TempDir(); defer { dir.cleanup() }
        for minor in [FileHeader.minorVersion, FileHeader.minorVersion + 1] {
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture)))
            bytes[10] = UInt8(minor & 0xff)
            bytes[11] = UInt8(minor >> 8)
            bytes[block + 3] ^= 0x5a     // damage (or, in a newer file, perhaps something new)
            let path = dir.path("minor\(minor).tape")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let r = try TapeReader(path: path)
            #expect(r.formatMinorVersion == minor)
            let error = #expect(throws: TapeError.self) { _ = try r.allRows() }
            let text = error.map { "\($0)" } ?? ""
            let newer = "format 1.\(minor), newer than this Tape's 1.\(FileHeader.minorVersion)"
            #expect(text.contains("is damaged"))
            #expect(text.contains(newer) == (minor > FileHeader.minorVersion), "\(text)")
        }
    }

    @Test func newFilesAre1_5WithBlockChecksums() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("new.tape")
        try FormatFixture.write(to: path)
        let r = try TapeReader(path: path)
        #expect(r.formatMinorVersion == FileHeader.minorVersion && FileHeader.minorVersion == 5)
        let blocks = r.tables.flatMap(\.chunks).flatMap(\.blocks)
        #expect(blocks.count == 4 * 3 + 4 && blocks.allSatisfy { $0.checksum != nil })
        let (equity, trades) = FormatFixture.rows()
        #expect(try r.allRows() == ["equity": equity, "trades": trades])
        #expect(try Verifier.verify(path: path).ok)
    }

    @Test("appending to a 1.0 file keeps its rows and metadata and makes it the current version")
    func appendTo1_0() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("old.tape")
        try FileManager.default.copyItem(atPath: FormatFixture.path, toPath: path)
        let w = try TapeWriter(appendingTo: path, options: WriterOptions(rowsPerChunk: 32))
        let t = try w.declareTable("trades", columns: FormatFixture.tradeColumns)
        let extra: [[Value]] = (0..<40).map { [.timestamp(Int64($0)), .string("buy"), .int(Int64($0)), .null] }
        for row in extra { try t.append(values: row) }
        try w.close()
        let r = try TapeReader(path: path, options: ReaderOptions(verifyChecksums: true))
        #expect(r.formatMinorVersion == FileHeader.minorVersion)
        #expect(r.footer.metadataValue("strategy") == "fixture")
        let (equity, trades) = FormatFixture.rows()
        #expect(try r.allRows() == ["equity": equity, "trades": trades + extra])
        let chunks = try r.table("trades").chunks
        #expect(chunks[0].blocks.allSatisfy { $0.checksum == nil } && chunks[1].blocks.allSatisfy { $0.checksum != nil })
        #expect(try Verifier.verify(path: path).ok)
    }
}
