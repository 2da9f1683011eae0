import Foundation
import Testing
@testable import Tape
import TapeTestSupport

@Suite("Verifier")
struct VerifierTests {
    func makeFile(_ dir: TempDir) throws -> String {
        let path = dir.path("v.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 100))
        let a = try w.declareTable("a", columns: [ColumnDef("ts", .timestamp), ColumnDef("s", .string)])
        let b = try w.declareTable("b", columns: [ColumnDef("x", .float64)])
        for i in 0..<450 {
            try a.append(values: [.timestamp(Int64(i)), .string("v\(i % 7)")])
            try b.append(values: [.double(Double(i) / 4)])
        }
        try w.close()
        return path
    }

    @Test func soundFileIsOK() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let r = try Verifier.verify(path: try makeFile(dir))
        #expect(r.ok)
        #expect(r.tables == 2 && r.chunks == 10 && r.rows == 900 && r.blocks == 15)
    }

    @Test("a flipped byte in any chunk frame is reported with its frame's offset")
    func flippedChunkByte() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = try makeFile(dir)
        let reader = try TapeReader(path: path)
        let chunks = reader.tables.flatMap(\.chunks).sorted { $0.frameOffset < $1.frameOffset }
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for c in chunks.prefix(3) {
            for at in [c.frameOffset + 5, c.bodyOffset, c.frameOffset + c.frameLength - 1] {
                var bytes = original
                bytes[at] ^= 0x40
                try bytes.write(to: URL(fileURLWithPath: path))
                let r = try Verifier.verify(path: path)
                #expect(!r.ok)
                #expect(r.problems.contains { $0.contains("offset \(c.frameOffset)") }, "flip at \(at): \(r.problems)")
            }
        }
    }

    @Test func damagedFooterIsReported() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = try makeFile(dir)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 40] ^= 1
        try bytes.write(to: URL(fileURLWithPath: path))
        let r = try Verifier.verify(path: path)
        #expect(r.problems.count == 1)
        #expect(r.problems[0].contains("footer"))
    }
}
