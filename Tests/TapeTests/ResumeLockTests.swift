import Foundation
import Testing
@testable import Tape
import TapeFormat
import TapeTestSupport

/// `TapeWriter.resume` takes the file's writer lock once and holds it from recovery to the
/// resumed writer's close: another writer of the path (an append, a compaction, a recovery) is
/// refused at every step, never let in between recovery and the append.
@Suite("TapeWriter.resume holds the writer lock throughout")
struct ResumeLockTests {
    /// What a concurrent writer of `path` gets: nil when it got in (and wrote), else the error.
    static func otherWriter(_ path: String) -> Error? {
        do {
            let w = try TapeWriter(appendingTo: path)
            try w.setMetadata("intruder", "yes")
            try w.close()
            return nil
        } catch { return error }
    }

    static func isLocked(_ e: Error?) -> Bool {
        if case TapeError.locked? = e { return true }
        return false
    }

    @Test func concurrentWriterIsRefusedAtEveryStep() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape"), dead = dir.path("dead.tape")
        try RecoveryMetricsTests().write(path, bars: 2_000, copyUnsealedTo: dead)
        var steps: [String] = []
        let (w, state) = try TapeWriter.resume(path: dead, options: WriterOptions(), whileLocked: { step in
            steps.append(step)
            #expect(Self.isLocked(Self.otherWriter(dead)), "another writer got in at step '\(step)'")
            #expect(Self.isLocked(Result { try Recovery.recover(path: dead) }.error), "a recovery got in at step '\(step)'")
        })
        #expect(steps == ["locked", "recovered", "metrics rebuilt"])
        #expect(state.recovery.chunksKept > 0 && !state.recovery.wasSealed)
        // Until the resumed writer closes.
        #expect(Self.isLocked(Self.otherWriter(dead)))
        let eq = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
        let n = state.rowCount("equity")
        try eq.append(values: [.timestamp(Int64(n) * 3_600_000_000_000), .double(1)])
        #expect(Self.isLocked(Self.otherWriter(dead)))
        try w.close()
        #expect(Self.otherWriter(dead) == nil)
        let r = try TapeReader(path: dead)
        #expect(try r.table("equity").rowCount == n + 1 && r.footer.metadataValue("intruder") == "yes")
    }

    @Test("a file whose header was torn is started anew in place, under the same lock")
    func tornHeaderStartsAnewUnderTheLock() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        var header = ByteWriter()
        FileHeader.encode(into: &header)
        try Data(header.bytes.prefix(7)).write(to: URL(fileURLWithPath: path))
        let (w, state) = try TapeWriter.resume(path: path, options: WriterOptions(), whileLocked: { _ in
            #expect(Self.isLocked(Self.otherWriter(path)))
        })
        #expect(state.tables.isEmpty)
        #expect(Self.isLocked(Self.otherWriter(path)))
        let t = try w.declareTable("t", columns: [ColumnDef("x", .int64)])
        try t.append(values: [.int(3)])
        try w.close()
        #expect(try TapeReader(path: path).rows("t") == [[.int(3)]])
    }
}

private extension Result {
    var error: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
