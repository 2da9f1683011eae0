import TapeFormat

/// Recursive-descent parser for Tape's SQL dialect (one SELECT statement, optionally EXPLAIN).
///
/// Precedence, loosest first: OR; AND; NOT; comparisons, IS [NOT] NULL, [NOT] BETWEEN, [NOT] IN,
/// [NOT] LIKE/ILIKE; `||`; `+ -`; `* / // %`; unary `- +`; `::` casts; primaries.
struct Parser {
    private(set) var tokens: [Token]
    private let source: [UInt8]
    var p = 0
    /// Nesting depth guard, so a hostile query like 10,000 `(` cannot overflow the stack.
    private var depth = 0
    private static let maxDepth = 200

    init(_ text: String) throws(QueryError) {
        tokens = try Lexer.tokenize(text)
        source = Array(text.utf8)
    }

    /// The query text from token `a` up to (not including) token `b`, trimmed.
    private func text(from a: Int, to b: Int) -> String {
        let start = tokens[a].position
        var end = tokens[b].position
        while end > start, [0x20, 0x09, 0x0A, 0x0D].contains(source[end - 1]) { end -= 1 }
        return String(decoding: source[start..<end], as: UTF8.self)
    }

    /// Parses `text` as one statement; trailing `;` is allowed.
    static func parse(_ text: String) throws(QueryError) -> Statement {
        var parser = try Parser(text)
        return try parser.statement()
    }

    /// Parses `text` as one expression (a condition for `--where` options).
    static func parseExpression(_ text: String) throws(QueryError) -> Expr {
        var parser = try Parser(text)
        guard parser.current.kind != .end else { throw QueryError(.syntax, "empty condition", at: 0) }
        let e = try parser.expression()
        guard parser.current.kind == .end else { throw parser.unexpected("expected end of condition") }
        return e
    }

    // MARK: - Token helpers

    var current: Token { tokens[p] }

    mutating func advance() -> Token {
        let t = tokens[p]
        if p < tokens.count - 1 { p += 1 }
        return t
    }

    mutating func accept(keyword k: String) -> Bool {
        if current.isKeyword(k) { p += 1; return true }
        return false
    }

    mutating func accept(symbol s: String) -> Bool {
        if current.isSymbol(s) { p += 1; return true }
        return false
    }

    mutating func expect(keyword k: String) throws(QueryError) {
        guard accept(keyword: k) else { throw unexpected("expected \(k)") }
    }

    mutating func expect(symbol s: String) throws(QueryError) {
        guard accept(symbol: s) else { throw unexpected("expected '\(s)'") }
    }

    func unexpected(_ what: String) -> QueryError {
        QueryError(.syntax, "\(what), found \(current.display)", at: current.position)
    }

    /// Words that end an expression or clause and so cannot be bare aliases.
    static let reserved: Set<String> = [
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "AND", "OR", "NOT",
        "AS", "ASC", "DESC", "NULLS", "BETWEEN", "IN", "LIKE", "ILIKE", "IS", "NULL", "CASE", "WHEN", "THEN",
        "ELSE", "END", "DISTINCT", "UNION", "INTERSECT", "EXCEPT", "JOIN", "ON", "TRUE", "FALSE", "EXPLAIN", "WINDOW", "QUALIFY", "OVER",
    ]

    /// Words that cannot be a bare table alias (they continue the FROM clause).
    private static let fromWords: Set<String> = [
        "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "NATURAL", "LATERAL", "USING", "ASOF", "SEMI", "ANTI",
        "INTERSECT", "EXCEPT", "WINDOW", "QUALIFY",
    ]

    // MARK: - Statement

    mutating func statement() throws(QueryError) -> Statement {
        var explain = false
        if accept(keyword: "EXPLAIN") {
            explain = true
            _ = accept(keyword: "ANALYZE")
        }
        guard current.isKeyword("SELECT") || current.isKeyword("WITH") || current.isSymbol("(") else {
            if current.isKeyword("INSERT") || current.isKeyword("UPDATE") || current.isKeyword("DELETE") || current.isKeyword("CREATE") {
                throw QueryError(.syntax, "only SELECT statements are supported", at: current.position)
            }
            throw unexpected("expected SELECT")
        }
        let q = try query()
        _ = accept(symbol: ";")
        guard current.kind == .end else { throw unexpected("expected end of query") }
        return Statement(explain: explain, query: q)
    }

