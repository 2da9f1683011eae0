import Foundation
import Testing
import TapeTestSupport
@testable import TapeQuery

/// DuckDB differential queries for correlated subqueries: scalar subqueries reading outer
/// columns (in WHERE, SELECT and HAVING), EXISTS / NOT EXISTS and IN / NOT IN with NULLs, nested
/// correlation, over stored tables, CTEs, FROM-subqueries and the `runs` table.
extension DuckDBDifferentialTests {
    static let correlatedQueries: [(String, Bool)] = [
        ("SELECT run, ts, pnl FROM trades t WHERE pnl > (SELECT avg(pnl) FROM trades u WHERE u.run = t.run) ORDER BY run, ts", true),
        ("SELECT count(*) FROM trades t WHERE pnl > (SELECT avg(u.pnl) FROM trades u WHERE u.run = t.run AND u.symbol = t.symbol)", true),
        ("SELECT t.run, t.ts, (SELECT count(*) FROM trades u WHERE u.run = t.run AND u.ts < t.ts) AS before FROM trades t WHERE t.run = 'run002' ORDER BY t.ts", true),
        ("SELECT t.run, t.symbol, t.pnl, (SELECT max(u.pnl) FROM trades u WHERE u.symbol = t.symbol AND u.run <> t.run) AS other FROM trades t WHERE t.pnl < -900 ORDER BY 1, 2, 3", true),
        ("SELECT run, ts FROM trades t WHERE EXISTS (SELECT 1 FROM equity e WHERE e.run = t.run AND e.ts = t.ts AND e.position > 2) ORDER BY run, ts", true),
        ("SELECT count(*) FROM trades t WHERE NOT EXISTS (SELECT 1 FROM equity e WHERE e.run = t.run AND e.ts = t.ts AND e.position > 0)", true),
        ("SELECT r.run, EXISTS (SELECT 1 FROM trades t WHERE t.run = r.run AND t.pnl > 990) AS big FROM runs r ORDER BY 1", true),
        ("SELECT count(*) FROM trades t WHERE t.qty IN (SELECT e.position FROM equity e WHERE e.run = t.run)", true),
        ("SELECT count(*) FROM trades t WHERE t.qty NOT IN (SELECT e.position FROM equity e WHERE e.run = t.run)", true),
        ("SELECT count(*) FROM trades t WHERE t.qty NOT IN (SELECT e.position FROM equity e WHERE e.run = t.run AND e.position IS NOT NULL)", true),
        ("SELECT t.run, t.pnl IN (SELECT u.pnl FROM trades u WHERE u.run = t.run AND u.side = 'sell') AS x, count(*) FROM trades t GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST", true),
        ("SELECT t.symbol, t.note NOT IN (SELECT u.note FROM trades u WHERE u.symbol = t.symbol AND u.run = 'run001') AS x, count(*) FROM trades t GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST", true),
        ("SELECT run, sum(pnl) FROM trades t GROUP BY run HAVING sum(pnl) > (SELECT avg(u.pnl) * 50 FROM trades u WHERE u.run = t.run) ORDER BY run", true),
        ("SELECT run, count(*), (SELECT count(*) FROM equity e WHERE e.run = t.run) AS bars FROM trades t GROUP BY run ORDER BY run", true),
        ("SELECT symbol, (SELECT count(DISTINCT u.run) FROM trades u WHERE u.symbol = t.symbol AND u.pnl > 0) FROM trades t GROUP BY symbol ORDER BY 1", true),
        ("SELECT t.run, t.ts, t.pnl FROM trades t WHERE t.pnl = (SELECT max(u.pnl) FROM trades u WHERE u.run = t.run) ORDER BY 1", true),
        ("SELECT t.run, t.ts FROM trades t WHERE t.ts = (SELECT min(u.ts) FROM trades u WHERE u.run = t.run AND u.side = t.side) ORDER BY 1, 2", true),
        ("SELECT t.run, t.ts, (SELECT e.equity FROM equity e WHERE e.run = t.run AND e.ts = t.ts) AS eq FROM trades t WHERE t.run IN ('run000', 'run004') ORDER BY 1, 2", true),
        ("SELECT t.run, t.ts, (SELECT max(e.ts) FROM equity e WHERE e.run = t.run AND e.ts < t.ts AND e.position > 1) AS prev FROM trades t WHERE t.run = 'run001' ORDER BY 2", true),
        ("SELECT r.run, r.fast FROM runs r WHERE r.fast > (SELECT avg(q.fast) FROM runs q WHERE q.strategy = r.strategy) ORDER BY 1", true),
        ("SELECT r.run, (SELECT sum(t.pnl) FROM trades t WHERE t.run = r.run AND t.side = 'buy') AS buys FROM runs r ORDER BY 1", true),
        ("SELECT t.run, t.ts FROM trades t WHERE t.pnl > 0 AND EXISTS (SELECT 1 FROM trades u WHERE u.run = t.run AND u.ts > t.ts AND u.pnl < -t.pnl) ORDER BY 1, 2 LIMIT 15", true),
        ("SELECT count(*) FROM trades t WHERE (SELECT count(*) FROM trades u WHERE u.run = t.run AND u.symbol = t.symbol) > 20 OR t.qty < 5", true),
        ("SELECT t.run, t.ts FROM trades t WHERE EXISTS (SELECT 1 FROM trades u WHERE u.run = t.run AND u.ts = t.ts + INTERVAL '37 minutes') ORDER BY 1, 2 LIMIT 10", true),
        ("SELECT x.run, x.n FROM (SELECT run, count(*) AS n FROM trades GROUP BY run) x WHERE x.n > (SELECT count(*) / 6 FROM equity e WHERE e.run = x.run AND e.position > 0) ORDER BY 1", true),
        ("WITH w AS (SELECT run, symbol, sum(pnl) AS s FROM trades GROUP BY ALL) SELECT run, symbol, s FROM w a WHERE s = (SELECT max(s) FROM w b WHERE b.run = a.run) ORDER BY 1", true),
        ("SELECT t.run, t.ts FROM trades t WHERE t.pnl > (SELECT avg(u.pnl) FROM trades u WHERE u.run = t.run AND u.pnl > (SELECT avg(v.pnl) FROM trades v WHERE v.run = t.run)) ORDER BY 1, 2", true),
        ("SELECT t.run, t.symbol, t.pnl FROM trades t WHERE t.symbol IN (SELECT u.symbol FROM trades u WHERE u.run = t.run GROUP BY u.symbol HAVING sum(u.pnl) > 0) AND t.pnl < -980 ORDER BY 1, 2, 3", true),
        ("SELECT t.run, t.ts, t.pnl FROM trades t WHERE t.pnl < (SELECT u.pnl FROM trades u WHERE u.run = t.run ORDER BY u.pnl NULLS LAST LIMIT 1 OFFSET 1) ORDER BY 1", true),
        ("SELECT t.run, t.ts, (SELECT count(*) FROM trades u WHERE u.pnl IS NULL AND u.run = t.run) + t.qty FROM trades t WHERE t.qty > 495 ORDER BY 1, 2", true),
        ("SELECT e.run, max(e.equity) FROM equity e WHERE e.position = (SELECT max(p.position) FROM equity p WHERE p.run = e.run) GROUP BY 1 ORDER BY 1", true),
        // Decorrelated shapes at their edges: NULL keys, BIGINT against DOUBLE keys, aggregates
        // over keys no inner row has (count 0, expressions over it), IN with NULLs per key.
        ("SELECT t.run, t.ts, (SELECT count(*) FROM trades u WHERE u.note = t.note) AS n FROM trades t ORDER BY 1, 2", true),
        ("SELECT count(*) FROM equity e WHERE EXISTS (SELECT 1 FROM trades t WHERE t.price = e.position AND t.run = e.run)", true),
        ("SELECT t.run, t.symbol, (SELECT count(*) + 1 FROM trades u WHERE u.run = t.run AND u.symbol = t.symbol AND u.qty > 495) AS c, (SELECT coalesce(sum(u.qty), -1) FROM trades u WHERE u.symbol = t.symbol AND u.run = t.run AND u.pnl > 990) AS s FROM trades t GROUP BY 1, 2 ORDER BY 1, 2", true),
        ("SELECT count(*) FROM trades t WHERE t.pnl NOT IN (SELECT u.pnl FROM trades u WHERE u.symbol = t.symbol AND u.run = 'run003')", true),
        ("SELECT t.run, count(*) FROM trades t WHERE NOT EXISTS (SELECT 1 FROM trades u WHERE u.run = t.run AND u.ts = t.ts AND u.pnl > 0) GROUP BY 1 ORDER BY 1", true),
    ]

