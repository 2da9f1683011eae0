/// One lexical token of a query, with the byte offset where it starts.
struct Token: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        /// An unquoted name or keyword (the text keeps its case; keywords compare case-insensitively).
        case word(String)
        /// A "double-quoted" identifier: never a keyword, case preserved.
        case quotedIdentifier(String)
        /// A 'single-quoted' string literal with '' unescaped.
        case string(String)
        case integer(Int64)
        /// A number with a fraction or exponent, or an integer too large for Int64.
        case number(Double)
        /// Punctuation and operators: ( ) , . * + - / // % = <> != < <= > >= || ::
        case symbol(String)
        case end
    }

    var kind: Kind
    var position: Int

    /// Whether this is the keyword `k` (given in upper case).
    func isKeyword(_ k: String) -> Bool {
        if case .word(let w) = kind { return w.uppercased() == k }
        return false
    }

    func isSymbol(_ s: String) -> Bool { kind == .symbol(s) }

    /// How the token reads in an error message.
    var display: String {
        switch kind {
        case .word(let w): return "'\(w)'"
        case .quotedIdentifier(let w): return "\"\(w)\""
        case .string(let s): return "string '\(s)'"
        case .integer(let i): return "number \(i)"
        case .number(let d): return "number \(d)"
        case .symbol(let s): return "'\(s)'"
        case .end: return "end of query"
        }
    }
}
