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
        ("SELECT count(*) FROM trades t ASOF JOIN equity e ON t.ts >= e.ts", "ASOF JOIN"),
        ("SELECT count(*) FROM (SELECT ts, count(DISTINCT position) OVER (ORDER BY equity) FROM equity)", "Window operator"),
        ("SELECT count(*), sum(e.equity + t.pnl) FROM trades t CROSS JOIN equity e", "INNER JOIN"),
    ])
    /// (Sort, hash joins, ASOF joins with equality keys, DISTINCT, GROUP BY, INTERSECT/EXCEPT, CTE
    /// results and windows whose functions stream over sorted rows spill instead: SpillTests.)
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

    @Test func correlatedSubqueryRunsOncePerOuterValueWithRunPruning() throws {
        let sql = "SELECT count(*) FROM trades t WHERE pnl > (SELECT avg(u.pnl) FROM trades u WHERE u.run = t.run)"
        let q = try Query(sql: sql, paths: paths)
        let rows = try q.rows()
        let text = q.explainAnalyzed()
        // Linked by an equality only: decorrelated into one grouped query and a hash table.
        #expect(text.contains("CORRELATED SUBQUERY 1 (scalar, decorrelated: run once into a hash table probed by t.run)"), "\(text)")
        #expect(text.contains("HASH AGGREGATE avg(u.pnl) GROUP BY u.run") || text.contains("GROUP BY run"), "\(text)")
        // Same answer as the hand-decorrelated join.
        let joined = try Query(sql: "SELECT count(*) FROM trades t JOIN (SELECT run, avg(pnl) AS a FROM trades GROUP BY run) x ON t.run = x.run WHERE t.pnl > x.a",
                               paths: paths).rows()
        #expect(rows == joined)
    }

    @Test func otherCorrelatedShapesRunOncePerOuterValue() throws {
        let q = try Query(sql: "SELECT count(*) FROM trades t WHERE pnl > (SELECT avg(u.pnl) FROM trades u WHERE u.run = t.run AND u.ts < t.ts + INTERVAL '1 day' LIMIT 1)",
                          paths: paths)
        let rows = try q.rows()
        let text = q.explainAnalyzed()
        let runs = try Query(sql: "SELECT count(DISTINCT run || CAST(ts AS VARCHAR)) FROM trades", paths: paths).rows()
        guard case .int(let distinct)? = runs.first?.first else { Issue.record("no count"); return }
        #expect(text.contains("CORRELATED SUBQUERY 1 (scalar, planned and run once per distinct t.run, t.ts, memoised) [\(distinct) runs]"), "\(text)")
        // The subquery's shape shows the outer value pushed into its scan as a run filter.
        #expect(text.contains("run filter: (run = NULL)"), "\(text)")
        #expect(!rows.isEmpty)
    }

    @Test func fullJoinUsingShowsTheMergedKeyOnce() throws {
        let q = try Query(sql: "SELECT * FROM (SELECT run, count(*) AS n FROM trades WHERE run <> 'run000' GROUP BY run) a FULL JOIN (SELECT run, max(fast) AS f FROM runs WHERE run <> 'run002' GROUP BY run) b USING (run) ORDER BY run",
                          paths: paths)
        #expect(q.columns.map(\.name) == ["run", "n", "f"])
        let rows = try q.rows()
        #expect(rows.map { $0[0] } == [.string("run000"), .string("run001"), .string("run002")])
    }

    @Test func ignoreNullsAfterTheParenthesesMeansTheSame() throws {
        let a = try Query(sql: "SELECT lag(pnl) IGNORE NULLS OVER (PARTITION BY run ORDER BY ts), first_value(pnl) IGNORE NULLS OVER (ORDER BY run, ts) FROM trades ORDER BY run, ts", paths: paths).rows()
        let b = try Query(sql: "SELECT lag(pnl IGNORE NULLS) OVER (PARTITION BY run ORDER BY ts), first_value(pnl IGNORE NULLS) OVER (ORDER BY run, ts) FROM trades ORDER BY run, ts", paths: paths).rows()
        #expect(a == b && !a.isEmpty)
    }

    @Test func streamingWindowsStayStreamingWithoutOptions() throws {
        let plain = try Query(sql: "EXPLAIN SELECT ts, lag(equity) OVER (PARTITION BY run ORDER BY ts) FROM equity", paths: paths).explain()
        let ignoring = try Query(sql: "EXPLAIN SELECT ts, lag(equity IGNORE NULLS) OVER (PARTITION BY run ORDER BY ts) FROM equity", paths: paths).explain()
        #expect(plain.contains("stream"), "\(plain)")
        #expect(!ignoring.contains("stream"), "\(ignoring)")
    }
}
