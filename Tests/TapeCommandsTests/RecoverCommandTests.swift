import Foundation
import Testing
import Tape
import TapeFormat
import TapeTestSupport

// `tape recover` as a process: --salvage reports the missing row ranges on stderr; the default
// keeps the safe prefix and says that later intact chunks exist.

@Suite("tape recover (executable)")
struct RecoverCommandTests {
    /// An unsealed file with 4 chunks of 50 rows of `equity`, whose second chunk is damaged.
    private func damagedRun(_ dir: TempDir) throws -> (dead: [UInt8], victim: Footer.ChunkEntry) {
        let live = dir.path("live.tape")
        let w = try TapeWriter(path: live, options: WriterOptions(rowsPerChunk: 50, maxChunkLag: 0))
        let t = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("x", .float64)])
        for i in 0..<200 { try t.append(values: [.timestamp(Int64(i)), .double(Double(i))]) }
        var dead = Array(try Data(contentsOf: URL(fileURLWithPath: live)))
        try w.close()
        let victim = try TapeReader(path: live).table("equity").chunks[1]
        dead[victim.bodyOffset + 1] ^= 0x10
        return (dead, victim)
    }

    @Test func salvageReportsGapsOnStderr() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let (dead, _) = try damagedRun(dir)
        let path = dir.path("run.tape")
        try Data(dead).write(to: URL(fileURLWithPath: path))
        let safe = try runTape(["recover", "--dry-run", path])
        #expect(safe.status == 0)
        #expect(safe.stdout.contains("would keep 1 chunk(s)") && safe.stdout.contains("2 later intact chunk(s) (--salvage"))
        let out = try runTape(["recover", "--salvage", path])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("kept 3 chunk(s)") && out.stdout.contains("equity: 150 rows"))
        #expect(out.stderr.contains("table 'equity': rows 50..<100 missing (50 rows); later rows renumbered from 50"))
        #expect(try TapeReader(path: path).footer.metadataValue(Recovery.gapsMetadataKey)?.contains("\"first_missing_row\":50") == true)
        let sealed = try runTape(["recover", path])
        #expect(sealed.status == 0 && sealed.stdout.contains("sealed") && sealed.stdout.contains("tape verify"))
    }
}
