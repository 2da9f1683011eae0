/// Window-function queries for the DuckDB differential suite (and seeds for the SQL fuzzer).
/// Every result is totally ordered (ORDER BY ends in unique keys; window ORDER BYs that decide a
/// value are total or the value does not depend on the order of peers).
enum WindowQueries {
    static let all: [String] = ranking + navigation + aggregates + frames + perRowFrames + named + analyst + relational + grouped + edges

    static let ranking: [String] = [
        "SELECT run, ts, row_number() OVER (PARTITION BY run ORDER BY ts) FROM equity ORDER BY run, ts",
        "SELECT run, ts, row_number() OVER (ORDER BY ts DESC) AS rn FROM trades ORDER BY run, ts",
        "SELECT run, ts, position, rank() OVER (PARTITION BY run ORDER BY position), dense_rank() OVER (PARTITION BY run ORDER BY position) FROM equity ORDER BY run, ts",
        "SELECT run, ts, rank() OVER (ORDER BY position DESC NULLS FIRST), dense_rank() OVER (ORDER BY position NULLS FIRST) FROM equity ORDER BY run, ts",
        "SELECT run, ts, percent_rank() OVER (PARTITION BY run ORDER BY position), cume_dist() OVER (PARTITION BY run ORDER BY position) FROM equity ORDER BY run, ts",
        "SELECT run, ts, percent_rank() OVER (ORDER BY qty), cume_dist() OVER (ORDER BY qty DESC) FROM trades ORDER BY run, ts",
        "SELECT run, ts, ntile(4) OVER (PARTITION BY run ORDER BY ts), ntile(7) OVER (ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, ntile(1000) OVER (PARTITION BY symbol ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, symbol, row_number() OVER (PARTITION BY symbol, side ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, rank() OVER (PARTITION BY run ORDER BY side, symbol) FROM trades ORDER BY run, ts",
        "SELECT run, ts, rank() OVER (PARTITION BY run), dense_rank() OVER (), row_number() OVER (PARTITION BY run ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, rank() OVER (ORDER BY pnl DESC NULLS LAST), dense_rank() OVER (ORDER BY note NULLS FIRST) FROM trades ORDER BY run, ts",
        "SELECT run, ts, percent_rank() OVER (), cume_dist() OVER () FROM trades WHERE run = 'run001' ORDER BY ts",
        "SELECT run, ts, row_number() OVER (PARTITION BY run ORDER BY pnl DESC, ts) AS r FROM trades ORDER BY run, ts",
    ]

    static let navigation: [String] = [
        "SELECT run, ts, equity, lag(equity) OVER (PARTITION BY run ORDER BY ts), lead(equity) OVER (PARTITION BY run ORDER BY ts) FROM equity ORDER BY run, ts",
        "SELECT run, ts, lag(equity, 3) OVER (PARTITION BY run ORDER BY ts), lead(equity, 2, -1.0) OVER (PARTITION BY run ORDER BY ts) FROM equity ORDER BY run, ts",
        "SELECT run, ts, lag(position, 1, 0) OVER (PARTITION BY run ORDER BY ts), lead(position, 5, 99) OVER (PARTITION BY run ORDER BY ts) FROM equity ORDER BY run, ts",
        "SELECT run, ts, lag(symbol) OVER (ORDER BY ts), lead(note, 1, 'none') OVER (ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, lag(ts) OVER (PARTITION BY run ORDER BY ts), ts - lag(ts) OVER (PARTITION BY run ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, lag(pnl, 0) OVER (PARTITION BY run ORDER BY ts), lead(pnl, 100) OVER (PARTITION BY run ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, lag(qty, -1) OVER (PARTITION BY run ORDER BY ts), lead(qty, -2, 0) OVER (PARTITION BY run ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, first_value(equity) OVER (PARTITION BY run ORDER BY ts), last_value(equity) OVER (PARTITION BY run ORDER BY ts) FROM equity ORDER BY run, ts",
        "SELECT run, ts, first_value(pnl) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING), last_value(pnl) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, first_value(note) OVER (PARTITION BY run), last_value(note) OVER (PARTITION BY run) FROM trades ORDER BY run, ts",
        "SELECT run, ts, nth_value(price, 2) OVER (PARTITION BY run ORDER BY ts), nth_value(price, 3) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) FROM trades ORDER BY run, ts",
        "SELECT run, ts, nth_value(symbol, 1) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, first_value(position) OVER (PARTITION BY run ORDER BY position RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM equity WHERE run IN ('run000', 'run002') ORDER BY run, ts",
        "SELECT run, ts, last_value(ts) OVER (ORDER BY ts ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, first_value(ts) OVER (PARTITION BY run ORDER BY ts RANGE BETWEEN INTERVAL '2 hours' PRECEDING AND CURRENT ROW) FROM trades ORDER BY run, ts",
        "SELECT run, ts, lag(equity) OVER w, lead(equity) OVER w FROM equity WINDOW w AS (PARTITION BY run ORDER BY ts) ORDER BY run, ts",
    ]

