import Foundation
import Testing
import Tape
import TapeTestSupport
@testable import TapeQuery

/// The operator engine beyond answers (which the DuckDB differential tests check): memory limits
/// named per operator, EXPLAIN per operator, pushdown into join inputs, CTEs run once, the
/// virtual `runs` table, LIMIT stopping a scan under a join.
@Suite struct OperatorTests {
    static let fixture: QueryFixture = { try! QueryFixture(runs: 3, bars: 3000, rowsPerChunk: 400) }()
    var paths: [String] { Self.fixture.paths }

    func failure(_ sql: String, memoryLimit: Int) -> QueryError? {
        do {
            _ = try Query(sql: sql, paths: paths, options: QueryOptions(threads: 2, memoryLimit: memoryLimit)).rows()
            return nil
        } catch { return error }
    }

    @Test(arguments: [
        ("SELECT count(*) FROM trades t ASOF JOIN equity e ON t.run = e.run AND t.ts >= e.ts", "ASOF JOIN"),
        ("SELECT count(*) FROM (SELECT ts FROM trades INTERSECT SELECT ts FROM equity)", "INTERSECT"),
        ("WITH w AS (SELECT * FROM equity) SELECT count(*) FROM w", "WITH w"),
    ])
    /// (Sort, hash join, DISTINCT, GROUP BY and partitioned windows spill instead: SpillTests.)
    func operatorsBeyondTheMemoryLimitFailNamingIt(sql: String, op: String) {
        let e = failure(sql, memoryLimit: 64 << 10)
        #expect(e?.message.contains(op) == true, "\(e?.message ?? "no error")")
        #expect(e?.message.contains("64 KiB (--memory-limit)") == true, "\(e?.message ?? "no error")")
        // With the default limit the same query runs.
        #expect(failure(sql, memoryLimit: 2 << 30) == nil)
    }

    @Test func explainShowsEachOperatorAndPushdownIntoJoinInputs() throws {
        let q = try Query(sql: "EXPLAIN SELECT t.symbol, sum(e.equity) FROM trades t JOIN equity e USING (run, ts) WHERE t.pnl < 0 AND e.run = 'run001' GROUP BY 1 ORDER BY 1 LIMIT 3",
                          paths: paths)
        try q.run { _ in Issue.record("EXPLAIN returned rows"); return true }
        let text = q.explainAnalyzed()
        for part in ["TOP-N 3", "HASH AGGREGATE sum(e.equity) GROUP BY t.symbol", "HASH JOIN INNER on t.run = e.run AND t.ts = e.ts",
                     "zone maps: pnl < 0.0", "run filter: (e.run = 'run001')", "table trades:", "table equity:"] {
            #expect(text.contains(part), "missing \(part) in\n\(text)")
        }
        // The run filter pushed into the equity scan skipped the other runs.
        #expect(text.contains("2 skipped by run filters"), "\(text)")
    }

    @Test func asofJoinSortsOnlyGroupsOutOfTimeOrder() throws {
        let inOrder = try Query(sql: "SELECT count(*) FROM trades t ASOF JOIN equity e ON t.run = e.run AND t.ts >= e.ts", paths: paths)
        let a = try inOrder.rows()
        #expect(inOrder.explainAnalyzed().contains("3 groups, 0 sorted"), "\(inOrder.explainAnalyzed())")
        let reversed = try Query(sql: "SELECT count(*) FROM trades t ASOF JOIN (SELECT * FROM equity ORDER BY ts DESC) e ON t.run = e.run AND t.ts >= e.ts", paths: paths)
        let b = try reversed.rows()
        #expect(reversed.explainAnalyzed().contains("3 groups, 3 sorted"), "\(reversed.explainAnalyzed())")
        #expect(a == b)
    }

    @Test func cteReferencedTwiceRunsOnce() throws {
        let q = try Query(sql: "EXPLAIN WITH w AS (SELECT run, count(*) AS n FROM equity GROUP BY run) SELECT a.run, b.n FROM w a JOIN w b USING (run)", paths: paths)
        try q.run { _ in true }
        let text = q.explainAnalyzed()
        #expect(text.components(separatedBy: "SCAN equity").count == 2, "\(text)")   // the query appears once
        #expect(q.stats.rowsScanned == 3 * 3000 || q.stats.answeredFromStatistics)
    }

    @Test func runsTableComesFromFootersOnly() throws {
        let q = try Query(sql: "SELECT * FROM runs ORDER BY run", paths: paths)
        let names = q.columns.map(\.name)
        #expect(Array(names.prefix(2)) == ["run", "path"])
        #expect(names.contains("strategy") && names.contains("fast"))
        #expect(q.columns.first { $0.name == "fast" }?.type == .int)
        let r = try q.rows()
        #expect(r.count == 3)
        #expect(r.map { $0[1] } == paths.map { .string($0) })
        let explain = try Query(sql: "EXPLAIN SELECT * FROM runs", paths: paths).explain()
        #expect(explain.contains("no chunk read"))
    }

    @Test(arguments: [1, 2])
    func limitOverAJoinStopsTheScan(threads: Int) throws {
        let q = try Query(sql: "SELECT t.ts, r.strategy FROM equity t JOIN runs r USING (run) LIMIT 5", paths: paths, options: QueryOptions(threads: threads))
        #expect(try q.rows().count == 5)
        #expect(q.stats.chunksNotNeeded > 0, "\(q.stats)")
    }

    @Test func ambiguousColumnNamesBothTables() {
        do {
            _ = try Query(sql: "SELECT ts FROM trades a JOIN equity b USING (run)", paths: paths).rows()
            Issue.record("no error")
        } catch {
            #expect(error.message.contains("'a' and 'b'"), "\(error.message)")
        }
    }
}
