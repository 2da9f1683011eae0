import Foundation
import Testing
import Tape
import TapeTestSupport
@testable import TapeCommands

/// A write that fails half-way (here: the file-size limit of `ulimit -f`, giving EFBIG, the same
/// path as a full disk) must end the run with a clear error and leave every chunk completed
/// before it intact and readable.
@Suite("Write errors")
struct WriteErrorTests {
    @Test(arguments: [24, 60, 150])   // file-size limits in 512-byte blocks
    func fileSizeLimit(blocks: Int) throws {
        let tape = try #require(tapeExecutable(), "tape executable not found next to the tests")
        let dir = TempDir(); defer { dir.cleanup() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ulimit -f \(blocks) && exec \"$0\" \"$@\"", tape, "demo", dir.path("run"),
                       "--bars", "20000", "--rows-per-chunk", "500", "--durability", "chunk"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 1, "status \(p.terminationStatus)")
        #expect(message.contains("write") && message.contains("File too large"), "\(message)")

        let path = dir.path("run/demo.tape")
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        #expect(size <= blocks * 512)
        let live = try TapeReader(path: path, options: ReaderOptions(allowUnsealed: true))
        #expect(!live.isSealed)

        // The same run, uninterrupted, in memory of another file: the kept rows are its prefix.
        var params = DemoBacktest.Parameters()
        params.bars = 20_000
        let full = dir.path("full.tape")
        let w = try TapeWriter(path: full, options: WriterOptions(rowsPerChunk: 500))
        try DemoBacktest(params).run(into: w)
        try w.close()
        var keptRows = 0
        for t in live.tables {
            let kept = try live.rows(t.name)
            let all = try TapeReader(path: full).rows(t.name)
            #expect(Array(all.prefix(kept.count)) == kept, "table \(t.name)")
            keptRows += kept.count
        }
        #expect(keptRows > 0 || blocks < 40)
        let r = try Recovery.recover(path: path)
        #expect(r.chunksKept == live.tables.reduce(0) { $0 + $1.chunks.count })
        #expect(try Verifier.verify(path: path).ok)
    }
}
