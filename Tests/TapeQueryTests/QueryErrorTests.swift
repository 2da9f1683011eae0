import Testing
@testable import TapeQuery

/// Bad queries give a `QueryError` whose position points at the offending text.
@Suite struct QueryErrorTests {
    static let fixture: QueryFixture = { try! QueryFixture(runs: 2, bars: 300) }()

    /// (query, the text the caret must point at, words the message must contain)
    static let cases: [(String, String, String)] = [
        ("SELECT pnll FROM trades", "pnll", "did you mean 'pnl'"),
        ("SELECT sum(pnl) FROM trades WHERE", "", "expected an expression"),
        ("SELECT * FROM tradez", "tradez", "no table 'tradez'"),
        ("SELECT side, count(*) FROM trades", "side", "must appear in GROUP BY"),
        ("SELECT sum(side) FROM trades", "side", "numeric"),
        ("SELECT pnl + side FROM trades", "+", "cannot apply +"),
        ("SELECT * FROM trades WHERE sum(pnl) > 0", "sum", "not allowed in WHERE"),
        ("SELECT * FROM trades WHERE ts > TIMESTAMP '2024-13-45'", "'2024-13-45'", "invalid timestamp"),
        ("SELECT time_bucket(INTERVAL '1 fortnight', ts) FROM trades", "'1 fortnight'", "invalid interval"),
        ("SELECT nosuch(pnl) FROM trades", "nosuch", "unknown function"),
        ("SELECT * FROM trades ORDER BY 9", "9", "not in the select list"),
        ("SELECT * FROM trades LIMIT -1", "-", "non-negative"),
        ("SELECT 'unterminated FROM trades", "'unterminated", "unterminated string"),
        ("SELECT run FROM trades t JOIN equity e ON t.ts = e.ts", "run", "'t' and 'e'"),
        ("SELECT x.pnl FROM trades t", "x.pnl", "no table 'x'"),
        ("SELECT trades.pnl FROM trades t", "trades.pnl", "no table 'trades'"),
        ("SELECT * FROM trades t JOIN equity e USING (nosuch)", "JOIN", "USING column 'nosuch'"),
        ("SELECT * FROM trades t ASOF JOIN equity e ON t.run = e.run", "ASOF", "needs one inequality"),
        ("SELECT side FROM trades UNION SELECT side, symbol FROM trades", "UNION", "same number of columns"),
        ("SELECT ts FROM trades EXCEPT SELECT qty FROM trades", "EXCEPT", "TIMESTAMP on the left and BIGINT"),
        ("SELECT (SELECT pnl FROM trades)", "(SELECT", "more than one row"),
        ("SELECT * FROM trades WHERE pnl IN (SELECT side, qty FROM trades)", "IN", "one column"),
        ("SELECT count(*) FILTER (WHERE side) FROM trades", "side", "boolean"),
        ("WITH w AS (SELECT 1) SELECT * FROM w2", "w2", "no table 'w2'"),
        ("SELECT * FROM (SELECT 1 AS a) s JOIN (SELECT 2 AS b) u ON s.a = u.c", "u.c", "no column 'c'"),
        ("SELECT * FROM trades NATURAL ASOF JOIN equity", "NATURAL", "NATURAL ASOF JOIN is not supported"),
        ("SELECT * FROM trades NATURAL equity", "equity", "expected JOIN"),
        // Correlated subqueries, UNION BY NAME, window options.
        ("SELECT * FROM trades t WHERE pnl > (SELECT avg(pnl) FROM trades u WHERE u.run = t.runn)", "t.runn", "did you mean 'run'"),
        ("SELECT * FROM trades t WHERE pnl > (SELECT avg(pnl) FROM trades u WHERE u.run = x.run)", "x.run", "no table 'x'"),
        ("SELECT t.run, (SELECT u.pnl FROM trades u WHERE u.run = t.run) FROM trades t", "(SELECT", "more than one row"),
        ("SELECT side, (SELECT count(*) FROM trades u WHERE u.qty = t.qty) FROM trades t GROUP BY side", "t.qty", "must appear in GROUP BY"),
        ("SELECT * FROM trades t WHERE EXISTS (SELECT 1 FROM equity e WHERE e.ts = t.ts AND e.equity > t.side)", ">", "cannot compare DOUBLE with VARCHAR"),
        ("SELECT ts FROM trades UNION BY NAME SELECT qty AS ts FROM trades", "UNION", "TIMESTAMP on the left and BIGINT"),
        ("SELECT 1 UNION BY 2", "2", "expected NAME"),
        ("SELECT lag(pnl) IGNORE NULLS FROM trades", "IGNORE", "only to window functions"),
        ("SELECT sum(pnl IGNORE NULLS) OVER () FROM trades", "sum", "IGNORE NULLS applies to lag"),
        ("SELECT rank() FILTER (WHERE pnl > 0) OVER (ORDER BY ts) FROM trades", "> 0", "only to aggregate functions"),
        ("SELECT sum(qty) OVER (ORDER BY ts ROWS 1 PRECEDING EXCLUDE OTHERS) FROM trades", "OTHERS", "after EXCLUDE"),
        ("SELECT sum(qty) OVER (ORDER BY ts ROWS BETWEEN ts PRECEDING AND CURRENT ROW) FROM trades", "ts PRECEDING", "ROWS frame offset ts has type TIMESTAMP"),
        ("SELECT sum(qty) OVER (ORDER BY ts ROWS BETWEEN CASE WHEN qty > 1 THEN NULL ELSE 1 END PRECEDING AND CURRENT ROW) FROM trades", "sum", "Window ROWS PRECEDING expression cannot be NULL"),
        ("SELECT sum(qty) OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND qty - 1000 FOLLOWING) FROM trades", "sum", "Window ROWS FOLLOWING expression cannot be negative"),
        ("SELECT sum(qty) OVER (ORDER BY qty RANGE BETWEEN qty - 1000 PRECEDING AND CURRENT ROW) FROM trades", "sum", "Invalid RANGE PRECEDING value"),
        ("SELECT stddev(DISTINCT qty) OVER () FROM trades", "stddev", "DISTINCT over a window"),
        ("SELECT * FROM runs r RIGHT JOIN LATERAL (SELECT ts FROM trades t WHERE t.run = r.run) x ON true", "LATERAL", "INNER, LEFT or CROSS"),
        ("SELECT * FROM runs r, LATERAL trades", "trades", "expected '('"),
        ("SELECT count(*) FROM trades WHERE side = 1", "=", "cannot compare VARCHAR with BIGINT"),
        ("SELECT qty // 0 FROM trades", "//", "division by zero"),
        ("SELECT sum(sum(pnl)) FROM trades", "sum(pnl)", "nested"),
        ("SELECT date_trunc('fortnight', ts) FROM trades", "'fortnight'", "date_trunc() unit"),
        ("SELECT * FROM trades WHERE pnl LIKE 'x%'", "LIKE", "needs a VARCHAR"),
        ("SELECT CAST(side AS BIGINT) FROM trades", "CAST", "cannot convert"),
        ("UPDATE trades SET pnl = 0", "UPDATE", "only SELECT"),
        ("SELECT 1 FROM trades; SELECT 2", "SELECT 2", "expected end of query"),
    ]

    @Test(arguments: cases)
    func errorPointsAtTheProblem(_ c: (String, String, String)) throws {
        let (sql, at, words) = c
        do {
            _ = try Query(sql: sql, paths: Self.fixture.paths).rows()
            Issue.record("no error for \(sql)")
        } catch {
            #expect(error.message.lowercased().contains(words.lowercased()) || error.description.lowercased().contains(words.lowercased()),
                    "\(error.description)")
            let bytes = Array(sql.utf8)
            let expected = at.isEmpty ? bytes.count : (sql.range(of: at).map { sql.utf8.distance(from: sql.startIndex, to: $0.lowerBound) } ?? -1)
            #expect(error.position == expected, "\(error.render(query: sql))")
            let rendered = error.render(query: sql)
            #expect(rendered.contains("^"))
        }
    }

    @Test func caretLinesUpUnderTheColumn() {
        let e = QueryError(.binding, "no column 'x'", at: 7)
        let lines = e.render(query: "SELECT x FROM t").split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[2].firstIndex(of: "^").map { lines[2].distance(from: lines[2].startIndex, to: $0) } == 2 + 7)
    }
}
