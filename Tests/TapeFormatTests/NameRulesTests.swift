import Testing
@testable import TapeFormat

@Suite struct NameRulesTests {
    @Test(arguments: ["a\u{0}b", "line\nbreak", "tab\there", "esc\u{1b}[31m", "del\u{7f}", "c1\u{85}", "", String(repeating: "x", count: 256)])
    func rejected(_ name: String) {
        #expect(NameRules.problem(name) != nil)
        #expect(throws: SchemaError.badName(name)) { try Schema([ColumnDef(name, .int64)]) }
    }

    @Test(arguments: ["ts", "equity curve", "\"quoted\"", "a/b.c", "prix €", String(repeating: "é", count: 127)])
    func accepted(_ name: String) {
        #expect(NameRules.problem(name) == nil)
    }

    @Test func messagesEscapeTheName() {
        let e = SchemaError.badName("a\nb\u{1b}")
        #expect(!e.description.contains("\n") && !e.description.contains("\u{1b}"))
        #expect(e.description.contains("control characters"))
    }
}