    @Test func correlatedSubqueriesMatchDuckDB() throws {
        try check(Self.correlatedQueries)
    }

    /// NATURAL [LEFT|RIGHT|FULL] JOIN, and USING columns merged as DuckDB merges them (the right
    /// copy under RIGHT JOIN, COALESCE under FULL JOIN).
    static let naturalAndUsingQueries: [(String, Bool)] = [
        ("SELECT run, ts, t.pnl, e.equity FROM trades t NATURAL JOIN equity e WHERE t.pnl < -900 ORDER BY run, ts", true),
        ("SELECT count(*), sum(e.position) FROM trades t NATURAL JOIN equity e", true),
        ("SELECT run, count(*) FROM trades NATURAL JOIN (SELECT run, fast AS f FROM runs) r GROUP BY run ORDER BY 1", true),
        ("SELECT * FROM (SELECT run, count(*) AS n FROM trades WHERE side = 'buy' GROUP BY run) a NATURAL LEFT JOIN (SELECT run, max(pnl) AS m FROM trades WHERE run <> 'run002' GROUP BY run) b ORDER BY run", true),
        ("SELECT * FROM (SELECT symbol, count(*) AS n FROM trades WHERE run = 'run000' AND qty < 100 GROUP BY symbol) a NATURAL FULL JOIN (SELECT symbol, count(*) AS n FROM trades WHERE run = 'run001' AND qty < 100 GROUP BY symbol) b ORDER BY 1, 2", true),
        ("SELECT * FROM (SELECT symbol, sum(qty) AS q FROM trades WHERE run = 'run000' AND qty < 60 GROUP BY symbol) a NATURAL FULL OUTER JOIN (SELECT symbol, max(price) AS p FROM trades WHERE run = 'run003' AND qty > 470 GROUP BY symbol) b ORDER BY symbol", true),
        ("SELECT * FROM (SELECT symbol, count(*) AS n FROM trades WHERE run = 'run000' AND pnl > 500 GROUP BY symbol) a NATURAL RIGHT JOIN (SELECT symbol, avg(qty) AS q FROM trades WHERE run = 'run004' AND pnl < -700 GROUP BY symbol) b ORDER BY symbol", true),
        ("SELECT symbol, a.n, b.n FROM (SELECT symbol, count(*) AS n FROM trades WHERE run = 'run000' AND qty < 150 GROUP BY symbol) a FULL JOIN (SELECT symbol, count(*) AS n FROM trades WHERE run = 'run002' AND qty > 450 GROUP BY symbol) b USING (symbol) ORDER BY symbol NULLS FIRST", true),
        ("SELECT * FROM (SELECT DISTINCT symbol, side FROM trades WHERE qty < 20) a FULL JOIN (SELECT DISTINCT symbol, side FROM trades WHERE qty > 495) b USING (symbol, side) ORDER BY 1, 2", true),
        ("SELECT * FROM (SELECT position AS k, count(*) AS n FROM equity WHERE run = 'run000' GROUP BY 1) a FULL JOIN (SELECT qty % 5 AS k, count(*) AS m FROM trades GROUP BY 1) b USING (k) ORDER BY k NULLS FIRST", true),
        ("SELECT k, a.k, b.k FROM (SELECT position AS k FROM equity WHERE run = 'run001' GROUP BY 1) a RIGHT JOIN (SELECT qty % 4 - 1 AS k FROM trades GROUP BY 1) b USING (k) ORDER BY 1 NULLS FIRST, 2, 3", true),
        ("SELECT run, n, strategy, fast FROM (SELECT run, count(*) AS n FROM trades WHERE pnl > 900 GROUP BY run) a RIGHT JOIN runs USING (run) ORDER BY run", true),
        ("SELECT run, a.n IS NULL, count(*) FROM (SELECT run, ts, 1 AS n FROM trades WHERE qty < 250) a FULL JOIN (SELECT run, ts FROM trades WHERE side = 'sell') b USING (run, ts) GROUP BY 1, 2 ORDER BY 1, 2", true),
        ("SELECT count(*) FROM (SELECT symbol FROM trades WHERE run = 'run000') a FULL JOIN (SELECT symbol FROM trades WHERE run = 'run001') b USING (symbol) WHERE symbol = 'ES'", true),
        ("SELECT r.run, r.strategy, x.n FROM runs r NATURAL JOIN (SELECT run, strategy, count(*) AS n FROM trades GROUP BY ALL) x ORDER BY 1", true),
    ]

