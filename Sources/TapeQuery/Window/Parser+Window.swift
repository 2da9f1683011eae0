/// Window syntax: `OVER w`, `OVER ([w] [PARTITION BY …] [ORDER BY … [ASC|DESC] [NULLS FIRST|LAST]]
/// [frame])`, the statement's `WINDOW w AS (…), …` and `QUALIFY condition` clauses.
///
/// frame: `{ROWS|RANGE|GROUPS} {start | BETWEEN start AND end}` where start/end is
/// `UNBOUNDED PRECEDING`, `n PRECEDING`, `CURRENT ROW`, `n FOLLOWING` or `UNBOUNDED FOLLOWING`
/// (n an expression, e.g. `INTERVAL '30 days'`), then optionally `EXCLUDE CURRENT ROW | GROUP |
/// TIES | NO OTHERS`.
extension Parser {
    /// After `OVER`: a window name or a parenthesised specification.
    mutating func windowReference() throws(QueryError) -> WindowSpec {
        let at = current.position
        if accept(symbol: "(") {
            let spec = try windowSpecification(at)
            try expect(symbol: ")")
            return spec
        }
        return WindowSpec(base: try identifier("a window name or '('"), position: at)
    }

    /// The inside of `( … )`; the caller consumes the parentheses.
    private mutating func windowSpecification(_ at: Int) throws(QueryError) -> WindowSpec {
        var spec = WindowSpec(position: at)
        if case .word(let w) = current.kind, !Parser.reserved.contains(w.uppercased()),
           !["PARTITION", "ROWS", "RANGE", "GROUPS"].contains(w.uppercased()) {
            spec.base = w
            p += 1
        } else if case .quotedIdentifier(let w) = current.kind {
            spec.base = w
            p += 1
        }
        if accept(keyword: "PARTITION") {
            try expect(keyword: "BY")
            repeat { spec.partitionBy.append(try expression()) } while accept(symbol: ",")
        }
        if accept(keyword: "ORDER") {
            try expect(keyword: "BY")
            repeat { spec.orderBy.append(try orderItem()) } while accept(symbol: ",")
        }
        if current.isKeyword("ROWS") || current.isKeyword("RANGE") || current.isKeyword("GROUPS") {
            spec.frame = try frame()
        }
        return spec
    }

    /// One `expr [ASC|DESC] [NULLS FIRST|LAST]` item.
    mutating func orderItem() throws(QueryError) -> OrderItem {
        let e = try expression()
        var desc = false
        if accept(keyword: "DESC") { desc = true } else { _ = accept(keyword: "ASC") }
        var nullsFirst: Bool?
        if accept(keyword: "NULLS") {
            if accept(keyword: "FIRST") { nullsFirst = true } else {
                try expect(keyword: "LAST")
                nullsFirst = false
            }
        }
        return OrderItem(expr: e, descending: desc, nullsFirst: nullsFirst)
    }

    private mutating func frame() throws(QueryError) -> WindowFrame {
        let t = advance()
        let unit: WindowFrame.Unit = t.isKeyword("ROWS") ? .rows : (t.isKeyword("RANGE") ? .range : .groups)
        var f: WindowFrame
        if accept(keyword: "BETWEEN") {
            let start = try frameBound()
            try expect(keyword: "AND")
            let end = try frameBound()
            f = WindowFrame(unit: unit, start: start, end: end, position: t.position)
        } else {
            f = WindowFrame(unit: unit, start: try frameBound(), end: .currentRow, position: t.position)
        }
        if accept(keyword: "EXCLUDE") {
            if accept(keyword: "CURRENT") {
                try expect(keyword: "ROW")
                f.exclude = .currentRow
            } else if accept(keyword: "GROUP") {
                f.exclude = .group
            } else if accept(keyword: "TIES") {
                f.exclude = .ties
            } else if accept(keyword: "NO") {
                try expect(keyword: "OTHERS")
            } else {
                throw unexpected("expected CURRENT ROW, GROUP, TIES or NO OTHERS after EXCLUDE")
            }
        }
        return f
    }

    private mutating func frameBound() throws(QueryError) -> WindowFrame.Bound {
        if accept(keyword: "UNBOUNDED") {
            if accept(keyword: "PRECEDING") { return .unboundedPreceding }
            if accept(keyword: "FOLLOWING") { return .unboundedFollowing }
            throw unexpected("expected PRECEDING or FOLLOWING after UNBOUNDED")
        }
        if accept(keyword: "CURRENT") {
            try expect(keyword: "ROW")
            return .currentRow
        }
        // The offset is an additive expression: `AND` must end it, not join it.
        let e = try additive()
        if accept(keyword: "PRECEDING") { return .preceding(e) }
        if accept(keyword: "FOLLOWING") { return .following(e) }
        throw unexpected("expected PRECEDING or FOLLOWING")
    }

    /// `WINDOW w AS (…), …` then `QUALIFY condition` (either may be absent; DuckDB's order).
    mutating func windowClauses(_ s: inout SelectStatement) throws(QueryError) {
        if accept(keyword: "WINDOW") {
            repeat {
                let at = current.position
                let name = try identifier("a window name")
                if s.windows.contains(where: { $0.name == name }) {
                    throw QueryError(.syntax, "window '\(name)' is defined twice", at: at)
                }
                try expect(keyword: "AS")
                let open = current.position
                try expect(symbol: "(")
                let spec = try windowSpecification(open)
                try expect(symbol: ")")
                s.windows.append(NamedWindow(name: name, spec: spec, position: at))
            } while accept(symbol: ",")
        }
        if accept(keyword: "QUALIFY") { s.qualify = try expression() }
    }
}