    /// `[WITH …] set-expression [ORDER BY …] [LIMIT n] [OFFSET m]`.
    mutating func query() throws(QueryError) -> QueryNode {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Parser.maxDepth else {
            throw QueryError(.syntax, "query nested too deeply (more than \(Parser.maxDepth) levels)", at: current.position)
        }
        let position = current.position
        var ctes: [CommonTableExpression] = []
        if accept(keyword: "WITH") {
            _ = accept(keyword: "RECURSIVE")
            repeat {
                let at = current.position
                let name = try identifier("a name for the WITH query")
                var columnNames: [String] = []
                if accept(symbol: "(") {
                    repeat { columnNames.append(try identifier("column name")) } while accept(symbol: ",")
                    try expect(symbol: ")")
                }
                try expect(keyword: "AS")
                if accept(keyword: "NOT") { try expect(keyword: "MATERIALIZED") } else { _ = accept(keyword: "MATERIALIZED") }
                try expect(symbol: "(")
                let q = try query()
                try expect(symbol: ")")
                ctes.append(CommonTableExpression(name: name, columnNames: columnNames, query: q, position: at))
            } while accept(symbol: ",")
        }
        let body = try setExpression()
        let (order, limit, offset) = try orderAndLimit()
        if order.isEmpty && limit == nil && offset == 0 {
            if ctes.isEmpty { return body }
            if body.with.isEmpty { return QueryNode(with: ctes, body: body.body, position: position) }
        } else if case .select(var s) = body.body, body.with.isEmpty, s.orderBy.isEmpty, s.limit == nil, s.offset == 0 {
            // A lone SELECT keeps ORDER BY and LIMIT itself (the single-table fast path plans them).
            s.orderBy = order
            s.limit = limit
            s.offset = offset
            return QueryNode(with: ctes, body: .select(s), position: position)
        }
        // ORDER BY/LIMIT over a set operation or a parenthesised query (or a nested WITH): wrap it.
        return QueryNode(with: ctes, body: .select(SelectStatement.over(body, orderBy: order, limit: limit, offset: offset, at: position)), position: position)
    }

    /// UNION and EXCEPT (left-associative) over INTERSECT terms, which bind tighter.
    private mutating func setExpression() throws(QueryError) -> QueryNode {
        var left = try intersectTerm()
        while current.isKeyword("UNION") || current.isKeyword("EXCEPT") {
            let t = advance()
            let all = accept(keyword: "ALL")
            if !all { _ = accept(keyword: "DISTINCT") }
            var op: SetOperator = t.isKeyword("UNION") ? .union : .except
            if op == .union, accept(keyword: "BY") {
                guard accept(keyword: "NAME") else { throw unexpected("expected NAME after UNION BY") }
                op = .unionByName
            }
            let right = try intersectTerm()
            left = QueryNode(body: .setOperation(op, all: all, left, right, position: t.position), position: left.position)
        }
        return left
    }

    private mutating func intersectTerm() throws(QueryError) -> QueryNode {
        var left = try queryTerm()
        while current.isKeyword("INTERSECT") {
            let t = advance()
            let all = accept(keyword: "ALL")
            if !all { _ = accept(keyword: "DISTINCT") }
            let right = try queryTerm()
            left = QueryNode(body: .setOperation(.intersect, all: all, left, right, position: t.position), position: left.position)
        }
        return left
    }

    /// One SELECT, or a parenthesised query.
    private mutating func queryTerm() throws(QueryError) -> QueryNode {
        let position = current.position
        if accept(symbol: "(") {
            let q = try query()
            try expect(symbol: ")")
            return q
        }
        guard accept(keyword: "SELECT") else { throw unexpected("expected SELECT") }
        return QueryNode(body: .select(try selectCore()), position: position)
    }

    /// The SELECT list through HAVING (ORDER BY and LIMIT belong to the enclosing query).
    private mutating func selectCore() throws(QueryError) -> SelectStatement {
        var s = SelectStatement()
        s.distinct = accept(keyword: "DISTINCT")
        if !s.distinct { _ = accept(keyword: "ALL") }
        repeat { s.items.append(try selectItem()) } while accept(symbol: ",")
        if accept(keyword: "FROM") {
            var from = try joinedTable()
            while current.isSymbol(",") {
                let t = advance()
                from = .join(.cross, from, try joinedTable(), on: nil, using: [], natural: false, position: t.position)
            }
            s.from = from
        }
        if accept(keyword: "WHERE") { s.whereClause = try expression() }
        if accept(keyword: "GROUP") {
            try expect(keyword: "BY")
            repeat { s.groupBy.append(try expression()) } while accept(symbol: ",")
        }
        if accept(keyword: "HAVING") { s.having = try expression() }
        try windowClauses(&s)
        return s
    }