    @Test func naturalAndUsingJoinsMatchDuckDB() throws {
        try check(Self.naturalAndUsingQueries)
    }

    /// Set operations over branches of different types (BIGINT/DOUBLE/BOOLEAN to a number,
    /// anything with VARCHAR to VARCHAR) and UNION [ALL] BY NAME.
    static let setOperationTypeQueries: [(String, Bool)] = [
        ("SELECT qty FROM trades WHERE qty < 3 UNION ALL SELECT price FROM trades WHERE price > 995 ORDER BY 1", true),
        ("SELECT symbol FROM trades WHERE qty < 4 UNION SELECT qty FROM trades WHERE qty < 4 ORDER BY 1", true),
        ("SELECT epoch(ts) FROM trades WHERE run = 'run000' AND qty < 40 UNION ALL SELECT 'none' ORDER BY 1", true),
        ("SELECT pnl > 0 FROM trades WHERE run = 'run001' AND qty < 60 UNION SELECT side FROM trades ORDER BY 1 NULLS FIRST", true),
        ("SELECT qty > 250 AS b FROM trades WHERE run = 'run003' UNION SELECT 7 ORDER BY 1", true),
        ("SELECT side = 'buy' AS b FROM trades WHERE run = 'run003' UNION SELECT 2.5 ORDER BY 1", true),
        ("SELECT run, qty FROM trades WHERE qty > 498 INTERSECT SELECT run, CAST(qty AS VARCHAR) FROM trades WHERE side = 'buy' ORDER BY 1, 2", true),
        ("SELECT qty FROM trades WHERE run = 'run002' EXCEPT SELECT position FROM equity ORDER BY 1", true),
        ("SELECT run, count(*) AS n FROM trades GROUP BY run UNION BY NAME SELECT max(equity) AS m, run FROM equity GROUP BY run ORDER BY run, n NULLS FIRST", true),
        ("SELECT symbol, side FROM trades WHERE qty < 30 UNION ALL BY NAME SELECT side, symbol, qty FROM trades WHERE qty > 490 ORDER BY 1, 2, 3 NULLS FIRST", true),
        ("SELECT run FROM trades WHERE pnl > 995 UNION BY NAME SELECT run FROM trades WHERE pnl < -995 ORDER BY 1", true),
    ]

