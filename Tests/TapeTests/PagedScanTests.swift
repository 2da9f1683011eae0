import Foundation
import Testing
@testable import Tape
import TapeTestSupport

/// `TableScan` over PAGED blocks (format 1.4): page zone maps narrow the rows decoded, the answers
/// are those of the same data written without pages, the predicate block that page pruning read is
/// decoded without being read again, and damage found while pruning is reported with its place.
@Suite struct PagedScanTests {
    typealias Rows = [[Value]]

    /// Every row of `scan`, as values.
    static func collect(_ scan: TableScan) throws -> Rows {
        var out: Rows = []
        while let b = try scan.nextBatch() {
            for i in 0..<b.count { out.append(b.schema.columns.indices.map { b.value(row: i, column: $0) }) }
        }
        return out
    }

    /// The same rows written without pages (`a`) and with 50-row pages (`b`), 700-row chunks.
    static func pair(_ dir: TempDir, _ rows: Rows) throws -> (TapeReader, TapeReader) {
        try PagedBlockTests.write(rows, to: dir.path("a.tape"), rowsPerChunk: 700, rowsPerPage: 0)
        try PagedBlockTests.write(rows, to: dir.path("b.tape"), rowsPerChunk: 700, rowsPerPage: 50)
        return (try TapeReader(path: dir.path("a.tape")), try TapeReader(path: dir.path("b.tape")))
    }

    @Test("time ranges: paged and unpaged scans return the same rows; pages outside the range are not decoded",
          arguments: [(false, false), (true, false), (false, true)])
    func timeRangesAgree(descending: Bool, shuffled: Bool) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let rows = PagedBlockTests.rows(3000, seed: 11, descending: descending, shuffled: shuffled)
        let (a, b) = try Self.pair(dir, rows)
        var g = SplitMix64(seed: 12)
        var pruned = 0
        for _ in 0..<30 {
            let lo = 1_600_000_000_000_000_000 + Int64(g.next() % 3100) * 60_000_000_000
            let hi = lo + Int64(g.next() % 400) * 60_000_000_000
            let preds = [ColumnPredicate("ts", .ge, .timestamp(lo)), ColumnPredicate("ts", .lt, .timestamp(hi))]
            let columns: [String]? = g.next() % 2 == 0 ? nil : ["x", "s", "ts"]
            let plain = try a.scan("t", columns: columns, where: preds)
            let paged = try b.scan("t", columns: columns, where: preds)
            #expect(try Self.collect(paged) == Self.collect(plain), "ts in [\(lo), \(hi))")
            #expect(plain.pages == 0)
            #expect(paged.pagesRead <= paged.pages)
            if paged.pagesRead < paged.pages { pruned += 1 }
        }
        if !shuffled { #expect(pruned > 20) }
    }

