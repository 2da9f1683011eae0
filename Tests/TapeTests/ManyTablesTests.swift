import Foundation
import Testing
import Tape
import TapeTestSupport

/// A run with tens of thousands of tables (issue 13: 35,000 tables overflowed the stack through
/// the mutual recursion of the chunk-lag flush and the table flush, and the lag check scanned
/// every table per chunk, O(tables²)).
@Suite("Many tables")
struct ManyTablesTests {
    @Test("50,000 one-row tables write, seal and read back")
    func fiftyThousandTables() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("many.tape")
        let n = 50_000
        let w = try TapeWriter(path: path, options: WriterOptions(codec: .none, durability: .none, encodingThreads: 1))
        let schema = try Schema([ColumnDef("x", .int64)])
        for i in 0..<n {
            try w.declareTable("t\(i)", schema: schema).append(values: [.int(Int64(i))])
        }
        try w.close()
        let r = try TapeReader(path: path)
        #expect(r.tables.count == n)
        #expect(r.tables.allSatisfy { $0.rowCount == 1 && $0.chunks.count == 1 })
        #expect(try r.rows("t49999") == [[.int(49_999)]])
        #expect(try Verifier.verify(path: path).ok)
    }

    @Test("lagging tables are flushed oldest first, each once")
    func lagFlushOrder() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("lag.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 2, maxChunkLag: 2))
        let schema = try Schema([ColumnDef("x", .int64)])
        let fast = try w.declareTable("fast", schema: schema)
        let slow = try (0..<3).map { try w.declareTable("slow\($0)", schema: try Schema([ColumnDef("x", .int64, nullable: true), ColumnDef("y", .int64)])) }
        for s in slow.reversed() { try s.append(values: [.null, .int(1)]) }   // slow2 buffered first
        for i in 0..<4 { try fast.append(values: [.int(Int64(i))]) }   // 2 chunks: then every slow table has waited 2
        let r = try TapeReader(path: path, options: ReaderOptions(allowUnsealed: true))
        let order = r.tables.flatMap { t in t.chunks.map { ($0.frameOffset, t.name) } }.sorted { $0.0 < $1.0 }.map(\.1)
        #expect(order == ["fast", "fast", "slow2", "slow1", "slow0"])
        try w.close()
        #expect(try TapeReader(path: path).tables.map { $0.chunks.count } == [2, 1, 1, 1])
    }
}
