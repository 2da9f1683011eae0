import Foundation
import Testing
import TapeFormat
import TapeTestSupport
@testable import TapeQuery

/// Runs the same queries through Tape (over .tape runs) and DuckDB (over the same rows loaded from
/// CSV) and requires identical answers: exact for integers, strings, booleans and timestamps,
/// within 1e-9 relative for doubles; order compared only when the query orders totally.
@Suite(.enabled(if: TestPython.isAvailable, "needs TAPE_TEST_PYTHON with duckdb (make test provides it)"))
struct DuckDBDifferentialTests {
    /// (sql, ordered): `ordered` when ORDER BY fixes the row order completely.
    static let queries: [(String, Bool)] = [
        ("SELECT count(*), count(pnl), sum(pnl), avg(pnl), min(pnl), max(pnl) FROM trades", true),
        ("SELECT count(*), sum(equity), avg(equity), min(equity), max(equity), stddev(equity), stddev_pop(equity), var_samp(equity), var_pop(equity) FROM equity", true),
        ("SELECT side, count(*), sum(qty), avg(price) FROM trades GROUP BY side ORDER BY side", true),
        ("SELECT symbol, side, count(*) AS n, sum(pnl) AS total FROM trades GROUP BY symbol, side ORDER BY symbol, side", true),
        ("SELECT run, strategy, fast, sum(pnl) FROM trades GROUP BY ALL ORDER BY run", true),
        ("SELECT run, ts, symbol, side, qty, price, pnl, note FROM trades WHERE pnl < 0 ORDER BY pnl, run, ts LIMIT 20", true),
        ("SELECT run, ts, pnl FROM trades WHERE pnl IS NULL ORDER BY run, ts", true),
        // Bit-packed BOOLEAN kernels: three-valued AND/OR/NOT and = / <> over NULLable operands.
        ("SELECT run, ts, pnl > 0 AND qty > 100, pnl > 0 OR qty > 100, NOT (pnl > 0), (pnl > 0) = (qty > 100), (pnl > 0) <> (note IS NULL) FROM trades ORDER BY run, ts", true),
        ("SELECT count(*) FROM trades WHERE (pnl > 0 OR note IS NULL) AND NOT (qty < 50 AND pnl < 0)", true),
        ("SELECT run, ts, note FROM trades WHERE note IS NOT NULL AND note LIKE '%hi%' ORDER BY run, ts LIMIT 10", true),
        ("SELECT count(*) FROM trades WHERE note ILIKE 'STOP%' OR symbol IN ('ES', 'GOOG')", true),
        ("SELECT count(*) FROM trades WHERE symbol NOT IN ('ES', 'GOOG') AND qty BETWEEN 100 AND 300", true),
        ("SELECT count(*) FROM trades WHERE NOT (pnl > 0) OR pnl IS NULL", true),
        ("SELECT date_trunc('day', ts) AS day, arg_max(equity, ts) AS close, arg_min(equity, ts) AS open FROM equity WHERE run = 'run001' GROUP BY 1 ORDER BY 1", true),
        ("SELECT time_bucket(INTERVAL '1 hour', ts) AS h, first(equity), last(equity), max(equity) - min(equity) AS range FROM equity WHERE run = 'run002' GROUP BY 1 ORDER BY 1", true),
        ("SELECT time_bucket(INTERVAL '15 minutes', ts) AS b, count(*) FROM trades GROUP BY b ORDER BY b", true),
        ("SELECT date_trunc('week', ts) AS w, count(*) FROM equity GROUP BY 1 ORDER BY 1", true),
        ("SELECT date_part('hour', ts) AS hr, count(*), round(avg(pnl), 2) FROM trades GROUP BY 1 HAVING count(*) > 3 ORDER BY 1", true),
        ("SELECT extract(dow FROM ts) AS d, count(*) FROM equity GROUP BY 1 ORDER BY 1", true),
        ("SELECT strategy, count(DISTINCT run), count(DISTINCT symbol), median(pnl), quantile_cont(pnl, 0.9), quantile_disc(pnl, 0.25), quantile(qty, 0.3) FROM trades GROUP BY strategy ORDER BY strategy", true),
        ("SELECT run, max(equity) - min(equity) AS span FROM equity GROUP BY run HAVING span > 0 ORDER BY span DESC, run LIMIT 3", true),
        ("SELECT run, CASE WHEN pnl > 0 THEN 'win' WHEN pnl < 0 THEN 'loss' ELSE 'open' END AS outcome, count(*) FROM trades GROUP BY ALL ORDER BY 1, 2", true),
        ("SELECT sum(CASE WHEN pnl > 0 THEN 1 ELSE 0 END) AS wins, count(*) AS n FROM trades", true),
        ("SELECT abs(pnl), round(pnl, 1), floor(price), ceil(price), sign(pnl), coalesce(pnl, 0.0), nullif(side, 'buy'), lower(symbol), upper(side), length(symbol) FROM trades ORDER BY run, ts LIMIT 25", true),
        ("SELECT qty * 2 + 1, qty / 4, qty // 4, qty % 7, -qty, price * qty, pnl / qty FROM trades ORDER BY run, ts LIMIT 25", true),
        ("SELECT ts, ts + INTERVAL '1 day', ts - INTERVAL '90 minutes', epoch(ts), epoch_ms(ts) FROM trades ORDER BY run, ts LIMIT 10", true),
        ("SELECT run, ts, equity FROM equity WHERE ts >= TIMESTAMP '2024-01-02 03:00:00' AND ts < '2024-01-02 04:00:00' ORDER BY run, ts", true),
        ("SELECT DISTINCT side FROM trades ORDER BY side", true),
        ("SELECT DISTINCT symbol, side FROM trades", false),
        ("SELECT run, position, count(*) FROM equity GROUP BY run, position ORDER BY run, position NULLS FIRST", true),
        ("SELECT position FROM equity WHERE run = 'run003' ORDER BY position DESC NULLS LAST, ts LIMIT 5 OFFSET 2", false),
        ("SELECT run, ts, position FROM equity WHERE run = 'run003' ORDER BY position DESC NULLS LAST, ts LIMIT 5 OFFSET 2", true),
        ("SELECT symbol, sum(pnl) AS total FROM trades WHERE strategy = 'sma' AND fast >= 10 GROUP BY symbol ORDER BY total DESC", true),
        ("SELECT count(*) FROM trades WHERE run = 'run000' OR run = 'run003'", true),
        ("SELECT greatest(price, 500.0), least(qty, 100), concat(symbol, '-', side), symbol || ':' || side, substr(symbol, 2, 2), replace(side, 's', 'S'), trim('  x ') FROM trades ORDER BY run, ts LIMIT 10", true),
        ("SELECT CAST(qty AS DOUBLE) / 3, CAST(price AS BIGINT), CAST(qty AS VARCHAR), price::BIGINT, CAST('42' AS BIGINT) FROM trades ORDER BY run, ts LIMIT 10", true),
        ("SELECT first(pnl), last(pnl), any_value(note) FROM trades WHERE run = 'run000'", true),
        ("SELECT count(*), sum(pnl) FROM trades WHERE pnl > 1e9", true),
        ("SELECT side, count(*) FROM trades WHERE pnl > 1e9 GROUP BY side", false),
        ("SELECT run, count(*) FROM equity GROUP BY run ORDER BY count(*) DESC, run LIMIT 2", true),
        ("SELECT min(ts), max(ts), min(symbol), max(symbol), min(note), max(note) FROM trades", true),
        ("SELECT 1 + 2, 7 / 2, 7 // 2, -7 % 3, 2.5 * 2, 'a' < 'b', NULL IS NULL, 3 IN (1, 2, NULL)", true),
        ("SELECT round(2.5), round(-2.5), round(1.2345, 2), abs(-3), sqrt(16.0), power(2, 10), ln(1.0), log10(1000.0), exp(0.0)", true),
        ("SELECT qty, count(*) FROM trades GROUP BY qty ORDER BY count(*) DESC, qty LIMIT 5", true),
        ("SELECT run, arg_max(symbol, pnl), arg_min(ts, pnl) FROM trades GROUP BY run ORDER BY run", true),
        // One group per run's batch (GROUP BY run and its metadata): the one-group arg_max/arg_min pass.
        ("SELECT run, strategy, arg_max(equity, ts), arg_min(equity, ts), arg_max(ts, equity), arg_min(ts, equity) FROM equity GROUP BY ALL ORDER BY run", true),
        ("SELECT stddev(pnl), var_samp(qty), stddev_pop(price) FROM trades GROUP BY side ORDER BY side", true),
        ("SELECT count(*) FROM equity WHERE equity > 100000 AND position <> 0", true),
        ("SELECT ts FROM equity WHERE run = 'run001' ORDER BY ts DESC LIMIT 3", true),
        ("SELECT CASE side WHEN 'buy' THEN qty ELSE -qty END AS signed, ts FROM trades WHERE run = 'run002' ORDER BY ts", true),
        ("SELECT count(*) FROM trades WHERE note IS DISTINCT FROM 'breakout'", true),
        ("SELECT count(*) FROM trades WHERE pnl IS NOT DISTINCT FROM NULL", true),
        ("SELECT count(*) FROM trades HAVING count(*) > 5", true),
        ("SELECT count(*) FROM trades HAVING count(*) > 5000000", true),
        ("SELECT date_trunc('month', ts), date_trunc('quarter', ts), date_trunc('year', ts), count(*) FROM equity GROUP BY 1, 2, 3 ORDER BY 1", true),
        ("SELECT time_bucket(INTERVAL '1 month', ts), time_bucket(INTERVAL '2 days', ts) AS b, count(*) FROM equity GROUP BY ALL ORDER BY b", true),
        ("SELECT run, ts FROM trades WHERE qty NOT BETWEEN 10 AND 490 AND symbol NOT LIKE 'A%' ORDER BY pnl DESC NULLS FIRST, run, ts LIMIT 7", true),
        ("SELECT run, ts, price FROM trades ORDER BY price * qty DESC, run, ts LIMIT 5", true),
        ("SELECT run, ts FROM equity WHERE run = 'run004' ORDER BY ts OFFSET 3990", true),
        ("SELECT coalesce(note, side, 'x'), count(*) FROM trades GROUP BY 1 ORDER BY 1", true),
        ("SELECT round(avg(qty) / 3, 4), sum(qty) / count(*), sum(qty) // count(*) FROM trades", true),
        ("SELECT count(*) FROM trades WHERE ts IN (TIMESTAMP '2024-01-01 00:37:00', TIMESTAMP '2024-01-02 05:01:07')", true),
        ("SELECT max(abs(pnl)), min(-price), sum(-qty) FROM trades WHERE pnl < -10.5", true),
        ("SELECT symbol, quantile_cont(price, 0.5) AS med, quantile_disc(ts, 0.5) FROM trades GROUP BY symbol ORDER BY med", true),
        ("SELECT lower(symbol) AS s, max(ts) - min(ts) AS span FROM trades GROUP BY s ORDER BY s", true),
        ("SELECT pnl > 0 AS win, count(*), sum(qty) FROM trades GROUP BY 1 ORDER BY 1 NULLS FIRST", true),
        ("SELECT floor(price / 100) AS bucket, count(*), max(qty) FROM trades GROUP BY bucket ORDER BY bucket", true),
        ("SELECT count(*) FROM trades WHERE note IN ('breakout', NULL) OR side = 'buy'", true),
        ("SELECT count(*), count(note), min(price), max(price), min(ts), max(ts), min(side), max(side) FROM trades", true),
        ("SELECT symbol, count(*) FROM trades WHERE pnl > 900 GROUP BY symbol ORDER BY symbol", true),
        ("SELECT side, symbol, count(*), sum(qty) FROM trades WHERE qty < 20 GROUP BY ALL ORDER BY 1, 2", true),
        ("SELECT note, count(*) FROM trades WHERE pnl < -990 GROUP BY note ORDER BY note NULLS FIRST", true),
        ("SELECT side, sum(qty), count(*) FROM trades WHERE side = 'buy' GROUP BY side", true),
        // round() decides ties on the exact binary value (737.55 is stored just below the tie).
        ("SELECT round(737.55::DOUBLE, 1), round(-737.55::DOUBLE, 1), round(2.5::DOUBLE), round(-2.5::DOUBLE), round(1.005::DOUBLE, 2), round(0.125::DOUBLE, 2), round(2.675::DOUBLE, 2), round(0.45::DOUBLE, 1), round(1234.5::DOUBLE, -1), round(1250.0::DOUBLE, -2)", true),
        ("SELECT round(1250, -2), round(-1250, -2), round(1249, -2), round(1250, 2), round(-0.4::DOUBLE)", true),
        ("SELECT run, ts, round(pnl, 1), round(pnl, 2), round(price, -1), round(qty, -1) FROM trades ORDER BY run, ts", true),
    ]

