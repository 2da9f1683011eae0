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
        // Set operations (DuckDB semantics: set results without ALL, bags with ALL).
        ("SELECT symbol FROM trades WHERE side = 'buy' UNION SELECT symbol FROM trades WHERE qty > 400 ORDER BY 1", true),
        ("SELECT count(*) FROM (SELECT run FROM trades UNION ALL SELECT run FROM equity)", true),
        ("SELECT run, count(*) FROM (SELECT run, symbol FROM trades WHERE qty < 100 UNION SELECT run, symbol FROM trades WHERE qty > 400) GROUP BY run ORDER BY run", true),
        ("SELECT symbol, side FROM trades WHERE pnl > 0 INTERSECT SELECT symbol, side FROM trades WHERE qty > 450 ORDER BY 1, 2", true),
        ("SELECT symbol FROM trades EXCEPT SELECT symbol FROM trades WHERE pnl > 995 ORDER BY 1", true),
        ("SELECT count(*) FROM (SELECT side FROM trades INTERSECT ALL SELECT side FROM trades WHERE run = 'run001')", true),
        ("SELECT side, count(*) FROM (SELECT side FROM trades EXCEPT ALL SELECT side FROM trades WHERE qty > 250) GROUP BY side ORDER BY side", true),
        ("SELECT qty FROM trades WHERE qty < 5 UNION SELECT pnl FROM trades WHERE pnl > 998 ORDER BY 1", true),
        ("SELECT run, ts FROM trades WHERE pnl > 990 UNION ALL SELECT run, ts FROM trades WHERE pnl < -990 ORDER BY ts DESC, run LIMIT 5", true),
        ("SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT NULL ORDER BY x NULLS FIRST", true),
        ("SELECT side FROM trades UNION SELECT symbol FROM trades INTERSECT SELECT 'ES' ORDER BY 1", true),
        ("(SELECT side FROM trades EXCEPT SELECT 'buy') UNION ALL (SELECT symbol FROM trades WHERE symbol = 'ES' LIMIT 1) ORDER BY 1", true),
        ("SELECT note FROM trades INTERSECT SELECT note FROM trades ORDER BY 1 NULLS FIRST", true),
        ("WITH a AS (SELECT run FROM trades WHERE pnl > 990), b AS (SELECT run FROM trades WHERE pnl < -990) SELECT run FROM a INTERSECT SELECT run FROM b ORDER BY run", true),
        // Joins.
        ("SELECT t.run, t.ts, t.pnl, e.equity FROM trades t JOIN equity e ON t.run = e.run AND t.ts = e.ts ORDER BY t.run, t.ts", true),
        ("SELECT count(*), sum(e.equity), max(e.position) FROM trades t JOIN equity e USING (run, ts)", true),
        ("SELECT t.run, t.ts, e.position FROM trades t LEFT JOIN equity e ON t.run = e.run AND t.ts = e.ts AND e.position > 0 ORDER BY t.run, t.ts", true),
        ("SELECT e.run, e.ts, t.pnl FROM trades t RIGHT JOIN equity e ON t.run = e.run AND t.ts = e.ts WHERE e.run = 'run004' AND e.ts < TIMESTAMP '2024-01-01 05:00:00' ORDER BY e.ts", true),
        ("SELECT a.symbol, b.symbol, a.n, b.n FROM (SELECT symbol, count(*) AS n FROM trades WHERE side = 'buy' AND qty < 10 GROUP BY symbol) a FULL JOIN (SELECT symbol, count(*) AS n FROM trades WHERE side = 'sell' AND qty > 495 GROUP BY symbol) b ON a.symbol = b.symbol ORDER BY a.symbol NULLS LAST, b.symbol", true),
        ("SELECT count(*) FROM trades t SEMI JOIN (SELECT run FROM equity WHERE position > 2 GROUP BY run) x ON t.run = x.run", true),
        // A run's batch probing a table keyed by run: every row pairs with one build row.
        ("SELECT t.run, count(*) FROM trades t ANTI JOIN (SELECT run FROM equity WHERE position > 2 GROUP BY run) x ON t.run = x.run GROUP BY 1 ORDER BY 1", true),
        ("SELECT r.run, r.strategy, count(t.ts), sum(t.qty) FROM (SELECT * FROM trades WHERE run <> 'run002') t RIGHT JOIN runs r USING (run) GROUP BY ALL ORDER BY 1", true),
        ("SELECT t.run, r.run, r.fast, count(*) FROM (SELECT * FROM trades WHERE run <> 'run001') t FULL JOIN runs r USING (run) GROUP BY ALL ORDER BY 2, 1", true),
        ("SELECT t.run, r.strategy, count(*), min(t.ts) FROM trades t LEFT JOIN runs r USING (run) GROUP BY ALL ORDER BY 1", true),
        ("SELECT t.run, count(*) FROM trades t ANTI JOIN (SELECT run, ts FROM equity WHERE position > 0) x ON t.run = x.run AND t.ts = x.ts GROUP BY t.run ORDER BY 1", true),
        ("SELECT a.side, b.symbol FROM (SELECT DISTINCT side FROM trades) a CROSS JOIN (SELECT DISTINCT symbol FROM trades) b ORDER BY 1, 2", true),
        ("SELECT count(*) FROM (SELECT DISTINCT side FROM trades) a, (SELECT DISTINCT symbol FROM trades) b WHERE a.side = 'buy'", true),
        ("SELECT count(*), sum(e.equity) FROM trades t JOIN equity e ON t.run = e.run AND e.ts BETWEEN t.ts AND t.ts + INTERVAL '5 minutes' WHERE t.run IN ('run001', 'run003')", true),
        ("SELECT t.symbol, round(avg(e.equity), 4), count(*) FROM trades t JOIN equity e USING (run, ts) GROUP BY t.symbol ORDER BY 1", true),
        ("SELECT count(*) FROM equity a JOIN equity b ON a.position = b.position AND a.run = b.run AND a.ts = b.ts", true),
        ("SELECT t.run, t.ts, h.n FROM trades t JOIN (SELECT run, date_trunc('hour', ts) AS hr, count(*) AS n FROM trades GROUP BY ALL) h ON t.run = h.run AND date_trunc('hour', t.ts) = h.hr WHERE h.n > 1 ORDER BY t.run, t.ts", true),
        ("SELECT t.run, t.ts, e.equity, w.total FROM trades t JOIN equity e ON t.run = e.run AND t.ts = e.ts JOIN (SELECT run, sum(pnl) AS total FROM trades GROUP BY run) w ON w.run = t.run WHERE t.pnl < -950 ORDER BY t.run, t.ts", true),
        ("WITH best AS (SELECT run, max(pnl) AS m FROM trades GROUP BY run) SELECT t.run, t.symbol, t.pnl FROM trades t JOIN best b ON t.run = b.run AND t.pnl = b.m ORDER BY t.run", true),
        ("SELECT t.run, t.ts, e.equity FROM trades t LEFT JOIN equity e ON t.run = e.run AND t.ts = e.ts + INTERVAL '30 seconds' ORDER BY t.run, t.ts LIMIT 20", true),
        ("SELECT t.strategy, count(*), sum(t.qty * e.position) FROM trades t JOIN equity e USING (run, ts) WHERE t.fast >= 10 GROUP BY t.strategy ORDER BY 1", true),
        ("SELECT x.run, x.ts FROM (SELECT run, ts FROM trades WHERE qty < 30) x JOIN (SELECT run, ts FROM trades WHERE side = 'buy') y ON x.run = y.run AND x.ts = y.ts ORDER BY 1, 2", true),
        ("SELECT t.run, t.ts FROM trades t FULL JOIN equity e ON t.run = e.run AND t.ts = e.ts AND e.position = 99 WHERE t.pnl > 995 ORDER BY 1, 2", true),
        ("SELECT count(*), count(t.run), count(e.run) FROM (SELECT * FROM trades WHERE run = 'run000') t FULL JOIN (SELECT * FROM equity WHERE run = 'run000' AND ts < TIMESTAMP '2024-01-01 10:00:00') e ON t.ts = e.ts", true),
        ("SELECT a.run, b.run, a.n + b.n FROM (SELECT run, count(*) AS n FROM trades GROUP BY run) a JOIN (SELECT run, count(*) AS n FROM trades GROUP BY run) b ON a.n < b.n ORDER BY 1, 2", true),
        // ASOF joins.
        ("SELECT t.run, t.ts, e.ts, e.equity FROM trades t ASOF JOIN equity e ON t.run = e.run AND t.ts > e.ts ORDER BY t.run, t.ts", true),
        ("SELECT t.run, t.ts, e.equity FROM trades t ASOF JOIN equity e ON t.run = e.run AND t.ts >= e.ts WHERE t.pnl < 0 ORDER BY t.run, t.ts", true),
        ("SELECT t.run, t.ts, e.ts FROM trades t ASOF LEFT JOIN (SELECT * FROM equity WHERE position > 1) e ON t.run = e.run AND t.ts <= e.ts ORDER BY t.run, t.ts", true),
        ("SELECT t.run, t.ts, e.ts FROM trades t ASOF JOIN (SELECT * FROM equity WHERE position < -1) e ON t.run = e.run AND t.ts < e.ts ORDER BY t.run, t.ts", true),
        ("SELECT t.symbol, count(*), round(avg(t.price - e.equity / 1000), 6) FROM trades t ASOF JOIN equity e ON t.run = e.run AND t.ts - INTERVAL '1 hour' >= e.ts GROUP BY 1 ORDER BY 1", true),
        ("SELECT t.run, t.ts, e.run, e.ts FROM (SELECT * FROM trades WHERE run = 'run002') t ASOF JOIN (SELECT * FROM equity WHERE run = 'run000') e ON t.ts >= e.ts ORDER BY t.ts", true),
        // The virtual `runs` table (footers only) and joins with it.
        ("SELECT run, strategy, fast FROM runs ORDER BY run", true),
        ("SELECT r.strategy, r.fast, count(*), sum(t.pnl) FROM trades t JOIN runs r USING (run) GROUP BY ALL ORDER BY 1, 2", true),
        ("SELECT strategy, count(*), max(fast) FROM runs GROUP BY strategy ORDER BY 1", true),
        ("SELECT r.run FROM runs r WHERE r.run NOT IN (SELECT run FROM trades) ORDER BY 1", true),
        ("SELECT r.run, count(t.ts) FROM runs r LEFT JOIN trades t ON r.run = t.run GROUP BY r.run ORDER BY 1", true),
        ("SELECT t.symbol, count(*) FROM trades t JOIN runs r ON t.run = r.run AND r.fast > 10 GROUP BY 1 ORDER BY 1", true),
        ("SELECT r.strategy, count(*) FROM runs r SEMI JOIN trades t ON r.run = t.run AND t.pnl > 995 GROUP BY 1 ORDER BY 1", true),
        // Aggregate FILTER clause (on the fused scan and on the generic HashAggregate).
        ("SELECT count(*) FILTER (WHERE pnl > 0) AS wins, count(*) FILTER (WHERE pnl < 0), count(*) FROM trades", true),
        ("SELECT run, count(*) FILTER (WHERE pnl > 0), sum(pnl) FILTER (WHERE side = 'buy'), avg(qty) FILTER (WHERE symbol = 'ES') FROM trades GROUP BY run ORDER BY run", true),
        ("SELECT side, min(price) FILTER (WHERE qty > 400), max(ts) FILTER (WHERE pnl IS NULL), count(DISTINCT symbol) FILTER (WHERE qty < 100) FROM trades GROUP BY side ORDER BY side", true),
        ("SELECT r.strategy, count(*) FILTER (WHERE t.pnl > 0) AS wins, count(*) AS n FROM trades t JOIN runs r USING (run) GROUP BY 1 HAVING count(*) FILTER (WHERE t.pnl > 0) > 10 ORDER BY 1", true),
        ("SELECT count(*) FILTER (WHERE pnl > 1e9), sum(qty) FILTER (WHERE false) FROM trades", true),
        ("SELECT count(*) FILTER (pnl > 0) FROM trades WHERE side = 'sell'", true),
        // Mixed shapes: parenthesised queries with their own ORDER BY/LIMIT, CTEs read by
        // subqueries, NULL and DOUBLE join keys, DISTINCT/HAVING over joins.
        ("(SELECT run, ts FROM trades ORDER BY pnl DESC NULLS LAST, run, ts LIMIT 3) UNION ALL (SELECT run, ts FROM trades ORDER BY pnl NULLS LAST, run, ts LIMIT 2) ORDER BY 1, 2", true),
        ("SELECT * FROM (SELECT run, ts, pnl FROM trades ORDER BY pnl DESC NULLS LAST, run, ts LIMIT 5) ORDER BY run, ts", true),
        ("WITH x AS (SELECT run, symbol FROM trades) SELECT symbol, count(DISTINCT run) FROM x GROUP BY symbol ORDER BY 1", true),
        ("WITH a AS (SELECT run, max(equity) AS m FROM equity GROUP BY run) SELECT run FROM a WHERE m > (SELECT avg(m) FROM a) ORDER BY 1", true),
        ("SELECT count(*) FROM (SELECT position FROM equity WHERE run = 'run000') a JOIN (SELECT DISTINCT position FROM equity WHERE run = 'run001') b ON a.position = b.position", true),
        ("SELECT a.position IS NULL, count(*), count(b.p) FROM (SELECT position FROM equity WHERE run = 'run002') a LEFT JOIN (SELECT DISTINCT position AS p FROM equity WHERE run = 'run003') b ON a.position = b.p GROUP BY 1 ORDER BY 1", true),
        ("SELECT count(*) FROM trades a JOIN trades b ON a.price = b.price AND a.run < b.run", true),
        ("SELECT count(*) FROM trades a JOIN equity b ON a.qty = b.position AND a.run = b.run AND a.ts = b.ts", true),
        ("SELECT count(*) FROM trades a ANTI JOIN (SELECT note FROM trades WHERE note IS NOT NULL) b ON a.note = b.note", true),
        ("SELECT t.symbol, count(*) AS n FROM trades t JOIN equity e USING (run, ts) WHERE e.position <> 0 GROUP BY t.symbol HAVING count(*) > 5 ORDER BY n DESC, 1", true),
        ("SELECT DISTINCT t.symbol, e.position FROM trades t JOIN equity e USING (run, ts) ORDER BY 1, 2 NULLS FIRST", true),
        ("SELECT t.run, t.ts FROM trades t JOIN equity e USING (run, ts) WHERE e.position = 3 UNION SELECT run, ts FROM trades WHERE pnl > 999 ORDER BY 1, 2", true),
        ("WITH w AS (SELECT sum(pnl) AS s FROM trades) SELECT run, round(sum(pnl) / (SELECT s FROM w), 9) AS share FROM trades GROUP BY run ORDER BY run", true),
        ("SELECT count(*) FROM trades WHERE note IN (SELECT note FROM trades WHERE run = 'run000')", true),
        ("SELECT count(*) FROM trades WHERE pnl NOT IN (SELECT pnl FROM trades WHERE pnl IS NULL)", true),
        ("WITH losers AS (SELECT * FROM trades WHERE pnl < -500) SELECT l.run, l.ts, e.position FROM losers l ASOF JOIN equity e ON l.run = e.run AND l.ts > e.ts ORDER BY 1, 2", true),
        ("SELECT e.run, count(*) FROM equity e JOIN runs r ON e.run = r.run WHERE r.strategy = 'sma' GROUP BY 1 ORDER BY 1", true),
        ("SELECT count(*), count(a.symbol), count(b.symbol) FROM (SELECT symbol FROM trades WHERE run = 'run000') a FULL JOIN (SELECT symbol FROM trades WHERE run = 'run001') b USING (symbol)", true),
        ("SELECT x.run, x.n, y.n FROM (SELECT run, count(*) AS n FROM trades WHERE side = 'buy' GROUP BY run) x LEFT JOIN (SELECT run, count(*) AS n FROM trades WHERE side = 'sell' AND qty > 490 GROUP BY run) y USING (run) ORDER BY 1", true),
        ("SELECT r.run, r.fast, (SELECT count(*) FROM trades) AS total FROM runs r WHERE EXISTS (SELECT 1 FROM trades WHERE pnl > 0) ORDER BY 1", true),
    ]

    @Test func relationalQueriesMatchDuckDB() throws {
        try check(Self.relationalQueries)
    }
}
