import Foundation
import Testing
import TapeTestSupport
@testable import TapeQuery

/// quantile_cont / quantile_disc / median over window frames (with and without EXCLUDE), and
/// EXCLUDE with DISTINCT aggregates and nth_value, against DuckDB at 1 and 2 threads. Frames over
/// an ORDER BY with ties use RANGE or GROUPS (ROWS would make membership depend on tie order), or
/// read a value equal across peers.
extension DuckDBDifferentialTests {
    static let windowQuantileQueries: [(String, Bool)] = [
        ("SELECT run, ts, quantile_cont(pnl, 0.5) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 5 PRECEDING AND 5 FOLLOWING) AS a, median(qty) OVER (PARTITION BY run ORDER BY ts) AS b, quantile_disc(price, 0.25) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS c FROM trades ORDER BY run, ts", true),
        ("SELECT run, ts, quantile_disc(symbol, 0.5) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) AS s, quantile_disc(ts, 0.9) OVER (PARTITION BY run) AS t, quantile_cont(qty, 0.0) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) AS lo, quantile_cont(qty, 1.0) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) AS hi FROM trades ORDER BY run, ts", true),
        ("SELECT run, ts, quantile_cont(pnl, 0.5) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 3 FOLLOWING AND 5 FOLLOWING) AS f, quantile(pnl, 0.75) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING) AS p FROM trades ORDER BY run, ts", true),
        ("SELECT run, qty, ts, quantile_cont(qty, 0.3) OVER (PARTITION BY run ORDER BY qty RANGE BETWEEN 20 PRECEDING AND 20 FOLLOWING EXCLUDE GROUP) AS g, median(price) OVER (PARTITION BY run ORDER BY qty GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE TIES) AS t FROM trades ORDER BY run, qty, ts", true),
        ("SELECT run, ts, median(pnl) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING EXCLUDE CURRENT ROW) AS m, quantile_disc(note, 0.5) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 6 PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW) AS n FROM trades ORDER BY run, ts", true),
        ("SELECT run, median(sum(pnl)) OVER (ORDER BY run ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS m, quantile_cont(count(*), 0.25) OVER () AS q FROM trades GROUP BY run ORDER BY run", true),
        ("SELECT run, ts, count(DISTINCT symbol) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING EXCLUDE CURRENT ROW) AS n, sum(DISTINCT qty) OVER (PARTITION BY run ORDER BY qty RANGE BETWEEN 50 PRECEDING AND 50 FOLLOWING EXCLUDE GROUP) AS s, avg(DISTINCT qty % 10) OVER (PARTITION BY run ORDER BY side GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING EXCLUDE TIES) AS a FROM trades ORDER BY run, ts", true),
        ("SELECT run, ts, sum(DISTINCT price) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 4 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW) AS s FROM trades ORDER BY run, ts", true),
        ("SELECT run, ts, nth_value(qty, 2) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING EXCLUDE CURRENT ROW) AS a, nth_value(pnl, 4) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING EXCLUDE CURRENT ROW) AS b FROM trades ORDER BY run, ts", true),
        ("SELECT run, qty, ts, nth_value(qty, 3) OVER (PARTITION BY run ORDER BY qty GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE TIES) AS t, nth_value(qty, 1) OVER (PARTITION BY run ORDER BY qty RANGE BETWEEN 30 PRECEDING AND CURRENT ROW EXCLUDE GROUP) AS g, nth_value(qty, 2) OVER (PARTITION BY run ORDER BY qty RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW) AS c FROM trades ORDER BY run, qty, ts", true),
    ]

    @Test func windowQuantilesAndExclusionsMatchDuckDB() throws {
        try check(Self.windowQuantileQueries, fixture: QueryFixture(runs: 3, bars: 1500, seed: 5, rowsPerChunk: 200))
    }
}