    @Test func tapeMatchesDuckDB() throws {
        try check(Self.queries)
    }

    /// Runs `queries` over the generated runs through Tape (1 and 2 threads) and DuckDB and
    /// compares the answers.
    func check(_ queries: [(String, Bool)], fixture: QueryFixture? = nil) throws {
        let f = try fixture ?? QueryFixture(runs: 5, bars: 4000, rowsPerChunk: 700)
        defer { f.dir.cleanup() }
        let sqls = queries.map(\.0)
        guard let results = try Self.duckDB(sqls, tables: f.csv) else { return }
        for ((sql, ordered), ref) in zip(queries, results) {
            if let err = ref["error"] as? String {
                Issue.record("DuckDB rejected a test query: \(sql)\n\(err)")
                continue
            }
            let expected = ref["rows"] as? [[Any]] ?? []
            for threads in [1, 2] {
                switch Self.tape(sql, f.paths, threads) {
                case .success(let got): compare(got, expected, ordered: ordered, sql: "\(sql) [threads \(threads)]")
                case .failure(let e): Issue.record("Tape failed: \(e.render(query: sql))")
                }
            }
        }
    }

    /// DuckDB's answer to each of `sqls` over `tables` (name → CSV), from duckdb_reference.py: one
    /// object per query with `rows` or `error`. Nil, with an issue recorded, when the reference's
    /// output is not that.
    static func duckDB(_ sqls: [String], tables: [String: String]) throws -> [[String: Any]]? {
        let script = try String(contentsOf: Bundle.module.url(forResource: "duckdb_reference", withExtension: "py")!, encoding: .utf8)
        let payload = try JSONSerialization.data(withJSONObject: ["tables": tables, "queries": sqls])
        let out = try TestPython.run(script, stdin: payload)
        guard let results = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]], results.count == sqls.count else {
            Issue.record("bad reference output for \(sqls.count) queries: \(out.prefix(500))")
            return nil
        }
        return results
    }

    static func tape(_ sql: String, _ paths: [String], _ threads: Int) -> Result<[[Value]], QueryError> {
        Result { () throws(QueryError) -> [[Value]] in try Query(sql: sql, paths: paths, options: QueryOptions(threads: threads)).rows() }
    }

    func compare(_ got: [[Value]], _ expected: [[Any]], ordered: Bool, sql: String) {
        guard got.count == expected.count else {
            Issue.record("\(sql): \(got.count) rows, DuckDB \(expected.count)\n tape: \(got.prefix(5))\n duck: \(expected.prefix(5))")
            return
        }
        var g = got, e = expected
        if !ordered {
            g.sort { key($0) < key($1) }
            e.sort { keyAny($0) < keyAny($1) }
        }
        for (i, (a, b)) in zip(g, e).enumerated() {
            guard a.count == b.count, zip(a, b).allSatisfy({ same($0, $1) }) else {
                Issue.record("\(sql): row \(i) differs\n tape: \(a)\n duck: \(b)")
                return
            }
        }
    }

    func key(_ r: [Value]) -> String {
        r.map { v -> String in
            switch v {
            case .null: return "∅"
            case .int(let x): return String(x)   // exact: Int64.min and Int64.min + 1 must not tie
            case .double(let x): return String(format: "%.6g", x)
            case .timestamp(let x): return "t\(x)"
            case .bool(let b): return b ? "1" : "0"
            case .string(let s): return s
            case .interval(let i): return i.description
            }
        }.joined(separator: "|")
    }

    func keyAny(_ r: [Any]) -> String {
        r.map { v -> String in
            if v is NSNull { return "∅" }
            if let d = v as? [String: Any], let t = d["ts"] as? NSNumber { return "t\(t.int64Value)" }
            if let s = v as? String { return s == "-0.0" ? "-0" : s }   // as key() prints -0.0
            if let n = v as? NSNumber { return Int64(n.stringValue).map { String($0) } ?? String(format: "%.6g", n.doubleValue) }
            return "\(v)"
        }.joined(separator: "|")
    }

    func same(_ a: Value, _ b: Any) -> Bool {
        switch a {
        case .null: return b is NSNull
        case .string(let s): return (b as? String) == s
        case .interval(let i): return (b as? String) == i.description
        case .timestamp(let t):
            guard let d = b as? [String: Any], let n = d["ts"] as? NSNumber else { return false }
            return n.int64Value == t
        case .bool(let x):
            guard let n = b as? NSNumber else { return false }
            return n.boolValue == x
        case .int(let x):
            guard let n = b as? NSNumber else { return false }
            return n.int64Value == x && n.doubleValue == Double(x)
        case .double(let x):
            if let s = b as? String {
                switch s {
                case "nan": return x.isNaN
                case "inf": return x == .infinity
                case "-inf": return x == -.infinity
                default: return s == "-0.0" && x == 0 && x.sign == .minus
                }
            }
            guard let n = b as? NSNumber else { return false }
            let y = n.doubleValue
            if x == 0 && y == 0 { return x.sign == y.sign }   // DuckDB tells -0.0 from 0.0
            return x == y || abs(x - y) <= 1e-9 * max(abs(x), abs(y)) || abs(x - y) < 1e-9
        }
    }
}

