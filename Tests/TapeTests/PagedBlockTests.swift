import Foundation
import Testing
import Tape
import TapeTestSupport

/// PAGED blocks (format 1.4, format-spec §5.5): what the writer stores, that any row range reads
/// back exactly, that page zone maps never drop a matching row, and that lies in a page directory
/// are reported with their place.
@Suite struct PagedBlockTests {
    static let columns = [ColumnDef("ts", .timestamp, nullable: true), ColumnDef("x", .int64), ColumnDef("f", .float64),
                          ColumnDef("d", .duration), ColumnDef("b", .bool), ColumnDef("s", .string)]

    /// `n` rows: `ts` ascending minute bars (descending with `descending`, shuffled with
    /// `shuffled`; every 37th null), the other columns random with NULLs.
    static func rows(_ n: Int, seed: UInt64, descending: Bool = false, shuffled: Bool = false) -> [[Value]] {
        var g = SplitMix64(seed: seed)
        var ts: [Int64] = (0..<n).map { 1_600_000_000_000_000_000 + Int64(descending ? n - $0 : $0) * 60_000_000_000 }
        if shuffled { ts.shuffle(using: &g) }
        return (0..<n).map { i in
            [i % 37 == 5 ? .null : .timestamp(ts[i])] + columns.dropFirst().map { randomValue($0.type, nullable: true, &g) }
        }
    }

    static func write(_ rows: [[Value]], to path: String, rowsPerChunk: Int, rowsPerPage: Int) throws {
        var options = WriterOptions(codec: .zstd(level: 1), rowsPerChunk: rowsPerChunk, durability: .none, maxChunkLag: 0)
        options.rowsPerPage = rowsPerPage
        let w = try TapeWriter(path: path, options: options)
        let t = try w.declareTable("t", columns: columns)
        for r in rows { try t.append(values: r) }
        try w.close()
    }

    @Test("numeric and timestamp blocks of more than rowsPerPage rows are PAGED; bool and string never")
    func writerPagesFixedWidthBlocks() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("p.tape")
        let rows = Self.rows(1000, seed: 1)
        try Self.write(rows, to: path, rowsPerChunk: 300, rowsPerPage: 64)
        let r = try TapeReader(path: path)
        let t = try r.table("t")
        for c in t.chunks {
            for (i, b) in c.blocks.enumerated() {
                let pagedType = [ColumnType.timestamp, .int64, .float64, .duration].contains(t.schema[i].type)
                #expect((b.encoding == PageDirectory.encodingID) == (pagedType && c.rowCount > 64), "column \(i) of \(c.rowCount) rows")
            }
        }
        #expect(try r.rows("t").isIdentical(to: rows))
        let report = try Verifier.verify(path: path)
        #expect(report.ok, "\(report.problems)")
    }

    @Test("any row range of any column reads back the same rows as a full read (pages straddled, NULLs)")
    func rowRangesEqualSlices() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("p.tape")
        try Self.write(Self.rows(2000, seed: 2), to: path, rowsPerChunk: 700, rowsPerPage: 50)
        let r = try TapeReader(path: path)
        let t = try r.table("t")
        var g = SplitMix64(seed: 3)
        for chunk in t.chunks.indices {
            let n = t.chunks[chunk].rowCount
            let full = RecordBatch(schema: t.schema, columns: try r.readColumns(t, chunk: chunk, columns: Array(t.schema.columns.indices)),
                                   count: n)
            var ranges: [Range<Int>] = [0..<n, 0..<0, 0..<1, (n - 1)..<n, 49..<51, 50..<100, 0..<50]
            for _ in 0..<20 {
                let a = Int(g.next() % UInt64(n)), b = Int(g.next() % UInt64(n + 1))
                ranges.append(min(a, b)..<max(a, b))
            }
            for range in ranges {
                let columns = try r.readColumns(t, chunk: chunk, columns: Array(t.schema.columns.indices), rows: range)
                #expect(columns.allSatisfy { $0.count == range.count })
                let part = RecordBatch(schema: t.schema, columns: columns, count: range.count)
                for col in t.schema.columns.indices {
                    for (k, row) in range.enumerated() where part.value(row: k, column: col) != full.value(row: row, column: col) {
                        Issue.record("chunk \(chunk) column \(col) rows \(range): row \(row) differs")
                    }
                }
            }
        }
    }

    @Test("page zone maps keep every matching row: ascending, descending, shuffled and NULL timestamps",
          arguments: [(false, false), (true, false), (false, true)])
    func candidateRowsNeverDropAMatch(descending: Bool, shuffled: Bool) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("p.tape")
        let rows = Self.rows(3000, seed: 4, descending: descending, shuffled: shuffled)
        try Self.write(rows, to: path, rowsPerChunk: 1024, rowsPerPage: 100)
        let r = try TapeReader(path: path)
        let t = try r.table("t")
        var g = SplitMix64(seed: 5)
        var pruned = 0
        for _ in 0..<40 {
            let lo = 1_600_000_000_000_000_000 + Int64(g.next() % 3000) * 60_000_000_000
            let hi = lo + Int64(g.next() % 300) * 60_000_000_000
            let preds = [ColumnPredicate("ts", .ge, .timestamp(lo)), ColumnPredicate("ts", .lt, .timestamp(hi))]
            for (ci, c) in t.chunks.enumerated() {
                let sel = try r.candidateRows(t, chunk: ci, where: preds.map { (column: 0, predicate: $0) })
                #expect(sel.pages == (c.rowCount + 99) / 100)
                if sel.rows.count < c.rowCount { pruned += 1 }
                for i in 0..<c.rowCount {
                    guard case .timestamp(let v) = rows[c.rowStart + i][0], v >= lo, v < hi else { continue }
                    #expect(sel.rows.contains(i), "row \(c.rowStart + i) matches but page pruning dropped it")
                }
            }
        }
        if !shuffled { #expect(pruned > 0) }
    }

    @Test("files written without pages (rowsPerPage 0) and with them hold the same rows; pages cost little space")
    func unpagedAndPagedAgree() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let rows = Self.rows(5000, seed: 6)
        try Self.write(rows, to: dir.path("a.tape"), rowsPerChunk: 5000, rowsPerPage: 0)
        try Self.write(rows, to: dir.path("b.tape"), rowsPerChunk: 5000, rowsPerPage: 1000)
        let a = try TapeReader(path: dir.path("a.tape")), b = try TapeReader(path: dir.path("b.tape"))
        #expect(try a.table("t").chunks.flatMap(\.blocks).allSatisfy { $0.encoding != PageDirectory.encodingID })
        #expect(try a.rows("t") == b.rows("t"))
        #expect(b.fileSize < a.fileSize + a.fileSize / 10)
    }

    @Test func rowsPerPageIsValidated() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var options = WriterOptions()
        options.rowsPerPage = -1
        #expect(throws: TapeError.self) { _ = try TapeWriter(path: dir.path("x.tape"), options: options) }
    }
}