    @Test("random predicates on int64, float64 (NaN included) and duration columns give the same rows paged and unpaged")
    func randomPredicatesAgree() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        // x ascending in steps so its pages prune; f and d random.
        var rows = PagedBlockTests.rows(2500, seed: 13)
        for i in rows.indices where i % 11 != 3 { rows[i][1] = .int(Int64(i) * 7 - 5000) }
        let (a, b) = try Self.pair(dir, rows)
        var g = SplitMix64(seed: 14)
        let ops = ColumnPredicate.Op.allCases
        for _ in 0..<40 {
            var preds: [ColumnPredicate] = []
            for _ in 0..<(1 + Int(g.next() % 2)) {
                let op = ops[Int(g.next() % UInt64(ops.count))]
                switch g.next() % 4 {
                case 0: preds.append(ColumnPredicate("x", op, .int(Int64(g.next() % 18_000) - 5000)))
                case 1: preds.append(ColumnPredicate("f", op, .double(g.next() % 9 == 0 ? .nan : Double(Int64(g.next() % 2000) - 1000) / 10)))
                case 2: preds.append(ColumnPredicate("d", op, .int(Int64(g.next() % 2_000_000) - 1_000_000)))
                default: preds.append(ColumnPredicate("ts", op, .timestamp(1_600_000_000_000_000_000 + Int64(g.next() % 2500) * 60_000_000_000)))
                }
            }
            #expect(try Self.collect(b.scan("t", where: preds)) == Self.collect(a.scan("t", where: preds)), "\(preds)")
        }
    }

    @Test("a predicate block page pruning read and checked is decoded from that copy, not read again")
    func prunedBlockIsNotReadTwice() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let rows = PagedBlockTests.rows(1400, seed: 15)
        let (_, b) = try Self.pair(dir, rows)
        let t = try b.table("t")
        let c = t.chunks[1]
        let lo = 1_600_000_000_000_000_000 + Int64(c.rowStart + 120) * 60_000_000_000
        let preds = [(column: 0, predicate: ColumnPredicate("ts", .ge, .timestamp(lo))),
                     (column: 0, predicate: ColumnPredicate("ts", .lt, .timestamp(lo + 60 * 60_000_000_000)))]
        let selection = try b.candidateRows(t, chunk: 1, where: preds)
        #expect(selection.rows == 100..<200)
        // Damage the ts block on disk after pruning: the decode that follows must use the checked copy.
        let handle = try #require(FileHandle(forUpdatingAtPath: dir.path("b.tape")))
        try handle.seek(toOffset: UInt64(c.blockOffsets[0] + c.blocks[0].storedLength - 1))
        try handle.write(contentsOf: Data([0xA5]))
        try handle.close()
        let ts = try b.readColumns(t, chunk: 1, columns: [0], rows: selection.rows)[0]
        let got = RecordBatch(schema: try Schema([t.schema[0]]), columns: [ts], count: ts.count)
        let want = rows[(c.rowStart + 100)..<(c.rowStart + 200)].map { $0[0] }
        #expect((0..<got.count).map { got.value(row: $0, column: 0) } == Array(want))
        // A fresh reader reads the damaged bytes and says where.
        let fresh = try TapeReader(path: dir.path("b.tape"))
        #expect {
            _ = try Self.collect(fresh.scan("t", where: preds.map(\.predicate)))
        } throws: { error in
            guard case TapeError.corrupt(_, .checksumMismatch(let what, let offset, _, _)) = error else { return false }
            return what == "block" && offset == c.blockOffsets[0]
        }
    }

    @Test("a page directory that lies is reported with its place by a pruning scan, never trapped on")
    func lyingDirectoryIsPositioned() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let values: [Value] = (0..<800).map { .int(Int64($0)) }
        // page_rows 50 → 100 with the block CRC made to match: the pages no longer add up to the
        // block, so the directory itself must be refused.
        var body = ByteWriter()
        var d = BlockEncoder(codec: .none, rowsPerPage: 50, pagesPerGroup: 0).encode(column(.int64, values), encoding: nil, into: &body)
        var stored = body.bytes
        #expect(d.encoding == PageDirectory.encodingID && stored[0] == 50)
        stored[0] = 100
        d.checksum = stored.withUnsafeBytes { CRC32C.mask(CRC32C.checksum($0)) }
        var f = CraftedFile(minor: 4)
        let c = f.rawChunk("t", [Col("x", .int64)], rowCount: 800, blocks: [d], body: stored)
        f.seal(minor: 4)
        try Data(f.bytes).write(to: URL(fileURLWithPath: dir.path("b.tape")))
        let r = try TapeReader(path: dir.path("b.tape"))
        #expect {
            _ = try Self.collect(r.scan("t", where: [ColumnPredicate("x", .ge, .int(10))]))
        } throws: { error in
            guard case TapeError.corrupt(_, .invalid(let what, let offset, _)) = error else { return false }
            return what == "page directory" && offset == c.bodyOffset
        }
    }
}