    private mutating func orderAndLimit() throws(QueryError) -> ([OrderItem], Int?, Int) {
        var order: [OrderItem] = []
        var limit: Int?
        var offset = 0
        if accept(keyword: "ORDER") {
            try expect(keyword: "BY")
            repeat { order.append(try orderItem()) } while accept(symbol: ",")
        }
        // LIMIT and OFFSET in either order.
        for _ in 0..<2 {
            if accept(keyword: "LIMIT") {
                limit = try count("LIMIT")
            } else if accept(keyword: "OFFSET") {
                offset = try count("OFFSET")
                _ = accept(keyword: "ROWS")
            }
        }
        return (order, limit, offset)
    }

    /// A FROM item followed by any JOIN clauses (left-associative).
    private mutating func joinedTable() throws(QueryError) -> TableRef {
        var left = try tableFactor()
        while true {
            let t = current
            var kind: JoinKind
            let natural = accept(keyword: "NATURAL")
            if natural, accept(keyword: "JOIN") { kind = .inner } else if accept(keyword: "JOIN") { kind = .inner } else if accept(keyword: "INNER") { kind = .inner } else if accept(keyword: "CROSS") {
                kind = .cross
            } else if accept(keyword: "LEFT") {
                kind = accept(keyword: "ASOF") ? .leftAsof : (accept(keyword: "SEMI") ? .semi : (accept(keyword: "ANTI") ? .anti : .left))
            } else if accept(keyword: "RIGHT") { kind = .right } else if accept(keyword: "FULL") { kind = .full } else if accept(keyword: "ASOF") {
                kind = .asof
                if accept(keyword: "LEFT") {   // DuckDB's spelling: ASOF LEFT [OUTER] JOIN
                    kind = .leftAsof
                    _ = accept(keyword: "OUTER")
                } else {
                    _ = accept(keyword: "INNER")
                }
            } else if accept(keyword: "SEMI") { kind = .semi } else if accept(keyword: "ANTI") { kind = .anti } else if natural {
                throw unexpected("expected JOIN, INNER, LEFT, RIGHT or FULL after NATURAL")
            } else {
                return left
            }
            if natural, [.cross, .asof, .leftAsof, .semi, .anti].contains(kind) {
                throw QueryError(.syntax, "NATURAL \(kind.rawValue) JOIN is not supported (NATURAL goes with INNER, LEFT, RIGHT or FULL)", at: t.position)
            }
            if !tokens[p - 1].isKeyword("JOIN") {
                if [.left, .right, .full, .leftAsof].contains(kind) { _ = accept(keyword: "OUTER") }
                try expect(keyword: "JOIN")
            }
            let right = try tableFactor()
            var on: Expr?
            var using: [String] = []
            if kind != .cross && !natural {
                if accept(keyword: "ON") {
                    on = try expression()
                } else if accept(keyword: "USING") {
                    try expect(symbol: "(")
                    repeat { using.append(try identifier("column name")) } while accept(symbol: ",")
                    try expect(symbol: ")")
                } else {
                    throw unexpected("expected ON or USING after \(kind.rawValue) JOIN")
                }
            }
            left = .join(kind, left, right, on: on, using: using, natural: natural, position: t.position)
        }
    }

    /// `table [AS alias]`, `schema.table`, `(query) [AS] alias` or `(joined tables)`.
    private mutating func tableFactor() throws(QueryError) -> TableRef {
        let t = current
        if accept(keyword: "LATERAL") {
            try expect(symbol: "(")
            guard current.isKeyword("SELECT") || current.isKeyword("WITH") || current.isSymbol("(") else {
                throw unexpected("expected a subquery after LATERAL (")
            }
            let q = try query()
            try expect(symbol: ")")
            return .lateral(q, alias: try tableAlias(), position: t.position)
        }
        if accept(symbol: "(") {
            if current.isKeyword("SELECT") || current.isKeyword("WITH") || current.isSymbol("(") {
                let q = try query()
                try expect(symbol: ")")
                return .subquery(q, alias: try tableAlias(), position: t.position)
            }
            let inner = try joinedTable()
            try expect(symbol: ")")
            return inner
        }
        var position = current.position
        var name = try identifier("table name")
        if accept(symbol: ".") {   // schema.table: keep the table
            position = current.position
            name = try identifier("table name")
        }
        return .table(name: name, alias: try tableAlias(), position: position)
    }