    static let aggregates: [String] = [
        "SELECT run, ts, sum(pnl) OVER (PARTITION BY run ORDER BY ts), count(pnl) OVER (PARTITION BY run ORDER BY ts), count(*) OVER (PARTITION BY run ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts), avg(qty) OVER (PARTITION BY run ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, min(equity) OVER (PARTITION BY run ORDER BY ts), max(equity) OVER (PARTITION BY run ORDER BY ts) FROM equity ORDER BY run, ts",
        "SELECT run, ts, sum(pnl) OVER (PARTITION BY run), avg(pnl) OVER (PARTITION BY run), min(pnl) OVER (), max(pnl) OVER () FROM trades ORDER BY run, ts",
        "SELECT run, ts, stddev(pnl) OVER (PARTITION BY run ORDER BY ts), stddev_pop(pnl) OVER (PARTITION BY run ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, var_samp(price) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 9 PRECEDING AND CURRENT ROW), var_pop(price) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) FROM trades ORDER BY run, ts",
        "SELECT run, ts, stddev_samp(qty) OVER (PARTITION BY symbol), variance(qty) OVER (PARTITION BY symbol ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, arg_max(symbol, price) OVER (PARTITION BY run ORDER BY ts), arg_min(ts, price) OVER (PARTITION BY run ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, arg_max(qty, pnl) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING), arg_min(qty, pnl) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, min(symbol) OVER (PARTITION BY run ORDER BY ts ROWS 4 PRECEDING), max(note) OVER (PARTITION BY run ORDER BY ts ROWS 4 PRECEDING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, min(ts) OVER (PARTITION BY symbol), max(ts) OVER (PARTITION BY symbol ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, count(note) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 5 PRECEDING AND 5 FOLLOWING), count(*) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 5 PRECEDING AND 5 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, sum(position) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 30 PRECEDING AND CURRENT ROW), avg(position) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 30 PRECEDING AND CURRENT ROW) FROM equity ORDER BY run, ts",
        "SELECT run, ts, min(position) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 30 PRECEDING AND CURRENT ROW), max(position) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 30 PRECEDING AND 10 FOLLOWING) FROM equity ORDER BY run, ts",
        "SELECT run, ts, sum(equity) OVER (ORDER BY ts ROWS BETWEEN 100 PRECEDING AND CURRENT ROW) FROM equity ORDER BY run, ts",
        "SELECT run, ts, max(equity) OVER (ORDER BY ts), min(equity) OVER (ORDER BY ts DESC) FROM equity ORDER BY run, ts",
        "SELECT run, ts, sum(pnl) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, avg(pnl) OVER (PARTITION BY side ORDER BY ts ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, sum(qty * price) OVER (PARTITION BY run, symbol ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, sum(CASE WHEN pnl > 0 THEN 1 ELSE 0 END) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS wins10 FROM trades ORDER BY run, ts",
        "SELECT run, ts, max(pnl) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 7 PRECEDING AND 3 PRECEDING), min(pnl) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 3 FOLLOWING AND 7 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, sum(pnl) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 3 FOLLOWING AND 1 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, avg(equity) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 1000 PRECEDING AND 1000 FOLLOWING) FROM equity ORDER BY run, ts",
    ]

