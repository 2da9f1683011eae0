import Testing
@testable import TapeQuery

@Suite struct ParserTests {
    @Test func parsesAFullSelect() throws {
        let s = try Parser.parse("SELECT a, sum(b) AS total FROM trades WHERE a > 1 GROUP BY 1 HAVING total > 0 ORDER BY 2 DESC NULLS FIRST LIMIT 5 OFFSET 2;")
        #expect(s.items.count == 2)
        #expect(s.items[1].alias == "total")
        #expect(s.from == "trades")
        #expect(s.groupBy.count == 1)
        #expect(s.orderBy.first?.descending == true)
        #expect(s.orderBy.first?.nullsFirst == true)
        #expect(s.limit == 5)
        #expect(s.offset == 2)
    }
}