    @Test func setOperationTypesMatchDuckDB() throws {
        try check(Self.setOperationTypeQueries)
    }

    /// Window options: IGNORE / RESPECT NULLS, frame EXCLUDE, DISTINCT and FILTER on window
    /// aggregates, and per-row lag/lead offsets and defaults.
    static let windowOptionQueries: [(String, Bool)] = [
        ("SELECT run, ts, position, lag(position IGNORE NULLS) OVER (PARTITION BY run ORDER BY ts) AS p FROM equity WHERE ts < TIMESTAMP '2024-01-01 03:00:00' ORDER BY run, ts", true),
        ("SELECT run, ts, lead(position, 2 IGNORE NULLS) OVER (PARTITION BY run ORDER BY ts) AS p, lag(position, 3, -1 IGNORE NULLS) OVER (PARTITION BY run ORDER BY ts) AS q FROM equity WHERE ts < TIMESTAMP '2024-01-01 02:00:00' ORDER BY run, ts", true),
        ("SELECT run, ts, pnl, lag(pnl, 1 RESPECT NULLS) OVER (PARTITION BY run ORDER BY ts) AS a, lag(pnl IGNORE NULLS) OVER (PARTITION BY run ORDER BY ts) AS b, lead(pnl IGNORE NULLS) OVER (PARTITION BY run ORDER BY ts) AS c FROM trades ORDER BY run, ts", true),
        ("SELECT run, ts, first_value(position IGNORE NULLS) OVER w AS f, last_value(position IGNORE NULLS) OVER w AS l, nth_value(position, 2 IGNORE NULLS) OVER w AS n FROM equity WHERE ts < TIMESTAMP '2024-01-01 02:00:00' WINDOW w AS (PARTITION BY run ORDER BY ts ROWS BETWEEN 3 PRECEDING AND 2 FOLLOWING) ORDER BY run, ts", true),
        ("SELECT run, ts, first_value(pnl IGNORE NULLS) OVER (PARTITION BY run ORDER BY ts) AS f, last_value(pnl IGNORE NULLS) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS l FROM trades ORDER BY run, ts", true),
        ("SELECT run, ts, sum(position) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING EXCLUDE CURRENT ROW) AS s FROM equity WHERE ts < TIMESTAMP '2024-01-01 02:00:00' ORDER BY run, ts", true),
        ("SELECT run, ts, qty, count(*) OVER (PARTITION BY run ORDER BY qty RANGE BETWEEN 20 PRECEDING AND 20 FOLLOWING EXCLUDE GROUP) AS g, sum(qty) OVER (PARTITION BY run ORDER BY qty RANGE BETWEEN 20 PRECEDING AND 20 FOLLOWING EXCLUDE TIES) AS t, max(pnl) OVER (PARTITION BY run ORDER BY qty, ts ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING EXCLUDE NO OTHERS) AS m FROM trades ORDER BY run, qty, ts", true),
        ("SELECT run, symbol, ts, avg(pnl) OVER (PARTITION BY run ORDER BY symbol RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE GROUP) AS a, min(price) OVER (PARTITION BY run ORDER BY symbol RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE TIES) AS m, count(pnl) OVER (PARTITION BY run ORDER BY symbol GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW) AS c FROM trades ORDER BY run, ts", true),
        ("SELECT run, ts, first_value(qty) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW) AS f, last_value(qty) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW) AS l FROM trades ORDER BY run, ts", true),
        ("SELECT run, side, ts, stddev_samp(qty) OVER (PARTITION BY run ORDER BY side, ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW) AS sd, arg_max(symbol, qty) OVER (PARTITION BY run ORDER BY side ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE GROUP) AS am FROM trades ORDER BY run, ts", true),
        ("SELECT run, ts, count(DISTINCT symbol) OVER (PARTITION BY run ORDER BY ts) AS n, count(DISTINCT side) OVER (PARTITION BY run) AS s FROM trades ORDER BY run, ts", true),
        ("SELECT run, ts, count(DISTINCT symbol) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) AS n, sum(DISTINCT qty % 10) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 5 PRECEDING AND 5 FOLLOWING) AS s, avg(DISTINCT position) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) AS a FROM (SELECT t.run, t.ts, t.symbol, t.qty, e.position FROM trades t JOIN equity e USING (run, ts)) ORDER BY run, ts", true),
        ("SELECT run, ts, sum(DISTINCT round(price)) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING) AS s, max(DISTINCT qty) OVER (PARTITION BY run) AS m FROM trades ORDER BY run, ts", true),
        ("SELECT run, ts, count(*) FILTER (WHERE pnl > 0) OVER (PARTITION BY run ORDER BY ts) AS wins, sum(pnl) FILTER (WHERE side = 'buy') OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) AS b FROM trades ORDER BY run, ts", true),
        ("SELECT run, ts, avg(qty) FILTER (WHERE symbol <> 'ES') OVER (PARTITION BY run) AS a, max(price) FILTER (WHERE qty > 250) OVER (PARTITION BY run ORDER BY ts) AS m, count(pnl) FILTER (WHERE qty < 100) OVER () AS c FROM trades ORDER BY run, ts", true),
        ("SELECT run, ts, qty, lag(qty, qty % 3) OVER (PARTITION BY run ORDER BY ts) AS a, lead(qty, 1 + qty % 2, qty * 10) OVER (PARTITION BY run ORDER BY ts) AS b, lag(symbol, 2, side) OVER (PARTITION BY run ORDER BY ts) AS c FROM trades ORDER BY run, ts", true),
        ("SELECT run, ts, lag(pnl, CAST(qty % 4 AS BIGINT), 0.0 IGNORE NULLS) OVER (PARTITION BY run ORDER BY ts) AS a FROM trades ORDER BY run, ts", true),
        ("SELECT run, count(*) FILTER (WHERE pnl > 0) AS wins, sum(count(*)) OVER (ORDER BY run ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW) AS neighbours FROM trades GROUP BY run ORDER BY run", true),
    ]

