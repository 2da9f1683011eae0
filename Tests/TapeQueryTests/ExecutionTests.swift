import Foundation
import Testing
import Tape
import TapeCodec
import TapeFormat
import TapeTestSupport
@testable import TapeQuery

@Suite struct ExecutionTests {
    static let fixture: QueryFixture = { try! QueryFixture(runs: 4, bars: 5000, rowsPerChunk: 500) }()
    var paths: [String] { Self.fixture.paths }

    func rows(_ sql: String, threads: Int = 2) throws -> [[Value]] {
        try Query(sql: sql, paths: paths, options: QueryOptions(threads: threads)).rows()
    }

    @Test func timeSliceReadsOnlyTheChunksHoldingIt() throws {
        let q = try Query(sql: "SELECT ts, equity FROM equity WHERE run = 'run001' AND ts >= '2024-01-02 10:00' AND ts < '2024-01-02 11:00'", paths: paths)
        let r = try q.rows()
        #expect(r.count == 60)
        #expect(q.stats.chunksRead <= 2)
        #expect(q.stats.runsSkipped == 3)
        #expect(q.stats.chunksSkipped == q.stats.chunks - q.stats.chunksRead)
        #expect(q.stats.bytesSkipped > q.stats.bytesRead)
    }

    @Test(arguments: [1, 2])
    func limitWithoutOrderStopsReading(threads: Int) throws {
        let q = try Query(sql: "SELECT ts, equity FROM equity LIMIT 10", paths: paths, options: QueryOptions(threads: threads))
        let r = try q.rows()
        #expect(r.count == 10)
        #expect(q.stats.chunksRead <= 1 + 2 * threads)
        #expect(q.stats.chunksNotNeeded > 0)
        // The first rows in file order: run000's first ten bars.
        let all = try TapeReader(path: paths[0]).rows("equity", columns: ["ts", "equity"])
        #expect(r == Array(all.prefix(10)))
    }

    @Test(arguments: [1, 7, 100, 5000])
    func topNEqualsFullSortPrefix(n: Int) throws {
        let full = try rows("SELECT run, ts, equity FROM equity ORDER BY equity DESC, run, ts")
        let top = try rows("SELECT run, ts, equity FROM equity ORDER BY equity DESC, run, ts LIMIT \(n)")
        #expect(top == Array(full.prefix(n)))
        let offset = try rows("SELECT run, ts, equity FROM equity ORDER BY equity DESC, run, ts LIMIT \(n) OFFSET 3")
        #expect(offset == Array(full.dropFirst(3).prefix(n)))
    }

