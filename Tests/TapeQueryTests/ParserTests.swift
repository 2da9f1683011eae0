import Testing
@testable import TapeQuery

@Suite struct ParserTests {
    @Test func parsesAFullSelect() throws {
        let statement = try Parser.parse("SELECT a, sum(b) AS total FROM trades WHERE a > 1 GROUP BY 1 HAVING total > 0 ORDER BY 2 DESC NULLS FIRST LIMIT 5 OFFSET 2;")
        guard case .select(let s) = statement.query.body else { Issue.record("not a SELECT"); return }
        #expect(s.items.count == 2)
        #expect(s.items[1].alias == "total")
        guard case .table(let name, let alias, _)? = s.from else { Issue.record("FROM is not a table"); return }
        #expect(name == "trades" && alias == nil)
        #expect(s.groupBy.count == 1)
        #expect(s.orderBy.first?.descending == true)
        #expect(s.orderBy.first?.nullsFirst == true)
        #expect(s.limit == 5)
        #expect(s.offset == 2)
    }
}

@Suite struct WindowParserTests {
    @Test func parsesWindowCallsNamedWindowsAndQualify() throws {
        let statement = try Parser.parse("SELECT sum(x) OVER (w ORDER BY ts DESC NULLS FIRST ROWS BETWEEN 59 PRECEDING AND CURRENT ROW), lag(x, 2, 0) OVER w FROM t WINDOW w AS (PARTITION BY run) QUALIFY rank() OVER (ORDER BY x) = 1")
        guard case .select(let s) = statement.query.body else { Issue.record("not a SELECT"); return }
        #expect(s.windows.map(\.name) == ["w"])
        #expect(s.qualify != nil)
        guard case .window(let c) = s.items[0].expr.kind else { Issue.record("not a window call"); return }
        #expect(c.name == "sum" && c.over.base == "w" && c.over.orderBy.first?.descending == true && c.over.orderBy.first?.nullsFirst == true)
        #expect(c.over.frame?.unit == .rows)
        guard case .window(let l) = s.items[1].expr.kind else { Issue.record("not a window call"); return }
        #expect(l.args.count == 3 && l.over.base == "w" && l.over.partitionBy.isEmpty)
    }

    @Test func frameErrorsPointAtTheProblem() {
        for q in ["SELECT sum(x) OVER (ROWS BETWEEN 1 AND 2) FROM t", "SELECT sum(x) OVER (ROWS UNBOUNDED) FROM t",
                  "SELECT sum(x) OVER FROM t", "SELECT 1 FROM t WINDOW w AS (), w AS ()"] {
            #expect(throws: QueryError.self) { _ = try Parser.parse(q) }
        }
    }
}