    private mutating func tableAlias() throws(QueryError) -> String? {
        if accept(keyword: "AS") { return try identifier("table alias") }
        switch current.kind {
        case .word(let w) where !Parser.reserved.contains(w.uppercased()) && !Parser.fromWords.contains(w.uppercased()):
            p += 1
            return w
        case .quotedIdentifier(let w):
            p += 1
            return w
        default:
            return nil
        }
    }

    private mutating func count(_ clause: String) throws(QueryError) -> Int {
        let t = advance()
        guard case .integer(let v) = t.kind, v >= 0, v <= Int64(Int.max) else {
            throw QueryError(.syntax, "\(clause) needs a non-negative integer, found \(t.display)", at: t.position)
        }
        return Int(v)
    }

    private mutating func selectItem() throws(QueryError) -> SelectItem {
        if current.isSymbol("*") {
            let t = advance()
            return SelectItem(expr: Expr(.star, at: t.position), alias: nil, text: "*")
        }
        let first = p
        let e = try expression()
        let written = text(from: first, to: p)
        if accept(keyword: "AS") { return SelectItem(expr: e, alias: try identifier("alias"), text: written) }
        switch current.kind {
        case .word(let w) where !Parser.reserved.contains(w.uppercased()):
            p += 1
            return SelectItem(expr: e, alias: w, text: written)
        case .quotedIdentifier(let w):
            p += 1
            return SelectItem(expr: e, alias: w, text: written)
        default:
            return SelectItem(expr: e, alias: nil, text: written)
        }
    }

    mutating func identifier(_ what: String) throws(QueryError) -> String {
        switch current.kind {
        case .word(let w) where !Parser.reserved.contains(w.uppercased()):
            p += 1
            return w
        case .quotedIdentifier(let w), .string(let w):
            p += 1
            return w
        default:
            throw unexpected("expected \(what)")
        }
    }

    // MARK: - Expressions

    mutating func expression() throws(QueryError) -> Expr {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Parser.maxDepth else {
            throw QueryError(.syntax, "expression nested too deeply (more than \(Parser.maxDepth) levels)", at: current.position)
        }
        return try or()
    }

    private mutating func or() throws(QueryError) -> Expr {
        var l = try and()
        while current.isKeyword("OR") {
            let pos = advance().position
            l = Expr(.binary(.or, l, try and()), at: pos)
        }
        return l
    }

    private mutating func and() throws(QueryError) -> Expr {
        var l = try not()
        while current.isKeyword("AND") {
            let pos = advance().position
            l = Expr(.binary(.and, l, try not()), at: pos)
        }
        return l
    }

    private mutating func not() throws(QueryError) -> Expr {
        if current.isKeyword("NOT") {
            let pos = advance().position
            depth += 1
            defer { depth -= 1 }
            guard depth <= Parser.maxDepth else { throw QueryError(.syntax, "expression nested too deeply", at: pos) }
            return Expr(.not(try not()), at: pos)
        }
        return try comparison()
    }