    /// Once the top-N buffer is full, chunks whose zone map puts every row after its last row are
    /// skipped unread (single-threaded scans) — without changing the answer.
    @Test(arguments: ["ts", "ts DESC", "equity", "equity DESC", "position NULLS FIRST", "position DESC"])
    func topNSkipsChunksPastTheCutOff(order: String) throws {
        let full = try rows("SELECT run, ts, equity, position FROM equity ORDER BY \(order), run, ts", threads: 1)
        let q = try Query(sql: "SELECT run, ts, equity, position FROM equity ORDER BY \(order), run, ts LIMIT 5", paths: paths, options: QueryOptions(threads: 1))
        let top = try q.rows()
        #expect(top == Array(full.prefix(5)))
        if order == "ts" { #expect(q.stats.chunksSkipped > 0) }
    }

    /// Columns only needed after WHERE are not decoded for chunks where no row passes.
    @Test(arguments: [1, 2])
    func columnsAfterAFilterThatKeepsNothingAreNotRead(threads: Int) throws {
        let none = try Query(sql: "SELECT * FROM equity WHERE equity * 0 = 1", paths: paths, options: QueryOptions(threads: threads))
        #expect(try none.rows().isEmpty)
        let all = try Query(sql: "SELECT * FROM equity WHERE equity * 0 = 0", paths: paths, options: QueryOptions(threads: threads))
        #expect(try all.rows().count == 20_000)
        #expect(none.stats.chunksRead == all.stats.chunksRead)
        #expect(none.stats.bytesRead < all.stats.bytesRead)
    }

    @Test func threadsGiveIdenticalResultsInFileOrder() throws {
        let one = try rows("SELECT run, ts, pnl FROM trades WHERE pnl > 0", threads: 1)
        let two = try rows("SELECT run, ts, pnl FROM trades WHERE pnl > 0", threads: 2)
        #expect(one == two)
        #expect(!one.isEmpty)
    }

    @Test func unionFillsMissingColumnsAndSkipsMissingTables() throws {
        // Only momentum runs (run000, run003) have `note`; run004 (r % 5 == 4) has no trades at all.
        let r = try rows("SELECT run, count(*), count(note) FROM trades GROUP BY run ORDER BY run")
        #expect(r.map { $0[0] } == [.string("run000"), .string("run001"), .string("run002"), .string("run003")])
        for row in r where row[0] == .string("run001") || row[0] == .string("run002") { #expect(row[2] == .int(0)) }
        let q = try Query(sql: "SELECT count(*) FROM trades", paths: paths)
        _ = try q.rows()
        #expect(q.stats.runs == 4)
        #expect(q.stats.runsWithoutTable == 0)
        let five = try QueryFixture(runs: 5, bars: 200)
        defer { five.dir.cleanup() }
        let q5 = try Query(sql: "SELECT count(*) FROM trades", paths: five.paths)
        _ = try q5.rows()
        #expect(q5.stats.runsWithoutTable == 1)
    }

    @Test func conditionOnAColumnSomeRunsLackSkipsThoseRuns() throws {
        let q = try Query(sql: "SELECT count(*) FROM trades WHERE note = 'breakout'", paths: paths)
        let r = try q.rows()
        #expect(q.stats.runsSkipped == 2)
        let manual = try rows("SELECT count(*) FROM trades WHERE note IS NOT NULL AND note LIKE 'breakout'")
        #expect(r == manual)
    }

    @Test func metadataColumnsAreTypedAndFilterRuns() throws {
        let r = try rows("SELECT DISTINCT run, strategy, fast FROM equity WHERE fast > 5 AND strategy = 'sma' ORDER BY run")
        #expect(r == [[.string("run001"), .string("sma"), .int(10)], [.string("run002"), .string("sma"), .int(15)]])
    }

    @Test func intAndFloatColumnsUnifyToDouble() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        for (i, type) in [ColumnType.int64, .float64].enumerated() {
            let w = try TapeWriter(path: dir.path("m\(i).tape"))
            let t = try w.declareTable("x", columns: [ColumnDef("v", type)])
            try t.append(values: [type == .int64 ? .int(2) : .double(0.5)])
            _ = try w.close()
        }
        let r = try Query(sql: "SELECT sum(v), min(v) FROM x", paths: [dir.path("m0.tape"), dir.path("m1.tape")]).rows()
        #expect(r == [[.double(2.5), .double(0.5)]])
    }

    /// min/max over doubles with NaN and infinities follow DuckDB: NaN orders above everything.
    @Test(arguments: [
        ([1.0, .nan, -2.0, 5.0, 3.0], -2.0, Double.nan),
        ([.infinity, 1.0, -.infinity, 2.0, 0.5, 7.0], -Double.infinity, Double.infinity),
        ([.nan, .nan, .nan, .nan, .nan], Double.nan, Double.nan),
        ([4.0, 3.0, 2.0, 1.0, 0.0, -1.0, -2.0, -3.0, -4.0], -4.0, 4.0),
    ])
    func minMaxOfDoubles(_ values: [Double], _ lo: Double, _ hi: Double) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let w = try TapeWriter(path: dir.path("n.tape"))
        let t = try w.declareTable("x", columns: [ColumnDef("v", .float64, nullable: false)])
        for v in values { try t.append(values: [.double(v)]) }
        _ = try w.close()
        // Without WHERE the answer comes from the footer's statistics; with one, from the data.
        for sql in ["SELECT min(v), max(v) FROM x", "SELECT min(v), max(v) FROM x WHERE v IS NULL OR v IS NOT NULL"] {
            let q = try Query(sql: sql, paths: [dir.path("n.tape")])
            let r = try q.rows()
            #expect(q.stats.answeredFromStatistics == !sql.contains("WHERE"))
            guard case .double(let a) = r[0][0], case .double(let b) = r[0][1] else { Issue.record("\(r)"); return }
            #expect(a == lo || (a.isNaN && lo.isNaN), "\(sql)")
            #expect(b == hi || (b.isNaN && hi.isNaN), "\(sql)")
        }
    }

