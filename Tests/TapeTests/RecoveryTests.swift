import Foundation
import Testing
@testable import Tape
import TapeTestSupport

@Suite("Recovery of files whose writer died")
struct RecoveryTests {
    /// Writes 3 full chunks of `a` and 1 of `b`, then leaves the writer open (no footer) and
    /// returns a copy of the bytes on disk, as a killed process would leave them.
    func unsealedBytes(_ dir: TempDir) throws -> (Data, [[Value]]) {
        let path = dir.path("live.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 100, maxChunkLag: 0))
        let a = try w.declareTable("a", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("x", .float64)])
        let b = try w.declareTable("b", columns: [ColumnDef("s", .string)])
        var rows: [[Value]] = []
        for i in 0..<350 {
            let row: [Value] = [.timestamp(Int64(i)), i % 9 == 0 ? .null : .double(Double(i) / 8)]
            try a.append(values: row)
            rows.append(row)
            if i < 100 { try b.append(values: [.string("s\(i)")]) }
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try w.close()
        return (bytes, rows)
    }

    @Test func readerRefusesUnsealedAndPointsAtRecover() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let (bytes, _) = try unsealedBytes(dir)
        let path = dir.path("dead.tape")
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect {
            try TapeReader(path: path)
        } throws: { e in
            guard case TapeError.unsealed = e else { return false }
            return "\(e)".contains("tape recover")
        }
    }

    @Test("every cut point keeps exactly the complete chunks before it")
    func cutsAnywhere() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let (bytes, rows) = try unsealedBytes(dir)
        let path = dir.path("dead.tape")
        // Chunk frame ends, found by recovering the whole file once.
        try bytes.write(to: URL(fileURLWithPath: path))
        let full = try Recovery.recover(path: path)
        #expect(full.chunksKept == 4 && full.bytesDropped == 0)
        let ends = try TapeReader(path: path).tables.flatMap(\.chunks).map { $0.frameOffset + $0.frameLength }.sorted()
        var cuts = Set([16, 17, bytes.count - 1, bytes.count])
        for e in ends { cuts.formUnion([e - 1, e, e + 1, e + 7]) }
        for cut in cuts.sorted() where cut <= bytes.count {
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: path))
            let r = try Recovery.recover(path: path)
            let complete = ends.filter { $0 <= cut }.count
            #expect(r.chunksKept == complete, "cut at \(cut)")
            let reader = try TapeReader(path: path)
            #expect(reader.footer.metadataValue("tape.recovered") == "true")
            let aRows = reader.tables.first { $0.name == "a" }?.rowCount ?? 0
            #expect(try (aRows == 0 ? [] : readAll(path, "a")) == Array(rows.prefix(aRows)))
            #expect(try Verifier.verify(path: path).ok, "cut at \(cut)")
        }
    }

    @Test func garbageTailIsDroppedAndSealedFilesAreLeftAlone() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var (bytes, _) = try unsealedBytes(dir)
        let path = dir.path("dead.tape")
        bytes.append(contentsOf: (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: URL(fileURLWithPath: path))
        let dry = try Recovery.recover(path: path, dryRun: true)
        #expect(dry.chunksKept == 4 && dry.bytesDropped == 1000 && dry.stopReason != nil)
        #expect(throws: TapeError.self) { try TapeReader(path: path) }   // dry run wrote nothing
        let r = try Recovery.recover(path: path, metadata: ["strategy": "sma"])
        #expect(r.rowsKept == ["a": 300, "b": 100])
        #expect(try TapeReader(path: path).footer.metadataValue("strategy") == "sma")
        let again = try Recovery.recover(path: path)
        #expect(again.wasSealed)
    }
}

@Suite("Reading a file that is still being written")
struct LiveReadTests {
    @Test func seesCompletedChunksOnly() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("live.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 100, maxChunkLag: 0))
        let t = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false)])
        for i in 0..<250 { try t.append(values: [.timestamp(Int64(i))]) }
        #expect(throws: TapeError.self) { try TapeReader(path: path) }
        let live = try TapeReader(path: path, options: ReaderOptions(allowUnsealed: true))
        #expect(!live.isSealed)
        #expect(try live.table("equity").rowCount == 200)   // 2 complete chunks; 50 rows still buffered
        let rows = try live.scan("equity").nextBatch()
        #expect(rows?.count == 100)
        for i in 250..<400 { try t.append(values: [.timestamp(Int64(i))]) }
        #expect(try TapeReader(path: path, options: ReaderOptions(allowUnsealed: true)).table("equity").rowCount == 400)
        try w.close()
        let sealed = try TapeReader(path: path, options: ReaderOptions(allowUnsealed: true))
        #expect(sealed.isSealed)
        #expect(try readAll(path, "equity").count == 400)
    }
}
