import Testing
import Tape
import TapeFormat
import TapeTestSupport
@testable import TapeQuery

/// The Window stage inside queries: EXPLAIN, the memory budget, QUALIFY and empty inputs.
@Suite struct WindowExecutionTests {
    var paths: [String] { ExecutionTests.fixture.paths }

    @Test func explainShowsTheWindowStageAndQualify() throws {
        let q = try Query(sql: "EXPLAIN SELECT run, ts, equity / max(equity) OVER (PARTITION BY run ORDER BY ts) - 1 AS dd FROM equity QUALIFY dd < -0.01", paths: paths)
        let text = q.explain()
        #expect(text.contains("WINDOW max(equity) OVER (PARTITION BY run ORDER BY ts RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"))
        #expect(text.contains("streams each run in storage order of ts"))
        #expect(text.contains("QUALIFY"))
        try q.run { _ in Issue.record("EXPLAIN returned rows"); return true }
    }

    @Test(arguments: [1, 2])
    func windowBeyondTheMemoryLimitNamesTheOperator(threads: Int) throws {
        #expect {
            _ = try Query(sql: "SELECT ts, sum(equity) OVER (ORDER BY equity ROWS BETWEEN 2 FOLLOWING AND UNBOUNDED FOLLOWING) FROM equity", paths: paths,
                          options: QueryOptions(threads: threads, memoryLimit: 64 << 10)).rows()
        } throws: { e in
            let m = (e as? QueryError)?.message ?? ""
            return m.contains("Window operator") && m.contains("--memory-limit") && m.contains("cannot spill sum(equity)")
        }
        // What streams over sorted rows spills instead, with the unlimited answer.
        let sql = "SELECT ts, row_number() OVER (ORDER BY equity, run, ts) FROM equity"
        let spilled = try Query(sql: sql, paths: paths, options: QueryOptions(threads: threads, memoryLimit: 64 << 10)).rows()
        let free = try Query(sql: sql, paths: paths, options: QueryOptions(threads: threads)).rows()
        #expect(spilled.map(\.description).sorted() == free.map(\.description).sorted())
    }

    @Test func qualifyFiltersOnWindowResultsAndAliases() throws {
        let r = try Query(sql: "SELECT run, ts, row_number() OVER (PARTITION BY run ORDER BY ts DESC) AS rn FROM equity QUALIFY rn <= 2 ORDER BY run, rn",
                          paths: paths, options: QueryOptions(threads: 2)).rows()
        #expect(r.count == 8)
        #expect(r.map { $0[2] } == Array([[Value]](repeating: [Value.int(1), Value.int(2)], count: 4).joined()))
    }

    @Test func windowsOverNoRowsAndWithoutFrom() throws {
        #expect(try Query(sql: "SELECT sum(equity) OVER (ORDER BY ts) FROM equity WHERE equity < 0", paths: paths).rows().isEmpty)
        #expect(try Query(sql: "SELECT row_number() OVER (), count(*) OVER ()", paths: []).rows() == [[.int(1), .int(1)]])
    }

    @Test func windowErrorsPointAtTheCall() throws {
        let sql = "SELECT ts, ntile(0) OVER (ORDER BY ts) FROM equity"
        #expect {
            _ = try Query(sql: sql, paths: paths).rows()
        } throws: { e in
            (e as? QueryError)?.position == sql.utf8.distance(from: sql.utf8.startIndex, to: sql.range(of: "ntile")!.lowerBound.samePosition(in: sql.utf8)!)
        }
    }

    /// Windows over each run's time order stream: they run within a 64 KiB budget that the same
    /// windows over another order (which must materialise) exceed.
    @Test(arguments: [1, 2])
    func timeOrderedWindowsStreamWithinAFrameSizedBudget(threads: Int) throws {
        let tiny = QueryOptions(threads: threads, memoryLimit: 64 << 10)
        let streamed = try Query(sql: "SELECT run, ts, equity / max(equity) OVER (PARTITION BY run ORDER BY ts) - 1 AS dd, avg(equity) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 59 PRECEDING AND CURRENT ROW), lag(equity, 2) OVER (PARTITION BY run ORDER BY ts), row_number() OVER (PARTITION BY run ORDER BY ts) FROM equity",
                                 paths: paths, options: tiny).rows()
        let materialised = try Query(sql: "SELECT run, ts, equity / max(equity) OVER (PARTITION BY run ORDER BY ts) - 1 AS dd, avg(equity) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 59 PRECEDING AND CURRENT ROW), lag(equity, 2) OVER (PARTITION BY run ORDER BY ts), row_number() OVER (PARTITION BY run ORDER BY ts), count(*) OVER () FROM equity",
                                     paths: paths, options: QueryOptions(threads: threads)).rows()   // a second spec: materialises
        #expect(streamed.count == 20_000)
        #expect(streamed.map { $0.map(\.description) } == materialised.map { $0.dropLast().map(\.description) })
        #expect(throws: QueryError.self) {
            _ = try Query(sql: "SELECT ts, count(DISTINCT position) OVER (PARTITION BY run ORDER BY equity) FROM equity", paths: paths, options: tiny).rows()
        }
    }
}
