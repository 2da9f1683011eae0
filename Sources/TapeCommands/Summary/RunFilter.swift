import TapeFormat

/// The `tape summary --where` language: comparisons joined by AND / OR (AND binds tighter),
/// with parentheses.
///
///     expr       := and ( OR and )*
///     and        := primary ( AND primary )*
///     primary    := '(' expr ')' | comparison
///     comparison := NAME OP ( NUMBER | 'string' )        OP: < <= > >= = == !=
///
/// NAME is a metric (`sharpe`, `max_drawdown`…), a metadata key (`strategy`, `params`…) or
/// `run`/`path`/`start`/`end`; it may contain letters, digits, `_`, `.` and `-`. Keywords are
/// case-insensitive. A comparison with a name the run lacks is false. A number compares with
/// metrics (and with metadata values that read as numbers); a 'string' compares with metadata and
/// `run`/`path` text ('' quotes a quote), and with `start`/`end` as an ISO-8601 time
/// (`start >= '2024-03-01'`).
public indirect enum RunFilter: Equatable, Sendable {
    case comparison(name: String, op: Op, literal: Literal)
    case and(RunFilter, RunFilter)
    case or(RunFilter, RunFilter)

    public enum Op: String, Sendable, CaseIterable {
        case lt = "<", le = "<=", gt = ">", ge = ">=", eq = "=", ne = "!="

        func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
            switch self {
            case .lt: return a < b
            case .le: return a <= b
            case .gt: return a > b
            case .ge: return a >= b
            case .eq: return a == b
            case .ne: return a != b
            }
        }
    }

    public enum Literal: Equatable, Sendable {
        case number(Double)
        case string(String)
    }

    /// A value a run has for a name.
    public enum Field: Equatable, Sendable {
        case number(Double)
        case string(String)
    }

    /// Whether a run whose names resolve through `lookup` satisfies the filter.
    public func matches(_ lookup: (String) -> Field?) -> Bool {
        switch self {
        case let .and(a, b): return a.matches(lookup) && b.matches(lookup)
        case let .or(a, b): return a.matches(lookup) || b.matches(lookup)
        case let .comparison(name, op, literal):
            guard let field = lookup(name) else { return false }
            switch (field, literal) {
            case let (.number(a), .number(b)): return op.holds(a, b)
            case let (.string(a), .string(b)): return op.holds(a, b)
            case let (.string(a), .number(b)):
                guard let x = Double(a) else { return false }
                return op.holds(x, b)
            case let (.number(a), .string(b)):
                guard let y = Double(b) ?? Timestamps.parse(b).map(Double.init) else { return false }
                return op.holds(a, y)
            }
        }
    }

    /// Parses `text`; throws `RunFilterError` with the position of the problem.
    public init(parsing text: String) throws {
        var p = Parser(Array(text.unicodeScalars), text: text)
        let e = try p.expression()
        p.skipSpace()
        guard p.atEnd else { throw p.error("expected AND, OR or the end after a comparison") }
        self = e
    }
}

/// A `--where` syntax error: what was expected, and where (a caret under the input).
public struct RunFilterError: Error, CustomStringConvertible, Equatable {
    public var message: String
    /// Character offset in the input.
    public var position: Int
    public var input: String

    public var description: String {
        "--where: \(message) at character \(position + 1)\n  \(input)\n  \(String(repeating: " ", count: position))^"
    }
}

private struct Parser {
    let s: [Unicode.Scalar]
    let text: String
    var i = 0

    init(_ s: [Unicode.Scalar], text: String) {
        self.s = s
        self.text = text
    }

    var atEnd: Bool { i >= s.count }

    func error(_ message: String, at position: Int? = nil) -> RunFilterError {
        RunFilterError(message: message, position: position ?? i, input: text)
    }

    mutating func skipSpace() {
        while i < s.count, s[i].properties.isWhitespace { i += 1 }
    }

    static func isNameScalar(_ c: Unicode.Scalar) -> Bool {
        c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "." || c == "-"
    }

    /// Consumes keyword `word` (case-insensitive, followed by a non-name character).
    mutating func keyword(_ word: String) -> Bool {
        skipSpace()
        let w = Array(word.unicodeScalars)
        guard i + w.count <= s.count else { return false }
        for k in 0..<w.count where String(s[i + k]).uppercased() != String(w[k]) { return false }
        if i + w.count < s.count, Self.isNameScalar(s[i + w.count]) { return false }
        i += w.count
        return true
    }

    mutating func expression() throws -> RunFilter {
        var e = try conjunction()
        while keyword("OR") { e = .or(e, try conjunction()) }
        return e
    }

    mutating func conjunction() throws -> RunFilter {
        var e = try primary()
        while keyword("AND") { e = .and(e, try primary()) }
        return e
    }

    mutating func primary() throws -> RunFilter {
        skipSpace()
        if i < s.count, s[i] == "(" {
            let open = i
            i += 1
            let e = try expression()
            skipSpace()
            guard i < s.count, s[i] == ")" else { throw error("expected ')' to close the '(' at character \(open + 1)") }
            i += 1
            return e
        }
        return try comparison()
    }

    mutating func comparison() throws -> RunFilter {
        skipSpace()
        let start = i
        while i < s.count, Self.isNameScalar(s[i]) { i += 1 }
        guard i > start else { throw error(atEnd ? "expected a metric or metadata name, found the end" : "expected a metric or metadata name") }
        let name = String(String.UnicodeScalarView(s[start..<i]))
        skipSpace()
        let opAt = i
        var opText = ""
        while i < s.count, "<>=!".unicodeScalars.contains(s[i]), opText.count < 2 { opText.unicodeScalars.append(s[i]); i += 1 }
        if opText == "==" { opText = "=" }
        guard let op = RunFilter.Op(rawValue: opText) else {
            throw error("expected a comparison (<, <=, >, >=, =, !=) after '\(name)'", at: opAt)
        }
        skipSpace()
        return .comparison(name: name, op: op, literal: try literal())
    }

    mutating func literal() throws -> RunFilter.Literal {
        guard i < s.count else { throw error("expected a number or a 'quoted string', found the end") }
        if s[i] == "'" {
            let open = i
            i += 1
            var out = String.UnicodeScalarView()
            while true {
                guard i < s.count else { throw error("unterminated string starting at character \(open + 1)") }
                if s[i] == "'" {
                    if i + 1 < s.count, s[i + 1] == "'" { out.append("'"); i += 2; continue }
                    i += 1
                    return .string(String(out))
                }
                out.append(s[i])
                i += 1
            }
        }
        let start = i
        while i < s.count, Self.isNameScalar(s[i]) || s[i] == "+" { i += 1 }
        let word = String(String.UnicodeScalarView(s[start..<i]))
        guard let d = Double(word), d.isFinite else {
            throw error(word.isEmpty ? "expected a number or a 'quoted string'" : "'\(word)' is not a number (quote strings: '\(word)')", at: start)
        }
        return .number(d)
    }
}