    @Test func windowOptionsMatchDuckDB() throws {
        try check(Self.windowOptionQueries)
    }

    /// LATERAL subqueries reading the FROM items to their left (comma, CROSS, INNER and LEFT JOIN).
    static let lateralQueries: [(String, Bool)] = [
        ("SELECT r.run, x.n FROM runs r, LATERAL (SELECT count(*) AS n FROM trades t WHERE t.run = r.run) x ORDER BY 1", true),
        ("SELECT r.run, x.ts, x.pnl FROM runs r JOIN LATERAL (SELECT ts, pnl FROM trades t WHERE t.run = r.run ORDER BY pnl DESC NULLS LAST, ts LIMIT 2) x ON true ORDER BY 1, 2", true),
        ("SELECT r.run, x.ts FROM runs r LEFT JOIN LATERAL (SELECT ts FROM trades t WHERE t.run = r.run AND t.pnl > 998) x ON true ORDER BY 1, 2 NULLS FIRST", true),
        ("SELECT t.run, t.ts, x.eq FROM trades t CROSS JOIN LATERAL (SELECT max(e.equity) AS eq FROM equity e WHERE e.run = t.run AND e.ts <= t.ts) x WHERE t.run = 'run001' ORDER BY 2", true),
        ("SELECT s.symbol, x.run, x.total FROM (SELECT DISTINCT symbol FROM trades) s JOIN LATERAL (SELECT run, sum(pnl) AS total FROM trades t WHERE t.symbol = s.symbol GROUP BY run ORDER BY total DESC LIMIT 1) x ON x.total > 0 ORDER BY 1", true),
        ("SELECT r.run, x.* FROM runs r, LATERAL (SELECT min(ts) AS first_trade, max(ts) AS last_trade FROM trades t WHERE t.run = r.run) x ORDER BY 1", true),
        ("SELECT count(*) FROM runs r, LATERAL (SELECT DISTINCT side FROM trades) x", true),
        ("SELECT r.run, x.side FROM runs r RIGHT JOIN LATERAL (SELECT DISTINCT side FROM trades) x ON r.fast > 5 ORDER BY 1 NULLS FIRST, 2", true),
        ("SELECT r.run, x.side FROM runs r FULL JOIN LATERAL (SELECT DISTINCT side FROM trades) x ON r.run = 'run001' ORDER BY 1 NULLS FIRST, 2", true),
        ("SELECT r.run, x.ts FROM runs r LEFT JOIN LATERAL (SELECT ts, pnl FROM trades t WHERE t.run = r.run ORDER BY ts LIMIT 3) x ON x.pnl > 0 ORDER BY 1, 2 NULLS FIRST", true),
        ("SELECT r.strategy, count(*), sum(x.n) FROM runs r JOIN LATERAL (SELECT symbol, count(*) AS n FROM trades t WHERE t.run = r.run AND t.qty > 400 GROUP BY symbol) x ON x.n > 1 WHERE r.fast > 5 GROUP BY 1 ORDER BY 1", true),
    ]

    @Test func lateralJoinsMatchDuckDB() throws {
        try check(Self.lateralQueries)
    }
}
