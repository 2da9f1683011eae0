import Testing
import TapeFormat
@testable import TapeQuery

@Suite struct SmokeTests {
    @Test func basicQueries() throws {
        let f = try QueryFixture(runs: 3, bars: 3000)
        defer { f.dir.cleanup() }
        for sql in ["SELECT count(*), sum(pnl), avg(equity) FROM trades", "SELECT count(*), min(equity), max(equity), avg(equity), stddev(equity) FROM equity",
                    "SELECT side, count(*) FROM trades GROUP BY side ORDER BY side",
                    "SELECT run, strategy, sum(pnl) AS total FROM trades GROUP BY ALL ORDER BY total DESC",
                    "SELECT date_trunc('hour', ts) AS h, arg_max(equity, ts) FROM equity WHERE run = 'run001' GROUP BY 1 ORDER BY 1 LIMIT 3",
                    "SELECT * FROM trades WHERE pnl < 0 ORDER BY pnl LIMIT 5"] {
            do {
                let q = try Query(sql: sql, paths: f.paths, options: QueryOptions(threads: 2))
                let rows = try q.rows()
                print(sql, "→", rows.prefix(6))
                print(q.explainAnalyzed())
            } catch let e as QueryError {
                print(e.render(query: sql))
            }
        }
    }
}