    static let frames: [String] = [
        "SELECT run, ts, sum(position) OVER (PARTITION BY run ORDER BY position RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM equity ORDER BY run, ts",
        "SELECT run, ts, count(*) OVER (PARTITION BY run ORDER BY position DESC RANGE BETWEEN 2 PRECEDING AND CURRENT ROW) FROM equity ORDER BY run, ts",
        "SELECT run, ts, count(*) OVER (PARTITION BY run ORDER BY position NULLS FIRST RANGE BETWEEN CURRENT ROW AND 1 FOLLOWING) FROM equity ORDER BY run, ts",
        "SELECT run, ts, count(*) OVER (PARTITION BY run ORDER BY position RANGE BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING) FROM equity ORDER BY run, ts",
        "SELECT run, ts, avg(price) OVER (ORDER BY price RANGE BETWEEN 10.5 PRECEDING AND 10.5 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, count(*) OVER (ORDER BY qty RANGE BETWEEN 5 PRECEDING AND 5 FOLLOWING), sum(qty) OVER (ORDER BY qty DESC RANGE BETWEEN 3 FOLLOWING AND 10 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, count(*) OVER (PARTITION BY run ORDER BY ts RANGE BETWEEN INTERVAL '1 hour' PRECEDING AND CURRENT ROW) FROM equity ORDER BY run, ts",
        "SELECT run, ts, avg(equity) OVER (PARTITION BY run ORDER BY ts RANGE BETWEEN INTERVAL '30 minutes' PRECEDING AND INTERVAL '30 minutes' FOLLOWING) FROM equity ORDER BY run, ts",
        "SELECT run, ts, sum(pnl) OVER (PARTITION BY run ORDER BY ts DESC RANGE BETWEEN INTERVAL '3 hours' PRECEDING AND INTERVAL '1 hour' PRECEDING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, count(*) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1 day' PRECEDING AND CURRENT ROW) FROM trades ORDER BY run, ts",
        "SELECT run, ts, max(equity) OVER (PARTITION BY run ORDER BY ts RANGE BETWEEN CURRENT ROW AND INTERVAL '90 minutes' FOLLOWING) FROM equity ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts RANGE UNBOUNDED PRECEDING), sum(qty) OVER (PARTITION BY run ORDER BY ts RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY side RANGE BETWEEN CURRENT ROW AND CURRENT ROW) FROM trades ORDER BY run, ts",
        "SELECT run, ts, count(*) OVER (PARTITION BY run ORDER BY position GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM equity ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (ORDER BY symbol GROUPS BETWEEN CURRENT ROW AND 2 FOLLOWING), sum(qty) OVER (ORDER BY symbol DESC GROUPS 1 PRECEDING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, count(*) OVER (PARTITION BY run ORDER BY position NULLS FIRST GROUPS BETWEEN 2 PRECEDING AND 1 PRECEDING) FROM equity ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts ROWS CURRENT ROW), sum(qty) OVER (PARTITION BY run ORDER BY ts ROWS UNBOUNDED PRECEDING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 0 PRECEDING AND 0 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, min(pnl) OVER (PARTITION BY run ORDER BY pnl RANGE BETWEEN 100 PRECEDING AND 100 FOLLOWING), max(pnl) OVER (PARTITION BY run ORDER BY pnl DESC NULLS FIRST RANGE BETWEEN 50 PRECEDING AND CURRENT ROW) FROM trades ORDER BY run, ts",
        "SELECT run, ts, count(pnl) OVER (ORDER BY pnl NULLS FIRST RANGE BETWEEN 1000 PRECEDING AND 1000 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY qty RANGE BETWEEN 0 PRECEDING AND 0 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, count(*) OVER (PARTITION BY run ORDER BY ts RANGE BETWEEN INTERVAL '1 month' PRECEDING AND CURRENT ROW) FROM trades ORDER BY run, ts",
    ]

