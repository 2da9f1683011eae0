import Foundation
import Testing
@testable import Tape
import TapeFormat
import TapeTestSupport

/// The index limits of format-spec §7 (index entries, footer length, metadata), from the writer's
/// side: a writer refuses what would break them before accepting it, so it never writes a file a
/// reader must refuse and never loses a row it accepted.
@Suite("Index limits")
struct IndexLimitTests {
    static let columns = [ColumnDef("x", .int64)]

    @Test("a row that would start a chunk past the index limit is refused; every accepted row is kept")
    func chunkPastTheLimitIsRefused() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        var options = WriterOptions(rowsPerChunk: 3, maxChunkLag: 0)
        options.indexEntryLimit = 50   // a 1-column table: 2 entries, and 2 per chunk: 24 chunks
        let w = try TapeWriter(path: path, options: options)
        let t = try w.declareTable("t", columns: Self.columns)
        var accepted = 0
        var refusal: Error?
        for i in 0..<200 {
            do {
                try t.append(values: [.int(Int64(i))])
                accepted += 1
            } catch {
                refusal = error
                break
            }
        }
        #expect(accepted == 24 * 3)
        #expect("\(refusal.map { "\($0)" } ?? "")".contains("has no room for another chunk of table 't'"))
        // The refusal leaves the writer usable: other work goes on, and close keeps every row.
        try w.setMetadata("after", "refusal")
        try w.close()
        let rows = try tableRows(path)["t"] ?? []
        #expect(rows.map { $0[0] } == (0..<accepted).map { Value.int(Int64($0)) })
        #expect(try Verifier.verify(path: path).ok)
    }

    @Test("a table past the index limit is refused at declaration")
    func tablePastTheLimitIsRefused() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var options = WriterOptions()
        options.indexEntryLimit = 10
        let w = try TapeWriter(path: dir.path("run.tape"), options: options)
        for i in 0..<5 { _ = try w.declareTable("t\(i)", columns: Self.columns) }
        #expect(throws: TapeError.self) { try w.declareTable("t5", columns: Self.columns) }
        let summary = try w.close()
        #expect(summary.path.hasSuffix("run.tape"))
        #expect(try TapeReader(path: dir.path("run.tape")).tables.count == 5)
    }

    @Test("an append counts the file's existing chunks")
    func appendCountsExistingChunks() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        var options = WriterOptions(rowsPerChunk: 1, maxChunkLag: 0)
        let w = try TapeWriter(path: path, options: options)
        let t = try w.declareTable("t", columns: Self.columns)
        for i in 0..<10 { try t.append(values: [.int(Int64(i))]) }
        try w.close()
        options.indexEntryLimit = 26   // the definition and 10 chunks take 22: room for 2 more chunks
        let a = try TapeWriter(appendingTo: path, options: options)
        let ta = try a.declareTable("t", columns: Self.columns)
        try ta.append(values: [.int(10)])
        try ta.append(values: [.int(11)])
        #expect(throws: TapeError.self) { try ta.append(values: [.int(12)]) }
        try a.close()
        #expect((try tableRows(path)["t"] ?? []).count == 12)
    }

    @Test("metadata past 4 MiB or 65,536 keys is refused, changing nothing; the file stays recoverable")
    func metadataLimits() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 1, maxChunkLag: 0))
        let t = try w.declareTable("t", columns: Self.columns)
        try w.setMetadata("config", String(repeating: "x", count: 3 << 20))
        #expect(throws: TapeError.self) { try w.setMetadata("more", String(repeating: "y", count: 2 << 20)) }
        try w.setMetadata("config", "small")
        // tape.writer, tape.created and config are set: the run's keys may fill the rest, less
        // the room kept for Tape's own keys.
        for i in 0..<(IndexLimits.maxMetadataPairs - TapeWriter.reservedMetadataPairs - 3) { try w.setMetadata("k\(i)", "") }
        #expect(throws: TapeError.self) { try w.setMetadata("one-too-many", "") }
        try t.append(values: [.int(1)])
        try t.append(values: [.int(2)])
        // Killed now: the metadata frame before the chunks must be readable, or recovery would
        // stop there and drop both chunks.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let copy = dir.path("killed.tape")
        try bytes.write(to: URL(fileURLWithPath: copy))
        let report = try Recovery.recover(path: copy)
        #expect(report.metadataRestored && report.chunksKept == 2)
        // A file at the limit that recovery cannot add its keys to is refused, unchanged.
        var atLimit = CraftedFile()
        atLimit.metadata((0..<IndexLimits.maxMetadataPairs).map { (key: "k\($0)", value: "") })
        let full = dir.path("full.tape")
        try Data(atLimit.bytes).write(to: URL(fileURLWithPath: full))
        #expect(throws: TapeError.self) { try Recovery.recover(path: full) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: full)) == Data(atLimit.bytes))
        let reader = try TapeReader(path: copy)
        #expect(reader.footer.metadataValue("config") == "small" && reader.footer.metadataValue("one-too-many") == nil)
        try w.close()
        #expect(try Verifier.verify(path: path).ok)
    }

    @Test("tables declared together beyond one schema frame's 4 MiB go into several frames that recovery reads")
    func schemaFramesAreSplit() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 1, maxChunkLag: 0))
        let long = String(repeating: "c", count: 250)
        let wide = (0..<4096).map { ColumnDef("\(long)\($0)", .int64) }
        for i in 0..<5 { _ = try w.declareTable("wide\(i)", columns: wide) }   // ~5 MiB of definitions
        let t = try w.declareTable("t", columns: Self.columns)
        try t.append(values: [.int(1)])
        try t.append(values: [.int(2)])
        let copy = dir.path("killed.tape")
        try Data(contentsOf: URL(fileURLWithPath: path)).write(to: URL(fileURLWithPath: copy))
        let report = try Recovery.recover(path: copy)
        #expect(report.stopReason == nil, "\(report.stopReason ?? "")")
        #expect(report.chunksKept >= 1)
        #expect(try TapeReader(path: copy).tables.count == 6)
        try w.close()
        #expect(try Verifier.verify(path: path).ok)
    }
}

