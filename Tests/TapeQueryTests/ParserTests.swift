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