    @Test func countMinMaxFromFooterStatisticsEqualTheScan() throws {
        let sql = "SELECT count(*), count(position), min(equity), max(equity), min(ts), max(ts), min(position), max(run) FROM equity"
        let fast = try Query(sql: sql, paths: paths)
        let fromStats = try fast.rows()
        #expect(!fast.stats.answeredFromStatistics)   // max(run) is a virtual column: scanned
        let stored = "SELECT count(*), count(position), min(equity), max(equity), min(ts), max(ts), min(position) FROM equity"
        let q = try Query(sql: stored, paths: paths)
        let a = try q.rows()
        #expect(q.stats.answeredFromStatistics)
        #expect(q.stats.bytesRead == 0)
        let scanned = try rows(stored + " WHERE ts IS NOT NULL")
        #expect(a == scanned)
        #expect(Array(fromStats[0].prefix(2)) == Array(a[0].prefix(2)))
    }

    @Test func sortBeyondTheMemoryLimitSpills() throws {
        let spilled = try Query(sql: "SELECT * FROM equity ORDER BY equity", paths: paths, options: QueryOptions(memoryLimit: 64 << 10)).rows()
        #expect(spilled == (try Query(sql: "SELECT * FROM equity ORDER BY equity", paths: paths).rows()))
        // With a LIMIT the top-N buffer stays small and the same query runs.
        let top = try Query(sql: "SELECT * FROM equity ORDER BY equity LIMIT 5", paths: paths, options: QueryOptions(memoryLimit: 64 << 10)).rows()
        #expect(top.count == 5)
    }

    @Test func caseGuardsAFailingBranch() throws {
        let r = try rows("SELECT sum(CASE WHEN qty % 2 = 0 THEN 0 ELSE 100 // (qty % 2) END) FROM trades")
        let odd = try rows("SELECT count(*) FROM trades WHERE qty % 2 = 1")
        guard case .int(let n) = odd[0][0] else { Issue.record("count"); return }
        #expect(r == [[.int(100 * n)]])
    }

    @Test func explainShowsPushdown() throws {
        let q = try Query(sql: "EXPLAIN SELECT symbol, sum(pnl) FROM trades WHERE ts >= '2024-01-03' AND strategy = 'sma' GROUP BY symbol", paths: paths)
        #expect(q.isExplain)
        try q.run { _ in Issue.record("EXPLAIN returned rows"); return true }
        let text = q.explainAnalyzed()
        #expect(text.contains("SCAN trades"))
        #expect(text.contains("zone maps: ts >= TIMESTAMP '2024-01-03T00:00:00Z'"))
        #expect(text.contains("run filter: (strategy = 'sma')"))
        #expect(text.contains("AGGREGATE sum(pnl) GROUP BY symbol"))
        #expect(text.contains("chunks read"))
    }

    @Test func selectWithoutFrom() throws {
        let r = try Query(sql: "SELECT 1 + 2 AS three, 'x' || 'y', TIMESTAMP '2024-03-01' + INTERVAL '1 month', date_part('year', TIMESTAMP '2024-03-01')", paths: []).rows()
        #expect(r == [[.int(3), .string("xy"), .timestamp(Timestamps.parse("2024-04-01")!), .int(2024)]])
    }
}