extension DuckDBDifferentialTests {
    /// `EdgeQueries` over `EdgeFixture` (NaN, ±inf, ±0.0, NULL, Int64 extremes, timestamps at the
    /// ends of the range), at 1 and 2 threads. A query DuckDB rejects must be marked
    /// `expectError` and must give Tape a `QueryError`; any other must match.
    @Test func edgeValuesMatchDuckDB() throws {
        let f = try EdgeFixture()
        defer { f.dir.cleanup() }
        let cases = EdgeQueries.all
        #expect(cases.count >= 200)
        guard let results = try Self.duckDB(cases.map(\.sql), tables: ["edge": f.csv, "sums": f.sumsCSV]) else { return }
        for (c, ref) in zip(cases, results) {
            let duckError = ref["error"] as? String
            if c.expectError != (duckError != nil) {
                Issue.record("\(c.sql): DuckDB \(duckError.map { "rejected it: \($0)" } ?? "accepted it"), the test expected \(c.expectError ? "an error" : "rows")")
                continue
            }
            for threads in [1, 2] {
                switch Self.tape(c.sql, [f.path], threads) {
                case .success(let got):
                    if c.expectError {
                        Issue.record("\(c.sql) [threads \(threads)]: Tape gave \(got.prefix(3)), DuckDB an error: \(duckError ?? "")")
                    } else {
                        compare(got, ref["rows"] as? [[Any]] ?? [], ordered: c.ordered, sql: "\(c.sql) [threads \(threads)]")
                    }
                case .failure(let e):
                    if !c.expectError { Issue.record("Tape failed: \(e.render(query: c.sql))") }
                }
            }
        }
    }
}