    private mutating func comparison() throws(QueryError) -> Expr {
        var l = try concat()
        while true {
            let t = current
            if case .symbol(let s) = t.kind, let op = BinaryOp(rawValue: s == "!=" ? "<>" : s), op.isComparison {
                p += 1
                l = Expr(.binary(op, l, try concat()), at: t.position)
                continue
            }
            if t.isKeyword("IS") {
                p += 1
                let negated = accept(keyword: "NOT")
                if accept(keyword: "NULL") {
                    l = Expr(.isNull(l, negated: negated), at: t.position)
                } else if accept(keyword: "DISTINCT") {
                    try expect(keyword: "FROM")
                    // a IS [NOT] DISTINCT FROM b
                    let r = try concat()
                    let same = Expr(.function(name: "__not_distinct", args: [l, r], distinct: false), at: t.position)
                    l = negated ? same : Expr(.not(same), at: t.position)
                } else if current.isKeyword("TRUE") || current.isKeyword("FALSE") {
                    let v = advance().isKeyword("TRUE")
                    let same = Expr(.function(name: "__not_distinct", args: [l, Expr(.literal(.bool(v)), at: t.position)], distinct: false), at: t.position)
                    l = negated ? Expr(.not(same), at: t.position) : same
                } else {
                    throw unexpected("expected NULL, TRUE, FALSE or DISTINCT FROM after IS")
                }
                continue
            }
            var negated = false
            let save = p
            if t.isKeyword("NOT") { p += 1; negated = true }
            if accept(keyword: "BETWEEN") {
                let lo = try concat()
                try expect(keyword: "AND")
                let hi = try concat()
                l = Expr(.between(l, low: lo, high: hi, negated: negated), at: t.position)
                continue
            }
            if accept(keyword: "IN") {
                try expect(symbol: "(")
                var items: [Expr] = []
                if current.isKeyword("SELECT") || current.isKeyword("WITH") {
                    let q = try query()
                    try expect(symbol: ")")
                    l = Expr(.inSubquery(l, q, negated: negated), at: t.position)
                    continue
                }
                repeat { items.append(try expression()) } while accept(symbol: ",")
                try expect(symbol: ")")
                l = Expr(.inList(l, items, negated: negated), at: t.position)
                continue
            }
            if current.isKeyword("LIKE") || current.isKeyword("ILIKE") {
                let ci = advance().isKeyword("ILIKE")
                let pattern = try concat()
                let escape = accept(keyword: "ESCAPE") ? try concat() : nil
                l = Expr(.like(l, pattern: pattern, negated: negated, caseInsensitive: ci, escape: escape), at: t.position)
                continue
            }
            p = save
            return l
        }
    }

    private mutating func concat() throws(QueryError) -> Expr {
        var l = try additive()
        while current.isSymbol("||") {
            let pos = advance().position
            l = Expr(.binary(.concat, l, try additive()), at: pos)
        }
        return l
    }

    mutating func additive() throws(QueryError) -> Expr {
        var l = try multiplicative()
        while current.isSymbol("+") || current.isSymbol("-") {
            let t = advance()
            l = Expr(.binary(t.isSymbol("+") ? .add : .subtract, l, try multiplicative()), at: t.position)
        }
        return l
    }

    private mutating func multiplicative() throws(QueryError) -> Expr {
        var l = try unary()
        while true {
            let t = current
            let op: BinaryOp
            if t.isSymbol("*") { op = .multiply } else if t.isSymbol("/") { op = .divide } else if t.isSymbol("//") {
                op = .intDivide
            } else if t.isSymbol("%") { op = .modulo } else { return l }
            p += 1
            l = Expr(.binary(op, l, try unary()), at: t.position)
        }
    }

    private mutating func unary() throws(QueryError) -> Expr {
        if current.isSymbol("-") || current.isSymbol("+") {
            let t = advance()
            depth += 1
            defer { depth -= 1 }
            guard depth <= Parser.maxDepth else { throw QueryError(.syntax, "expression nested too deeply", at: t.position) }
            let operand = try unary()
            if t.isSymbol("+") { return operand }
            // Fold -literal so -9223372036854775808 and zone-map constants stay literals.
            if case .literal(let lit) = operand.kind {
                switch lit {
                case .int(let v) where v != Int64.min: return Expr(.literal(.int(-v)), at: t.position)
                case .double(let v): return Expr(.literal(.double(-v)), at: t.position)
                default: break
                }
            }
            return Expr(.negate(operand), at: t.position)
        }
        return try postfix()
    }

    private mutating func postfix() throws(QueryError) -> Expr {
        var e = try primary()
        while current.isSymbol("::") {
            let t = advance()
            e = castTo(e, try typeName(), t.position)
        }
        return e
    }

    /// `CAST(e AS type)`; DATE, which Tape holds as a TIMESTAMP at midnight, truncates to the day.
    private func castTo(_ e: Expr, _ type: (type: SQLType, isDate: Bool), _ position: Int) -> Expr {
        let cast = Expr(.cast(e, type.type), at: position)
        guard type.isDate else { return cast }
        return Expr(.function(name: "date_trunc", args: [Expr(.literal(.string("day")), at: position), cast], distinct: false), at: position)
    }

