import Foundation
import Testing
import Tape
import TapeCodec
import TapeFormat
import TapeTestSupport
@testable import TapeQuery

/// Page-level pruning (format 1.4): a WHERE on a PAGED column decodes only the pages its page zone
/// maps leave, and every answer equals the one from the same rows stored without pages.
@Suite(.serialized) struct PagePruningTests {
    /// The same rows written twice: without pages (`rowsPerPage` 0) and with 64-row pages, in
    /// 1,000-row chunks. `ts` is ascending minute bars with a NULL every 97th row, except in the
    /// `order` variants: descending or shuffled.
    final class Files: Sendable {
        let dir = TempDir()
        let plain: String
        let paged: String
        init(order: String) throws {
            plain = dir.path("plain-\(order).tape")
            paged = dir.path("paged-\(order).tape")
            let n = 5000
            var g = SplitMix64(seed: 42)
            var minutes: [Int64] = (0..<Int64(n)).map { order == "descending" ? Int64(n) - $0 : $0 }
            if order == "shuffled" { minutes.shuffle(using: &g) }
            let rows: [[Value]] = (0..<n).map { i in
                let ts: Value = i % 97 == 13 ? .null : .timestamp(1_704_067_200_000_000_000 + minutes[i] * 60_000_000_000)
                let x: Value = i % 11 == 0 ? .null : .double(Double(Int64(g.next() % 100_000)) / 100)
                return [ts, x, .int(Int64(i)), .string(["buy", "sell", "hold"][i % 3])]
            }
            for (path, pageRows) in [(plain, 0), (paged, 64)] {
                var options = WriterOptions(codec: .zstd(level: 1), rowsPerChunk: 1000, durability: .none, maxChunkLag: 0)
                options.rowsPerPage = pageRows
                let w = try TapeWriter(path: path, options: options)
                let t = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp), ColumnDef("equity", .float64),
                                                               ColumnDef("i", .int64), ColumnDef("action", .string)])
                for r in rows { try t.append(values: r) }
                try w.close()
            }
        }
        deinit { dir.cleanup() }
    }
    static let files: [String: Files] = {
        var out: [String: Files] = [:]
        for order in ["ascending", "descending", "shuffled"] { out[order] = try? Files(order: order) }
        return out
    }()

    func rows(_ sql: String, _ path: String, threads: Int) throws -> [[Value]] {
        try Query(sql: sql, paths: [path], options: QueryOptions(threads: threads)).rows()
    }

    @Test("random time ranges answer as on the unpaged file", arguments: ["ascending", "descending", "shuffled"], [1, 2])
    func slicesEqualUnpagedAnswers(order: String, threads: Int) throws {
        let f = try #require(Self.files[order])
        var g = SplitMix64(seed: UInt64(threads) * 7 + UInt64(order.count))
        for k in 0..<25 {
            let lo = Int(g.next() % 5200), len = Int(g.next() % (k % 5 == 0 ? 3000 : 200))
            let a = QueryFixture.text(1_704_067_200_000_000_000 + Int64(lo) * 60_000_000_000)
            let b = QueryFixture.text(1_704_067_200_000_000_000 + Int64(lo + len) * 60_000_000_000)
            for sql in [
                "SELECT * FROM equity WHERE ts >= '\(a)' AND ts < '\(b)'",
                "SELECT ts, equity FROM equity WHERE ts BETWEEN '\(a)' AND '\(b)' AND equity > 300",
                "SELECT count(*), sum(equity), min(ts) FROM equity WHERE ts > '\(a)' AND ts <= '\(b)'",
                "SELECT i, ts FROM equity WHERE ts >= '\(a)' ORDER BY ts LIMIT 7",
                "SELECT action, count(*) FROM equity WHERE ts < '\(a)' GROUP BY action ORDER BY action",
                "SELECT * FROM equity WHERE i >= \(lo) AND i < \(lo + len)",
                "SELECT * FROM equity WHERE ts = '\(a)'",
            ] {
                let want = try rows(sql, f.plain, threads: threads)
                let got = try rows(sql, f.paged, threads: threads)
                let ordered = sql.contains("ORDER BY")
                #expect(ordered ? got == want : got.map { "\($0)" }.sorted() == want.map { "\($0)" }.sorted(), "\(sql)")
            }
        }
    }

    @Test("EXPLAIN ANALYZE shows the pages a slice decodes")
    func explainShowsPages() throws {
        let f = try #require(Self.files["ascending"])
        let sql = "SELECT * FROM equity WHERE ts >= '2024-01-02 00:00' AND ts < '2024-01-02 01:00'"
        let q = try Query(sql: "EXPLAIN ANALYZE " + sql, paths: [f.paged])
        try q.run { _ in true }
        let text = q.explainAnalyzed()
        #expect(text.contains("pages 2 of 16"), "\(text)")
        let s = try Query(sql: sql, paths: [f.paged])
        #expect(try s.rows().count == 59)   // row 1468 has a NULL ts
        #expect(s.stats.chunksRead == 1 && s.stats.pagesRead == 2 && s.stats.rowsScanned == 128)
        let plain = try Query(sql: sql, paths: [f.plain])
        #expect(try plain.rows().count == 59)
        #expect(plain.stats.pages == 0 && plain.stats.rowsScanned == 1000)
    }

    @Test("pages ruled out by two columns' page zone maps leave no row to decode")
    func disjointPagesReadNothing() throws {
        let f = try #require(Self.files["ascending"])
        // Chunk 1 holds rows 1000..<2000 (minute = row): ts keeps its pages from row 448 on, i its pages up to row 255.
        let sql = "SELECT * FROM equity WHERE ts >= '\(QueryFixture.text(1_704_067_200_000_000_000 + 1500 * 60_000_000_000))' AND i < 1200"
        let q = try Query(sql: sql, paths: [f.paged])
        #expect(try q.rows().isEmpty)
        #expect(q.stats.chunksRead == 1 && q.stats.rowsScanned == 0 && q.stats.pagesRead == 0 && q.stats.pages == 32)
        #expect(try Query(sql: sql, paths: [f.plain]).rows().isEmpty)
    }
}