/// Footer sections (`TapeWriter.setSection`) count against the footer's 64 MiB with the tables
/// and chunks (format-spec §7): a writer refuses a section, or a chunk, that would pass it.
@Suite("Index limits: footer sections")
struct SectionBudgetTests {
    @Test("a section that would pass the footer limit is refused; the file stays readable")
    func oversizedSectionIsRefused() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        let w = try TapeWriter(path: path)
        let t = try w.declareTable("t", columns: IndexLimitTests.columns)
        try t.append(values: [.int(1)])
        let tooBig = [UInt8](repeating: 7, count: IndexLimits.maxFooterLength)
        #expect { try w.setSection(9, tooBig) } throws: { "\($0)".contains("no room for footer sections") }
        // What fits is kept; the refused one changed nothing.
        let fits = [UInt8](repeating: 5, count: IndexLimits.maxFooterLength - IndexBudget.metadataRoom - (2 << 20))
        try w.setSection(9, fits)
        try w.close()
        let r = try TapeReader(path: path)
        #expect(r.footer.sections.first { $0.tag == 9 }?.bytes == fits)
        #expect(try r.rows("t") == [[.int(1)]])
    }

    @Test("sections leave less room for chunks: a row past it is refused, every accepted row kept")
    func sectionsTakeRoomFromChunks() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 1, maxChunkLag: 0))
        let t = try w.declareTable("t", columns: IndexLimitTests.columns)
        // Leave room for about ten chunk entries of a 1-column table.
        let entry = IndexLimits.maxChunkEntryBytes(t.schema)
        let room = IndexBudget.tableRoom + IndexBudget.sectionRoom - IndexBudget.metricsRoom - 16 - 10 * entry
        try w.setSection(9, [UInt8](repeating: 1, count: room - 400))
        var accepted = 0
        do { for i in 0..<100 { try t.append(values: [.int(Int64(i))]); accepted += 1 } } catch {
            #expect("\(error)".contains("has no room for another chunk"))
        }
        #expect(accepted >= 10 && accepted <= 14, "\(accepted) rows accepted, entry \(entry) bytes")
        try w.close()
        #expect(try TapeReader(path: path).rows("t").count == accepted)
        #expect(try Verifier.verify(path: path).ok)
    }
}