    private mutating func typeName() throws(QueryError) -> (type: SQLType, isDate: Bool) {
        let t = current
        guard case .word(let w) = t.kind, let type = SQLType(sqlName: w) else { throw unexpected("expected a type name") }
        p += 1
        if w.uppercased() == "DOUBLE" { _ = accept(keyword: "PRECISION") }
        if accept(symbol: "(") {   // DECIMAL(10,2), VARCHAR(20): size ignored
            while !current.isSymbol(")") && current.kind != .end { p += 1 }
            try expect(symbol: ")")
        }
        return (type, w.uppercased() == "DATE")
    }

    private mutating func primary() throws(QueryError) -> Expr {
        let t = current
        switch t.kind {
        case .integer(let v):
            p += 1
            return Expr(.literal(.int(v)), at: t.position)
        case .number(let v):
            p += 1
            return Expr(.literal(.double(v)), at: t.position)
        case .string(let s):
            p += 1
            return Expr(.literal(.string(s)), at: t.position)
        case .quotedIdentifier(let name):
            p += 1
            return try qualified(Expr(.column(name, quoted: true), at: t.position))
        case .symbol("("):
            p += 1
            if current.isKeyword("SELECT") || current.isKeyword("WITH") {
                let q = try query()
                try expect(symbol: ")")
                return Expr(.scalarSubquery(q), at: t.position)
            }
            let e = try expression()
            try expect(symbol: ")")
            return e
        case .word(let w):
            return try wordPrimary(w.uppercased(), w, t)
        case .symbol("*"):
            throw QueryError(.syntax, "'*' is only allowed as a select item or in count(*)", at: t.position)
        default:
            throw unexpected("expected an expression")
        }
    }

    private mutating func wordPrimary(_ upper: String, _ word: String, _ t: Token) throws(QueryError) -> Expr {
        switch upper {
        case "NULL": p += 1; return Expr(.literal(.null), at: t.position)
        case "TRUE": p += 1; return Expr(.literal(.bool(true)), at: t.position)
        case "FALSE": p += 1; return Expr(.literal(.bool(false)), at: t.position)
        case "CASE": return try caseExpression()
        case "CAST", "TRY_CAST":
            p += 1
            try expect(symbol: "(")
            let e = try expression()
            try expect(keyword: "AS")
            let type = try typeName()
            try expect(symbol: ")")
            return castTo(e, type, t.position)
        case "TIMESTAMP", "DATE", "TIMESTAMPTZ", "DATETIME":
            if case .string(let s) = tokens[p + 1].kind {
                p += 2
                guard let ns = Timestamps.parse(s) else {
                    throw QueryError(.syntax, "invalid timestamp '\(s)' (expected e.g. '2024-03-01' or '2024-03-01 09:30:00')", at: tokens[p - 1].position)
                }
                return Expr(.literal(.timestamp(upper == "DATE" ? floorDay(ns) : ns)), at: t.position)
            }
        case "INTERVAL":
            p += 1
            return try intervalLiteral(t.position)
        case "EXISTS" where tokens[p + 1].isSymbol("("):
            p += 2
            let q = try query()
            try expect(symbol: ")")
            return Expr(.exists(q), at: t.position)
        case "EXTRACT":
            if tokens[p + 1].isSymbol("(") {
                p += 2
                let field = try identifier("a date part")
                try expect(keyword: "FROM")
                let e = try expression()
                try expect(symbol: ")")
                return Expr(.function(name: "date_part", args: [Expr(.literal(.string(field)), at: t.position), e], distinct: false), at: t.position)
            }
        default:
            break
        }
        if Parser.reserved.contains(upper) { throw unexpected("expected an expression") }
        p += 1
        if current.isSymbol("(") { return try call(word, t.position) }
        return try qualified(Expr(.column(word, quoted: false), at: t.position))
    }

    /// `table.column` (or `table.*`); `schema.table.column` keeps the last two names.
    private mutating func qualified(_ e: Expr) throws(QueryError) -> Expr {
        guard current.isSymbol("."), case .column(var table, _) = e.kind else { return e }
        p += 1
        if case .word = current.kind, tokens[p + 1].isSymbol(".") {   // schema.table.column
            table = try identifier("table name")
            p += 1
        }
        let t = current
        switch t.kind {
        case .word(let w): p += 1; return Expr(.qualified(table: table, column: w, quoted: false), at: e.position)
        case .quotedIdentifier(let w): p += 1; return Expr(.qualified(table: table, column: w, quoted: true), at: e.position)
        case .symbol("*"): p += 1; return Expr(.qualifiedStar(table: table), at: e.position)
        default: throw unexpected("expected a column name after '.'")
        }
    }

