import Foundation
import Testing
@testable import Tape
import TapeFormat
import TapeTestSupport

/// Metadata frames (format 1.1): run metadata survives a killed writer and a killed append.
@Suite("Metadata frames")
struct MetadataFrameTests {
    static let columns = [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("x", .int64)]

    /// The file's bytes as they are now (what a SIGKILL would leave: the page cache survives).
    func snapshot(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    func recovered(_ bytes: Data, in dir: TempDir) throws -> (Recovery.Report, TapeReader) {
        let path = dir.path("dead-\(UUID().uuidString).tape")
        try bytes.write(to: URL(fileURLWithPath: path))
        let report = try Recovery.recover(path: path, metadata: ["note": "given"])
        return (report, try TapeReader(path: path, options: ReaderOptions(verifyChecksums: true)))
    }

    @Test func frameRoundTripAndPrefix() throws {
        var w = ByteWriter()
        let pairs: RunMetadata.Pairs = [("strategy", "sma"), ("ünï", ""), ("k", String(repeating: "v", count: 300))]
        MetadataFrame.encode(pairs, into: &w)
        let prefix = try FramePrefix(decoding: Array(w.bytes[0..<16]), offset: 16, limit: w.count)
        #expect(prefix.kind == .metadata && prefix.bodyLength == 0 && prefix.frameLength == w.count)
        let back = try MetadataFrame.decode(w.bytes, prefix: prefix, offset: 16)
        #expect(back.map(\.key) == pairs.map(\.key) && back.map(\.value) == pairs.map(\.value))
        var withBody = w.bytes
        withBody[8] = 1   // body_length 1: not a metadata frame
        #expect(throws: FormatError.self) { try FramePrefix(decoding: Array(withBody[0..<16]), offset: 16, limit: w.count + 1) }
    }

    @Test("a killed writer's metadata is restored from its last complete metadata frame")
    func killedWriter() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 10, maxChunkLag: 0),
                               metadata: ["strategy": "sma", "symbol": "SPY"])
        let t = try w.declareTable("t", columns: Self.columns)
        let atOpen = try snapshot(path)
        for i in 0..<25 { try t.append(values: [.timestamp(Int64(i)), .int(Int64(i))]) }
        try w.setMetadata("symbol", "QQQ")       // changes: written before the next chunk
        try w.setMetadata("params", "fast=10")
        let beforeChunk = try snapshot(path)
        for i in 25..<35 { try t.append(values: [.timestamp(Int64(i)), .int(Int64(i))]) }
        let afterChunk = try snapshot(path)
        try w.close()

        let (r0, f0) = try recovered(atOpen, in: dir)
        #expect(r0.metadataRestored && r0.chunksKept == 0)
        #expect(f0.footer.metadataValue("strategy") == "sma" && f0.footer.metadataValue("symbol") == "SPY")
        #expect(f0.footer.metadataValue("tape.recovered") == "true" && f0.footer.metadataValue("note") == "given")
        #expect(f0.footer.metadataValue("tape.created") != nil && f0.footer.metadataValue("tape.writer") != nil)

        let (_, f1) = try recovered(beforeChunk, in: dir)
        #expect(f1.footer.metadataValue("symbol") == "SPY" && f1.footer.metadataValue("params") == nil)
        #expect(try f1.table("t").rowCount == 20)

        let (r2, f2) = try recovered(afterChunk, in: dir)
        #expect(r2.chunksKept == 3)
        #expect(f2.footer.metadataValue("symbol") == "QQQ" && f2.footer.metadataValue("params") == "fast=10")
        #expect(f2.footer.metadata.map(\.key).filter { $0 == "symbol" }.count == 1)
        #expect(try f2.rows("t").count == 30)
        #expect(try Verifier.verify(path: f2.path).ok)

        // A torn metadata frame at the tail is dropped; the one before it is used.
        let torn = try recovered(afterChunk + Data(MetadataFrame.magic + [9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), in: dir).1
        #expect(torn.footer.metadataValue("symbol") == "QQQ")

        // A file still being written shows its metadata to live readers.
        let live = dir.path("live.tape")
        try afterChunk.write(to: URL(fileURLWithPath: live))
        let reader = try TapeReader(path: live, options: ReaderOptions(allowUnsealed: true))
        #expect(!reader.isSealed && reader.footer.metadataValue("params") == "fast=10")
    }

    @Test("a killed append keeps the file's metadata")
    func killedAppend() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 10), metadata: ["strategy": "sma"])
        let t = try w.declareTable("t", columns: Self.columns)
        for i in 0..<15 { try t.append(values: [.timestamp(Int64(i)), .int(Int64(i))]) }
        try w.setMetadata("result", "done")   // after the last chunk: only in the footer (and the frame at close)
        try w.close()

        let a = try TapeWriter(appendingTo: path, options: WriterOptions(rowsPerChunk: 10))
        let u = try a.declareTable("u", columns: Self.columns)
        for i in 0..<10 { try u.append(values: [.timestamp(Int64(i)), .int(-Int64(i))]) }
        let killed = try snapshot(path)
        try a.abandon()

        let (report, f) = try recovered(killed, in: dir)
        #expect(report.metadataRestored)
        #expect(f.footer.metadataValue("strategy") == "sma" && f.footer.metadataValue("result") == "done")
        #expect(try f.table("t").rowCount == 15 && f.table("u").rowCount == 10)
    }

    @Test func verifierReportsADamagedMetadataFrame() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        let w = try TapeWriter(path: path, metadata: ["strategy": "sma"])
        let t = try w.declareTable("t", columns: Self.columns)
        try t.append(values: [.timestamp(1), .int(1)])
        try w.close()
        var bytes = [UInt8](try snapshot(path))
        let metadataFrame = FileHeader.size   // written at open, before any chunk
        #expect(Array(bytes[metadataFrame..<(metadataFrame + 4)]) == MetadataFrame.magic)
        bytes[metadataFrame + 20] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try TapeReader(path: path).rows("t").count == 1)   // readers of a sealed file use the footer
        let report = try Verifier.verify(path: path)
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.contains("metadata frame at offset \(metadataFrame)") == true, "\(report.problems)")
    }
}
