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
        let f = try QueryFixture(runs: 4, bars: 900, seed: 11, rowsPerChunk: 128)
        defer { f.dir.cleanup() }
        let sqls = WindowQueries.all
        #expect(sqls.count >= 100)
        let script = try String(contentsOf: Bundle.module.url(forResource: "duckdb_reference", withExtension: "py")!, encoding: .utf8)
        let payload = try JSONSerialization.data(withJSONObject: ["tables": f.csv, "queries": sqls])
        let out = try TestPython.run(script, stdin: payload)
        guard let results = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] else {
            Issue.record("bad reference output: \(out.prefix(500))")
            return
        }
        #expect(results.count == sqls.count)
        let checker = DuckDBDifferentialTests()
        for (sql, ref) in zip(sqls, results) {
            if let err = ref["error"] as? String {
                Issue.record("DuckDB rejected a test query: \(sql)\n\(err)")
                continue
            }
            let expected = ref["rows"] as? [[Any]] ?? []
            for threads in [1, 2] {
                switch DuckDBDifferentialTests.tape(sql, f.paths, threads) {
                case .success(let got): checker.compare(got, expected, ordered: true, sql: "\(sql) [threads \(threads)]")
                case .failure(let e): Issue.record("Tape failed: \(e.render(query: sql))")
                }
            }
        }
    }

    /// Queries DuckDB rejects must fail in Tape too, with a `QueryError` pointing inside the text.
    @Test func invalidWindowQueriesFailLikeDuckDB() throws {
        let f = try QueryFixture(runs: 2, bars: 200, seed: 3, rowsPerChunk: 64)
        defer { f.dir.cleanup() }
        let sqls = WindowQueries.errors
        let script = try String(contentsOf: Bundle.module.url(forResource: "duckdb_reference", withExtension: "py")!, encoding: .utf8)
        let payload = try JSONSerialization.data(withJSONObject: ["tables": f.csv, "queries": sqls])
        let out = try TestPython.run(script, stdin: payload)
        let results = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] ?? []
        #expect(results.count == sqls.count)
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
