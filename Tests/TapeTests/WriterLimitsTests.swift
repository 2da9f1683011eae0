import Testing
import Tape
import TapeTestSupport

/// Writers obey the format's name rules and its chunk decoded-size limit (format-spec §3.1, §7).
@Suite struct WriterLimitsTests {
    @Test(arguments: ["bad\nname", "nul\u{0}", "\u{1b}[2J", ""])
    func tableNamesBreakingTheRulesAreRefused(_ name: String) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let w = try TapeWriter(path: dir.path("r.tape"))
        #expect(throws: TapeError.self) { try w.declareTable(name, columns: [ColumnDef("x", .int64)]) }
        #expect(throws: TapeError.self) { try w.declareTable("t", columns: [ColumnDef(name, .int64)]) }
        try w.close()
    }

    /// A wide batch appended at once (160 columns × 65,536 rows = 80 MiB decoded) is cut into
    /// chunks within the limit, and reads back.
    @Test func wideBatchesAreCutWithinTheDecodedSizeLimit() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("wide.tape")
        let columns = 160, rows = 65_536
        let w = try TapeWriter(path: path)
        let t = try w.declareTable("t", columns: (0..<columns).map { ColumnDef("c\($0)", .bool) })
        let data = (0..<columns).map { c in ColumnData(type: .bool, storage: .bool(Bitmap((0..<rows).map { ($0 + c) % 3 == 0 }))) }
        try t.append(columns: data)
        try w.close()
        let reader = try TapeReader(path: path)
        let table = try reader.table("t")
        #expect(table.rowCount == rows)
        #expect(table.chunks.count > 1)
        for c in table.chunks {
            #expect(ChunkLimits.decodedSize(schema: table.schema, rowCount: c.rowCount, blocks: c.blocks) <= ChunkLimits.maxDecodedBytes)
        }
        let last = try reader.readColumn(table, chunk: table.chunks.count - 1, column: columns - 1)
        #expect(last.count == table.chunks.last?.rowCount)
    }

    @Test func bytesPerChunkAboveTheLimitIsRefused() {
        #expect(throws: TapeError.self) {
            try TapeWriter(path: "/tmp/never.tape", options: WriterOptions(bytesPerChunk: WriterOptions.maxBytesPerChunk + 1))
        }
    }
}
