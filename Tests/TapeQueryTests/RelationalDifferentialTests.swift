import Foundation
import Testing
import TapeTestSupport
@testable import TapeQuery

/// DuckDB differential queries for the operator engine's relational SQL: FROM-subqueries, WITH
/// (CTEs), qualified names, scalar / IN / EXISTS subqueries, set operations, joins and the
/// generic operators above non-scan inputs. `ordered` when ORDER BY fixes the row order.
extension DuckDBDifferentialTests {
    static let relationalQueries: [(String, Bool)] = [
        // Qualified names on the single-table fast path.
        ("SELECT t.symbol, t.pnl FROM trades t WHERE t.pnl > 900 ORDER BY t.run, t.ts", true),
        ("SELECT trades.side, count(*) FROM trades GROUP BY trades.side ORDER BY 1", true),
        ("SELECT t.run, t.ts, t.equity FROM equity AS t WHERE t.run = 'run001' ORDER BY t.ts LIMIT 5", true),
        // FROM-subqueries: generic Filter / Project / HashAggregate / Sort / TopN / Limit / Distinct.
        ("SELECT s, n FROM (SELECT symbol AS s, count(*) AS n FROM trades GROUP BY symbol) ORDER BY s", true),
        ("SELECT x.side, avg(x.qty), count(*) FROM (SELECT side, qty FROM trades WHERE qty > 100) x GROUP BY x.side HAVING count(*) > 10 ORDER BY 1", true),
        ("SELECT * FROM (SELECT run, ts, pnl FROM trades WHERE pnl IS NOT NULL) sub WHERE pnl < -900 ORDER BY pnl, run, ts", true),
        ("SELECT run, ts, pnl FROM (SELECT * FROM trades) ORDER BY pnl DESC NULLS LAST, run, ts LIMIT 7 OFFSET 3", true),
        ("SELECT DISTINCT side FROM (SELECT side, symbol FROM trades) ORDER BY side", true),
        ("SELECT DISTINCT symbol, side FROM (SELECT * FROM trades WHERE qty < 50)", false),
        ("SELECT count(*), sum(q), min(q), max(q) FROM (SELECT qty * 2 AS q FROM trades WHERE side = 'buy')", true),
        ("SELECT count(*) FROM (SELECT * FROM trades WHERE pnl > 1e9)", true),
        ("SELECT symbol, total FROM (SELECT symbol, sum(pnl) AS total FROM trades GROUP BY symbol) WHERE total > 0 ORDER BY total DESC", true),
        ("SELECT b, count(*) FROM (SELECT time_bucket(INTERVAL '1 day', ts) AS b FROM equity) GROUP BY b ORDER BY b", true),
        ("SELECT run, n FROM (SELECT run, count(*) AS n FROM trades GROUP BY run) ORDER BY n DESC, run LIMIT 2", true),
        ("SELECT d.run, d.max_eq - d.min_eq AS span FROM (SELECT run, max(equity) AS max_eq, min(equity) AS min_eq FROM equity GROUP BY run) AS d ORDER BY span DESC, d.run", true),
        ("SELECT * FROM (SELECT run, ts FROM equity WHERE run = 'run002' ORDER BY ts DESC LIMIT 3) ORDER BY ts", true),
        ("SELECT count(*) FROM (SELECT DISTINCT run, symbol FROM trades)", true),
        ("SELECT strategy, median(pnl), quantile_cont(pnl, 0.9), count(DISTINCT symbol) FROM (SELECT strategy, pnl, symbol FROM trades) GROUP BY strategy ORDER BY strategy", true),
        ("SELECT run, first(pnl), last(pnl), arg_max(symbol, pnl) FROM (SELECT run, ts, symbol, pnl FROM trades WHERE pnl IS NOT NULL) GROUP BY run ORDER BY run", true),
        // WITH (materialised CTEs), also referenced twice and chained.
        ("WITH w AS (SELECT run, sum(pnl) AS total FROM trades GROUP BY run) SELECT run, total FROM w WHERE total > 0 ORDER BY run", true),
        ("WITH w(r, n) AS (SELECT run, count(*) FROM trades GROUP BY run) SELECT r, n FROM w ORDER BY n DESC, r", true),
        ("WITH a AS (SELECT run, count(*) AS n FROM trades GROUP BY run), b AS (SELECT max(n) AS m FROM a) SELECT a.run FROM a WHERE a.n = (SELECT m FROM b) ORDER BY 1", true),
        ("WITH t AS (SELECT * FROM trades WHERE side = 'sell') SELECT symbol, count(*) FROM t GROUP BY symbol ORDER BY symbol", true),
        ("WITH daily AS (SELECT run, date_trunc('day', ts) AS d, last(equity) AS close FROM equity GROUP BY ALL) SELECT run, count(*), max(close) FROM daily GROUP BY run ORDER BY run", true),
        // Uncorrelated subqueries in expressions.
        ("SELECT count(*) FROM trades WHERE pnl > (SELECT avg(pnl) FROM trades)", true),
        ("SELECT run, ts, pnl FROM trades WHERE pnl = (SELECT max(pnl) FROM trades)", true),
        ("SELECT (SELECT count(*) FROM equity) AS n, (SELECT max(ts) FROM trades) AS last_trade", true),
        ("SELECT count(*) FROM trades WHERE run IN (SELECT run FROM trades GROUP BY run HAVING sum(pnl) > 0)", true),
        ("SELECT count(*) FROM trades WHERE symbol NOT IN (SELECT symbol FROM trades WHERE pnl > 990)", true),
        ("SELECT count(*) FROM trades WHERE qty IN (SELECT position FROM equity)", true),
        ("SELECT count(*) FROM trades WHERE pnl NOT IN (SELECT pnl FROM trades WHERE run = 'run001')", true),
        ("SELECT EXISTS (SELECT 1 FROM trades WHERE pnl > 999), EXISTS (SELECT 1 FROM trades WHERE pnl > 1e9)", true),
        ("SELECT count(*) FROM equity WHERE NOT EXISTS (SELECT * FROM trades WHERE qty > 10000)", true),
        ("SELECT side, count(*) FROM trades GROUP BY side HAVING count(*) > (SELECT count(*) / 3 FROM trades) ORDER BY side", true),
        ("SELECT run, ts FROM trades WHERE ts > (SELECT max(ts) - INTERVAL '2 hours' FROM trades) ORDER BY run, ts", true),
    ]

    @Test func relationalQueriesMatchDuckDB() throws {
        try check(Self.relationalQueries)
    }
}