    private mutating func call(_ name: String, _ position: Int) throws(QueryError) -> Expr {
        try expect(symbol: "(")
        var args: [Expr] = []
        var distinct = false
        if current.isSymbol("*") {
            let star = advance()
            args = [Expr(.star, at: star.position)]
        } else if !current.isSymbol(")") {
            distinct = accept(keyword: "DISTINCT")
            repeat { args.append(try expression()) } while accept(symbol: ",")
        }
        // `IGNORE NULLS` / `RESPECT NULLS`, inside the parentheses (DuckDB) or after them (SQL).
        var nulls = try nullTreatment()
        if current.isKeyword("ORDER") || current.isKeyword("FILTER") || current.isKeyword("OVER") {
            throw QueryError(.syntax, "\(current.display) in a function call is not supported", at: current.position)
        }
        try expect(symbol: ")")
        if nulls == nil { nulls = try nullTreatment() }
        var call = Expr(.function(name: name.lowercased(), args: args, distinct: distinct), at: position)
        var filter: Expr?
        if accept(keyword: "FILTER") {
            try expect(symbol: "(")
            _ = accept(keyword: "WHERE")
            let condition = try expression()
            try expect(symbol: ")")
            filter = condition
            call = Expr(.filtered(call, filter: condition), at: position)
        }
        if current.isKeyword("OVER") {
            p += 1
            let over = try windowReference()
            return Expr(.window(WindowCall(name: name.lowercased(), args: args, distinct: distinct, over: over,
                                           ignoreNulls: nulls?.ignore ?? false, filter: filter)), at: position)
        }
        if let nulls {
            throw QueryError(.syntax, "IGNORE NULLS / RESPECT NULLS apply only to window functions (add OVER (…))", at: nulls.position)
        }
        return call
    }

    /// `IGNORE NULLS` or `RESPECT NULLS` when next; nil otherwise.
    private mutating func nullTreatment() throws(QueryError) -> (ignore: Bool, position: Int)? {
        guard current.isKeyword("IGNORE") || current.isKeyword("RESPECT"), tokens[p + 1].isKeyword("NULLS") else { return nil }
        let t = advance()
        p += 1
        return (t.isKeyword("IGNORE"), t.position)
    }

    private mutating func caseExpression() throws(QueryError) -> Expr {
        let start = advance().position
        var operand: Expr?
        if !current.isKeyword("WHEN") { operand = try expression() }
        var whens: [(Expr, Expr)] = []
        while accept(keyword: "WHEN") {
            let w = try expression()
            try expect(keyword: "THEN")
            whens.append((w, try expression()))
        }
        guard !whens.isEmpty else { throw unexpected("expected WHEN") }
        var otherwise: Expr?
        if accept(keyword: "ELSE") { otherwise = try expression() }
        try expect(keyword: "END")
        return Expr(.caseWhen(operand: operand, whens: whens, otherwise: otherwise), at: start)
    }

    /// `INTERVAL '1 hour'`, `INTERVAL '1' HOUR`, `INTERVAL 1 HOUR`, `INTERVAL (expr) MINUTE` not supported.
    private mutating func intervalLiteral(_ position: Int) throws(QueryError) -> Expr {
        let t = advance()
        var text: String
        switch t.kind {
        case .string(let s): text = s
        case .integer(let v): text = String(v)
        case .number(let v): text = String(v)
        default: throw QueryError(.syntax, "expected an interval such as INTERVAL '1 hour', found \(t.display)", at: t.position)
        }
        if case .word(let unit) = current.kind, Interval.unit(unit.lowercased()) != nil {
            p += 1
            text += " " + unit
        }
        guard let i = Interval(parsing: text) else {
            throw QueryError(.syntax, "invalid interval '\(text)' (expected e.g. '15 minutes', '1 day', '2 hours 30 minutes')", at: t.position)
        }
        return Expr(.literal(.interval(i)), at: position)
    }
}

/// Midnight UTC of the day holding `ns`.
func floorDay(_ ns: Int64) -> Int64 {
    let d = Interval.nanosPerDay
    let q = ns / d
    return (ns % d < 0 ? q - 1 : q) * d
}
