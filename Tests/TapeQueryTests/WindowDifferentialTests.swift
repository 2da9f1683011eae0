import Foundation
import Testing
import TapeFormat
import TapeTestSupport
@testable import TapeQuery

/// `WindowQueries` through Tape and DuckDB over generated multi-run data (NULLs, ties in ORDER BY
/// keys, runs with missing columns, many chunks), at 1 and 2 threads; answers must match as in
/// `DuckDBDifferentialTests`.
@Suite(.enabled(if: TestPython.isAvailable, "needs TAPE_TEST_PYTHON with duckdb (make test provides it)"))
struct WindowDifferentialTests {
    @Test func windowQueriesMatchDuckDB() throws {
        #expect(WindowQueries.all.count >= 100)
        try DuckDBDifferentialTests().check(WindowQueries.all.map { ($0, true) },
                                            fixture: QueryFixture(runs: 4, bars: 900, seed: 11, rowsPerChunk: 128))
    }

    /// Queries DuckDB rejects must fail in Tape too, with a `QueryError` pointing inside the text.
    @Test func invalidWindowQueriesFailLikeDuckDB() throws {
        let f = try QueryFixture(runs: 2, bars: 200, seed: 3, rowsPerChunk: 64)
        defer { f.dir.cleanup() }
        let sqls = WindowQueries.errors
        guard let results = try DuckDBDifferentialTests.duckDB(sqls, tables: f.csv) else { return }
        for (sql, ref) in zip(sqls, results) {
            #expect(ref["error"] != nil, "DuckDB accepted \(sql)")
            for threads in [1, 2] {
                switch DuckDBDifferentialTests.tape(sql, f.paths, threads) {
                case .success(let rows): Issue.record("\(sql) [threads \(threads)]: Tape gave \(rows.prefix(2)), DuckDB an error")
                case .failure(let e):
                    #expect(!e.message.isEmpty)
                    if let p = e.position { #expect(p >= 0 && p <= sql.utf8.count) }
                }
            }
        }
    }
}
