/// Splits query text into tokens. Comments (`-- …` to end of line, `/* … */`) and whitespace are
/// skipped. Errors point at the offending byte.
struct Lexer {
    private let bytes: [UInt8]
    private var i = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    /// All tokens, ending with `.end`.
    static func tokenize(_ text: String) throws(QueryError) -> [Token] {
        var lexer = Lexer(text)
        var out: [Token] = []
        while true {
            let t = try lexer.next()
            out.append(t)
            if t.kind == .end { return out }
        }
    }

    private func peek(_ k: Int = 0) -> UInt8? { i + k < bytes.count ? bytes[i + k] : nil }

    private static func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || c >= 0x80
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    mutating func next() throws(QueryError) -> Token {
        try skipTrivia()
        guard let c = peek() else { return Token(kind: .end, position: bytes.count) }
        let start = i
        if Lexer.isIdentStart(c) {
            while let d = peek(), Lexer.isIdentStart(d) || Lexer.isDigit(d) || d == 0x24 { i += 1 }
            return Token(kind: .word(text(start, i)), position: start)
        }
        if Lexer.isDigit(c) || (c == 0x2E && peek(1).map(Lexer.isDigit) == true) {
            return try number(start)
        }
        switch c {
        case 0x27: return Token(kind: .string(try quoted(0x27, start, what: "string")), position: start)
        case 0x22:
            let name = try quoted(0x22, start, what: "quoted identifier")
            guard !name.isEmpty else { throw QueryError(.syntax, "empty quoted identifier", at: start) }
            return Token(kind: .quotedIdentifier(name), position: start)
        default: break
        }
        let two = peek(1).map { String(decoding: [c, $0], as: UTF8.self) } ?? ""
        if ["<>", "!=", "<=", ">=", "||", "::", "//", "=="].contains(two) {
            i += 2
            return Token(kind: .symbol(two == "==" ? "=" : two), position: start)
        }
        let singles: Set<UInt8> = Set("(),.*+-/%=<>;".utf8)
        if singles.contains(c) {
            i += 1
            return Token(kind: .symbol(String(UnicodeScalar(c))), position: start)
        }
        throw QueryError(.syntax, "unexpected character '\(String(decoding: [c], as: UTF8.self))'", at: start)
    }

    private mutating func skipTrivia() throws(QueryError) {
        while let c = peek() {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                i += 1
            } else if c == 0x2D && peek(1) == 0x2D {
                while let d = peek(), d != 0x0A { i += 1 }
            } else if c == 0x2F && peek(1) == 0x2A {
                let start = i
                i += 2
                while true {
                    guard let d = peek() else { throw QueryError(.syntax, "unterminated /* comment", at: start) }
                    if d == 0x2A && peek(1) == 0x2F { i += 2; break }
                    i += 1
                }
            } else {
                return
            }
        }
    }

    private func text(_ a: Int, _ b: Int) -> String { String(decoding: bytes[a..<b], as: UTF8.self) }

    /// A literal quoted by `q`, where a doubled quote stands for one.
    private mutating func quoted(_ q: UInt8, _ start: Int, what: String) throws(QueryError) -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek() else { throw QueryError(.syntax, "unterminated \(what)", at: start) }
            i += 1
            if c == q {
                if peek() == q { out.append(q); i += 1; continue }
                return String(decoding: out, as: UTF8.self)
            }
            out.append(c)
        }
    }

    private mutating func number(_ start: Int) throws(QueryError) -> Token {
        var isFloat = false
        while let d = peek(), Lexer.isDigit(d) { i += 1 }
        if peek() == 0x2E, peek(1).map(Lexer.isDigit) == true || !(peek(1).map(Lexer.isIdentStart) ?? false) {
            isFloat = true
            i += 1
            while let d = peek(), Lexer.isDigit(d) { i += 1 }
        }
        if let e = peek(), e == 0x65 || e == 0x45 {
            var k = 1
            if let s = peek(1), s == 0x2B || s == 0x2D { k = 2 }
            if peek(k).map(Lexer.isDigit) == true {
                isFloat = true
                i += k
                while let d = peek(), Lexer.isDigit(d) { i += 1 }
            }
        }
        if let d = peek(), Lexer.isIdentStart(d) {
            throw QueryError(.syntax, "malformed number '\(text(start, i + 1))'", at: start)
        }
        let t = text(start, i)
        if !isFloat, let v = Int64(t) { return Token(kind: .integer(v), position: start) }
        guard let v = Double(t) else { throw QueryError(.syntax, "malformed number '\(t)'", at: start) }
        return Token(kind: .number(v), position: start)
    }
}
