/// Generic walks over the syntax tree.
extension Expr {
    /// The direct subexpressions, in source order (a window call's arguments, PARTITION BY and
    /// ORDER BY expressions and frame offsets included).
    var children: [Expr] {
        switch kind {
        case .column, .literal, .star, .qualified, .qualifiedStar, .scalarSubquery, .exists: return []
        case .inSubquery(let a, _, _): return [a]
        case .filtered(let call, let condition): return [call, condition]
        case .negate(let a), .not(let a), .isNull(let a, _), .cast(let a, _): return [a]
        case .binary(_, let a, let b): return [a, b]
        case .like(let a, let b, _, _, let c): return [a, b] + (c.map { [$0] } ?? [])
        case .between(let a, let b, let c, _): return [a, b, c]
        case .inList(let a, let l, _): return [a] + l
        case .function(_, let args, _): return args
        case .caseWhen(let o, let w, let x):
            return (o.map { [$0] } ?? []) + w.flatMap { [$0.0, $0.1] } + (x.map { [$0] } ?? [])
        case .window(let c):
            var out = c.args + (c.filter.map { [$0] } ?? []) + c.over.partitionBy + c.over.orderBy.map(\.expr)
            for b in [c.over.frame?.start, c.over.frame?.end] {
                if case .preceding(let x)? = b { out.append(x) }
                if case .following(let x)? = b { out.append(x) }
            }
            return out
        }
    }

    /// Position of the first node (pre-order) for which `match` holds.
    func firstPosition(where match: (Expr) -> Bool) -> Int? {
        if match(self) { return position }
        for c in children { if let p = c.firstPosition(where: match) { return p } }
        return nil
    }

    /// The tree with every node for which `replace` returns an expression replaced by it
    /// (replacements are not walked again).
    func mapped(_ replace: (Expr) -> Expr?) -> Expr {
        if let r = replace(self) { return r }
        func m(_ e: Expr) -> Expr { e.mapped(replace) }
        let k: Kind
        switch kind {
        case .column, .literal, .star, .qualified, .qualifiedStar, .scalarSubquery, .exists: return self
        case .inSubquery(let a, let q, let n): k = .inSubquery(m(a), q, negated: n)
        case .filtered(let call, let condition): k = .filtered(m(call), filter: m(condition))
        case .negate(let a): k = .negate(m(a))
        case .not(let a): k = .not(m(a))
        case .isNull(let a, let n): k = .isNull(m(a), negated: n)
        case .cast(let a, let t): k = .cast(m(a), t)
        case .binary(let op, let a, let b): k = .binary(op, m(a), m(b))
        case .like(let a, let p, let n, let ci, let esc): k = .like(m(a), pattern: m(p), negated: n, caseInsensitive: ci, escape: esc.map(m))
        case .between(let a, let lo, let hi, let n): k = .between(m(a), low: m(lo), high: m(hi), negated: n)
        case .inList(let a, let l, let n): k = .inList(m(a), l.map(m), negated: n)
        case .function(let name, let args, let d): k = .function(name: name, args: args.map(m), distinct: d)
        case .caseWhen(let o, let w, let x): k = .caseWhen(operand: o.map(m), whens: w.map { (m($0.0), m($0.1)) }, otherwise: x.map(m))
        case .window(var c):
            c.args = c.args.map(m)
            c.filter = c.filter.map(m)
            c.over.partitionBy = c.over.partitionBy.map(m)
            c.over.orderBy = c.over.orderBy.map { OrderItem(expr: m($0.expr), descending: $0.descending, nullsFirst: $0.nullsFirst) }
            k = .window(c)
        }
        return Expr(k, at: position)
    }
}