    /// Frame offsets that are expressions evaluated per row (frames moving back and forth), and
    /// nth_value IGNORE NULLS with EXCLUDE.
    static let perRowFrames: [String] = [
        "SELECT run, ts, sum(pnl) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN qty % 5 PRECEDING AND CURRENT ROW) FROM trades ORDER BY run, ts",
        "SELECT run, ts, max(pnl) OVER w, min(price) OVER w, count(pnl) OVER w, avg(qty) OVER w, stddev(price) OVER w FROM trades WINDOW w AS (PARTITION BY run ORDER BY ts ROWS BETWEEN qty % 4 PRECEDING AND qty % 3 FOLLOWING) ORDER BY run, ts",
        "SELECT run, ts, first_value(pnl) OVER w, last_value(qty) OVER w, nth_value(price, 2) OVER w, arg_max(qty, price) OVER w FROM trades WINDOW w AS (PARTITION BY run ORDER BY ts ROWS BETWEEN qty % 6 PRECEDING AND (qty // 7) % 3 FOLLOWING) ORDER BY run, ts",
        "SELECT run, ts, count(DISTINCT symbol) OVER w, median(price) OVER w, first_value(pnl IGNORE NULLS) OVER w FROM trades WINDOW w AS (PARTITION BY run ORDER BY ts ROWS BETWEEN qty % 5 PRECEDING AND 2 FOLLOWING) ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN qty % 4 PRECEDING AND 3 FOLLOWING EXCLUDE CURRENT ROW) FROM trades ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN qty % 3 FOLLOWING AND UNBOUNDED FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, count(*) OVER (PARTITION BY run ORDER BY position RANGE BETWEEN abs(coalesce(position, 0)) % 3 PRECEDING AND 1 FOLLOWING) FROM equity ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (ORDER BY price RANGE BETWEEN (qty % 7) * 0.5 PRECEDING AND qty % 2 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, count(*) OVER (PARTITION BY run ORDER BY position DESC RANGE BETWEEN CURRENT ROW AND CASE WHEN position > 0 THEN 2 END FOLLOWING) FROM equity ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY side GROUPS BETWEEN qty % 2 PRECEDING AND CURRENT ROW) FROM trades ORDER BY run, ts",
        "SELECT run, ts, nth_value(pnl, 2 IGNORE NULLS) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING EXCLUDE CURRENT ROW) FROM trades ORDER BY run, ts",
        // Peers share the value (the ORDER BY key, or NULL), so the answer does not depend on
        // the order of ties.
        "SELECT run, ts, nth_value(CASE WHEN pnl IS NULL THEN NULL ELSE qty // 100 END, 2 IGNORE NULLS) OVER (PARTITION BY run ORDER BY qty // 100 RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE GROUP) FROM trades ORDER BY run, ts",
        "SELECT run, ts, nth_value(CASE WHEN pnl IS NULL THEN NULL ELSE qty // 100 END, 3 IGNORE NULLS) OVER (PARTITION BY run ORDER BY qty // 100 RANGE BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE TIES) FROM trades ORDER BY run, ts",
        "SELECT run, ts, nth_value(note, 2 IGNORE NULLS) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 4 PRECEDING AND CURRENT ROW EXCLUDE TIES) FROM trades ORDER BY run, ts",
        // DOUBLE (and BOOLEAN) ROWS/GROUPS offsets are cast to BIGINT, per row or constant
        // (DuckDB types 1.5 and qty * 0.5 DECIMAL: halves round away from zero).
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN (qty % 7) * 0.5 PRECEDING AND (qty % 5) * 0.7 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, max(price) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN sqrt(qty % 10) PRECEDING AND CURRENT ROW), count(*) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN CURRENT ROW AND (qty % 2 = 0) FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 1.5 PRECEDING AND 2.5 FOLLOWING), avg(price) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 0.4 PRECEDING AND 0.5 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY side GROUPS BETWEEN (qty % 3) * 0.5 PRECEDING AND 0.6 FOLLOWING) FROM trades ORDER BY run, ts",
    ]

    static let named: [String] = [
        "SELECT run, ts, sum(qty) OVER w, avg(price) OVER w FROM trades WINDOW w AS (PARTITION BY run ORDER BY ts) ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (w ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM trades WINDOW w AS (PARTITION BY run ORDER BY ts) ORDER BY run, ts",
        "SELECT run, ts, row_number() OVER (w ORDER BY ts DESC), count(*) OVER w FROM trades WINDOW w AS (PARTITION BY symbol) ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER w2 FROM trades WINDOW w1 AS (PARTITION BY run), w2 AS (w1 ORDER BY ts ROWS 3 PRECEDING) ORDER BY run, ts",
    ]

    static let analyst: [String] = [
        // Rolling mean of returns: a window over a streamed window's output, arriving in time order.
        "SELECT ts, avg(r) OVER (ORDER BY ts ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) AS m, sum(r) OVER (ORDER BY ts ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) AS s FROM (SELECT ts, equity / lag(equity) OVER (ORDER BY ts) - 1 AS r FROM equity WHERE run = 'run001') ORDER BY ts",
        // Input already in key order with ties (ascending and descending): peers without a sort.
        "SELECT position, count(*) OVER (ORDER BY position RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) AS c, rank() OVER (ORDER BY position) AS rk FROM (SELECT position FROM equity WHERE run = 'run001' AND position IS NOT NULL ORDER BY position) ORDER BY position, c, rk",
        "SELECT position, dense_rank() OVER (ORDER BY position DESC) AS dr, count(*) OVER (ORDER BY position DESC) AS c FROM (SELECT position FROM equity WHERE run = 'run002' AND position IS NOT NULL ORDER BY position DESC) ORDER BY position, dr, c",
        // Drawdown curve.
        "SELECT run, ts, equity / max(equity) OVER (PARTITION BY run ORDER BY ts) - 1 AS drawdown FROM equity ORDER BY run, ts",
        "SELECT ts, equity / max(equity) OVER (ORDER BY ts) - 1 AS drawdown FROM equity WHERE run = 'run001' ORDER BY ts",
        // Bar returns via lag.
        "SELECT run, ts, equity / lag(equity) OVER (PARTITION BY run ORDER BY ts) - 1 AS r FROM equity ORDER BY run, ts",
        // Rolling mean over 60 bars and over 30 days.
        "SELECT run, ts, avg(equity) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 59 PRECEDING AND CURRENT ROW) AS roll FROM equity ORDER BY run, ts",
        "SELECT run, ts, avg(pnl) OVER (PARTITION BY run ORDER BY ts RANGE BETWEEN INTERVAL '30 days' PRECEDING AND CURRENT ROW) FROM trades ORDER BY run, ts",
        "SELECT run, ts, stddev(equity) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 59 PRECEDING AND CURRENT ROW) AS vol FROM equity ORDER BY run, ts",
        // Best run per strategy, with QUALIFY.
        "SELECT strategy, run, sum(pnl) AS total, row_number() OVER (PARTITION BY strategy ORDER BY sum(pnl) DESC) AS rk FROM trades GROUP BY strategy, run QUALIFY rk = 1 ORDER BY strategy",
        "SELECT strategy, run, sum(pnl) AS total FROM trades GROUP BY strategy, run QUALIFY row_number() OVER (PARTITION BY strategy ORDER BY total DESC) <= 2 ORDER BY strategy, total DESC",
        "SELECT run, ts, pnl FROM trades QUALIFY row_number() OVER (PARTITION BY run ORDER BY pnl DESC NULLS LAST, ts) <= 3 ORDER BY run, pnl DESC",
        "SELECT run, ts, equity FROM equity QUALIFY equity = max(equity) OVER (PARTITION BY run) ORDER BY run, ts",
        // Monthly returns: last equity per month, then lag over the months.
        "SELECT run, date_trunc('month', ts) AS m, last(equity) AS close, last(equity) / lag(last(equity)) OVER (PARTITION BY run ORDER BY date_trunc('month', ts)) - 1 AS ret FROM equity GROUP BY run, m ORDER BY run, m",
        "SELECT run, date_trunc('day', ts) AS d, arg_max(equity, ts) / lag(arg_max(equity, ts)) OVER (PARTITION BY run ORDER BY date_trunc('day', ts)) - 1 AS ret FROM equity GROUP BY run, d ORDER BY run, d",
        // Windows over aggregates.
        "SELECT run, sum(pnl) AS total, sum(sum(pnl)) OVER () AS grand, sum(pnl) / sum(sum(pnl)) OVER () AS share FROM trades GROUP BY run ORDER BY run",
        "SELECT symbol, count(*) AS n, rank() OVER (ORDER BY count(*) DESC) AS r FROM trades GROUP BY symbol ORDER BY symbol",
        "SELECT run, side, sum(qty) AS q, sum(sum(qty)) OVER (PARTITION BY run ORDER BY side) AS cum FROM trades GROUP BY run, side ORDER BY run, side",
        "SELECT date_trunc('hour', ts) AS h, avg(equity) AS a, avg(avg(equity)) OVER (ORDER BY date_trunc('hour', ts) ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM equity GROUP BY h ORDER BY h",
    ]

    /// Windows over joins, subqueries and CTEs (the generic operator path).
    static let relational: [String] = [
        "WITH m AS (SELECT run, date_trunc('month', ts) AS month, last(equity) AS close FROM equity GROUP BY ALL) SELECT run, month, close / lag(close) OVER (PARTITION BY run ORDER BY month) - 1 AS ret FROM m ORDER BY run, month",
        "WITH d AS (SELECT run, date_trunc('day', ts) AS day, last(equity) AS close FROM equity GROUP BY ALL) SELECT run, day, close / lag(close, 1, close) OVER (PARTITION BY run ORDER BY day) - 1 FROM d ORDER BY run, day",
        "WITH per_run AS (SELECT strategy, run, sum(pnl) AS total FROM trades GROUP BY strategy, run) SELECT strategy, run, total FROM per_run QUALIFY row_number() OVER (PARTITION BY strategy ORDER BY total DESC) = 1 ORDER BY strategy",
        "SELECT run, ts, dd FROM (SELECT run, ts, equity / max(equity) OVER (PARTITION BY run ORDER BY ts) - 1 AS dd FROM equity) AS x WHERE dd < -0.001 ORDER BY run, ts",
        "SELECT r.run, r.n, rank() OVER (ORDER BY r.n DESC, r.run) FROM (SELECT run, count(*) AS n FROM trades GROUP BY run) r ORDER BY r.run",
        "SELECT run, total, sum(total) OVER (ORDER BY run ROWS UNBOUNDED PRECEDING) FROM (SELECT run, sum(qty) AS total FROM trades GROUP BY run) ORDER BY run",
        "SELECT t.run, t.ts, sum(t.qty) OVER (PARTITION BY t.run ORDER BY t.ts ROWS 2 PRECEDING) FROM trades t JOIN (SELECT DISTINCT run FROM equity) e ON t.run = e.run ORDER BY t.run, t.ts",
        "SELECT t.run, t.ts, t.pnl - lag(t.pnl) OVER (PARTITION BY t.run ORDER BY t.ts) AS d FROM trades t ASOF JOIN equity q ON t.run = q.run AND t.ts >= q.ts ORDER BY t.run, t.ts",
    ]

    static let grouped: [String] = [
        "SELECT DISTINCT run, max(equity) OVER (PARTITION BY run) FROM equity ORDER BY run",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts) AS c FROM trades ORDER BY c DESC, run, ts LIMIT 10",
        "SELECT run, ts, row_number() OVER (PARTITION BY run ORDER BY ts) AS rn FROM trades WHERE pnl > 0 ORDER BY rn DESC, run LIMIT 12",
        "SELECT run, ts FROM trades WHERE side = 'buy' QUALIFY lag(side) OVER (PARTITION BY run ORDER BY ts) IS NULL ORDER BY run, ts",
        "SELECT run, ts, qty FROM trades QUALIFY qty > avg(qty) OVER (PARTITION BY run) AND ntile(2) OVER (PARTITION BY run ORDER BY ts) = 1 ORDER BY run, ts",
        "SELECT run, ts, row_number() OVER (PARTITION BY run ORDER BY ts) FROM trades ORDER BY row_number() OVER (PARTITION BY run ORDER BY ts) DESC, run LIMIT 5",
        "SELECT run, count(*) OVER () AS n FROM trades WHERE run = 'run000' LIMIT 3",
        "SELECT count(*) OVER (), row_number() OVER ()",
    ]

    static let edges: [String] = [
        "SELECT run, ts, sum(pnl) OVER (PARTITION BY note ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, lag(pnl, 2) OVER (PARTITION BY pnl IS NULL ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, row_number() OVER (PARTITION BY run ORDER BY position NULLS FIRST, ts) FROM equity ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 9223372036854775807 PRECEDING AND 9223372036854775807 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, count(*) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '300 years' PRECEDING AND CURRENT ROW) FROM trades ORDER BY run, ts",
        "SELECT run, ts, lag(run) OVER (ORDER BY ts), lead(run) OVER (PARTITION BY strategy ORDER BY ts) FROM trades ORDER BY run, ts",
        "SELECT run, ts, avg(fast) OVER (PARTITION BY strategy), sum(fast) OVER (ORDER BY ts) FROM trades ORDER BY run, ts",
    ]

    /// Queries both DuckDB and Tape must reject.
    static let errors: [String] = [
        "SELECT run, ts, max(qty) OVER (ORDER BY qty RANGE BETWEEN 9223372036854775807 PRECEDING AND 9223372036854775807 FOLLOWING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, first_value(note) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 2 FOLLOWING AND 1 PRECEDING) FROM trades ORDER BY run, ts",
        "SELECT run, ts, sum(qty) OVER (ORDER BY ts ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) FROM trades",
        "SELECT run, ts, sum(qty) OVER (ORDER BY ts ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW) FROM trades",
        "SELECT run, ts, sum(qty) OVER (ORDER BY ts ROWS BETWEEN -1 PRECEDING AND CURRENT ROW) FROM trades",
        "SELECT run, ts, sum(qty) OVER (ORDER BY ts, run RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM trades",
        "SELECT run, ts, sum(qty) OVER (ORDER BY ts RANGE BETWEEN 5 PRECEDING AND CURRENT ROW) FROM trades",
        "SELECT run, ts, sum(qty) OVER (ORDER BY symbol RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM trades",
        "SELECT run, ts FROM trades WHERE row_number() OVER () > 1",
        "SELECT run, sum(qty) FROM trades GROUP BY run HAVING rank() OVER (ORDER BY run) = 1",
        "SELECT run, ts, sum(qty) OVER w FROM trades",
        "SELECT run, ts, sum(qty) OVER (w PARTITION BY side) FROM trades WINDOW w AS (PARTITION BY run)",
        "SELECT run, ts, sum(qty) OVER (w ORDER BY ts) FROM trades WINDOW w AS (ORDER BY qty)",
        "SELECT run, ts, sum(sum(qty) OVER ()) OVER () FROM trades",
        "SELECT run, ts, rank(qty) OVER (ORDER BY ts) FROM trades",
        "SELECT run, ts, ntile(0) OVER (ORDER BY ts) FROM trades",
        "SELECT run, ts, upper(symbol) OVER (ORDER BY ts) FROM trades",
        "SELECT run, ts, sum(symbol) OVER (ORDER BY ts) FROM trades",
        "SELECT run, ts, sum(qty) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW) FROM trades",
        "SELECT run, ts, quantile_cont(qty, qty / 1000) OVER (PARTITION BY run ORDER BY ts) FROM trades",
        // Per-row frame offsets: NULL or negative ROWS offsets, negative RANGE offsets, a DOUBLE
        // ROWS offset with NULLs.
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN CASE WHEN qty > 250 THEN NULL ELSE 1 END PRECEDING AND CURRENT ROW) FROM trades",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN CURRENT ROW AND qty - 250 FOLLOWING) FROM trades",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY qty RANGE BETWEEN qty - 250 PRECEDING AND CURRENT ROW) FROM trades",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN pnl PRECEDING AND CURRENT ROW) FROM trades",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN CASE WHEN qty > 250 THEN 'nan'::DOUBLE ELSE 1.0 END PRECEDING AND CURRENT ROW) FROM trades",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN CURRENT ROW AND CASE WHEN qty > 250 THEN 1e30 ELSE 1.0 END FOLLOWING) FROM trades",
        "SELECT run, ts, sum(qty) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN (qty - 250) * 0.5 PRECEDING AND CURRENT ROW) FROM trades",
        // Not window queries, but the same check: a LATERAL subquery that reads the left side
        // joins only by INNER, LEFT or CROSS JOIN (DuckDB: "The combining JOIN type must be INNER
        // or LEFT for a LATERAL reference").
        "SELECT r.run, x.n FROM runs r RIGHT JOIN LATERAL (SELECT count(*) AS n FROM trades t WHERE t.run = r.run) x ON true",
        "SELECT r.run, x.ts FROM runs r FULL JOIN LATERAL (SELECT ts FROM trades t WHERE t.run = r.run LIMIT 1) x ON true",
    ]
}
