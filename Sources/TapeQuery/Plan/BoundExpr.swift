import TapeFormat

/// An expression after name resolution and type checking, ready to evaluate over a batch.
///
/// `text` is a canonical spelling used by EXPLAIN and to recognise a GROUP BY expression repeated
/// in the select list (`date_trunc('day', ts)` in both places is the same key).
final class BoundExpr: CustomStringConvertible, Sendable {
    indirect enum Kind: Sendable {
        /// Input column `slot` of the batch being evaluated.
        case column(slot: Int, name: String)
        case constant(Datum)
        case negate(BoundExpr)
        case not(BoundExpr)
        case arithmetic(BinaryOp, BoundExpr, BoundExpr)
        /// Both operands have the same type (the binder inserts casts).
        case compare(BinaryOp, BoundExpr, BoundExpr)
        case and(BoundExpr, BoundExpr)
        case or(BoundExpr, BoundExpr)
        case isNull(BoundExpr, negated: Bool)
        /// `x IN (constants)` with constants already of x's type; `hasNull` when the list had NULL.
        case inList(BoundExpr, Set<Datum>, hasNull: Bool, negated: Bool)
        case like(BoundExpr, LikePattern, negated: Bool)
        case cast(BoundExpr, SQLType)
        /// CASE WHEN c THEN v … ELSE e END; branch values have the result type.
        case caseWhen([(BoundExpr, BoundExpr)], otherwise: BoundExpr)
        case function(ScalarFunction, [BoundExpr])
    }

    let kind: Kind
    let type: SQLType
    /// Byte offset in the query text, for execution errors.
    let position: Int
    let text: String

    init(_ kind: Kind, _ type: SQLType, at position: Int) {
        self.kind = kind
        self.type = type
        self.position = position
        self.text = BoundExpr.spell(kind)
    }

    var description: String { text }

    /// The constant value when this is a constant.
    var constantValue: Datum? {
        if case .constant(let d) = kind { return d }
        return nil
    }

    /// The input slots this expression reads.
    var slots: Set<Int> {
        var out = Set<Int>()
        visit { if case .column(let s, _) = $0.kind { out.insert(s) } }
        return out
    }

    /// Calls `body` on this node and every descendant.
    func visit(_ body: (BoundExpr) -> Void) {
        body(self)
        switch kind {
        case .column, .constant: break
        case .negate(let a), .not(let a), .isNull(let a, _), .inList(let a, _, _, _), .like(let a, _, _), .cast(let a, _):
            a.visit(body)
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b):
            a.visit(body)
            b.visit(body)
        case .caseWhen(let whens, let otherwise):
            for (c, v) in whens { c.visit(body); v.visit(body) }
            otherwise.visit(body)
        case .function(_, let args):
            for a in args { a.visit(body) }
        }
    }

    private static func spell(_ k: Kind) -> String {
        switch k {
        case .column(_, let name): return name
        case .constant(let d): return d.sqlLiteral
        case .negate(let a): return "-(\(a.text))"
        case .not(let a): return "NOT (\(a.text))"
        case .arithmetic(let op, let a, let b), .compare(let op, let a, let b): return "(\(a.text) \(op.rawValue) \(b.text))"
        case .and(let a, let b): return "(\(a.text) AND \(b.text))"
        case .or(let a, let b): return "(\(a.text) OR \(b.text))"
        case .isNull(let a, let n): return "(\(a.text) IS \(n ? "NOT " : "")NULL)"
        case .inList(let a, let set, let hasNull, let n):
            let items = set.map(\.sqlLiteral).sorted() + (hasNull ? ["NULL"] : [])
            return "(\(a.text) \(n ? "NOT " : "")IN (\(items.joined(separator: ", "))))"
        case .like(let a, let p, let n): return "(\(a.text) \(n ? "NOT " : "")\(p.caseInsensitive ? "ILIKE" : "LIKE") '\(p.pattern)'\(p.escape.map { " ESCAPE '\($0)'" } ?? ""))"
        case .cast(let a, let t): return "CAST(\(a.text) AS \(t))"
        case .caseWhen(let whens, let otherwise):
            return "CASE " + whens.map { "WHEN \($0.0.text) THEN \($0.1.text)" }.joined(separator: " ") + " ELSE \(otherwise.text) END"
        case .function(let f, let args): return "\(f.name)(\(args.map(\.text).joined(separator: ", ")))"
        }
    }
}

extension BoundExpr {
    /// The same expression reading slot `map(s)` wherever this one reads slot `s` (to evaluate a
    /// condition bound over a join's combined columns on one of its inputs).
    func remapped(_ map: (Int) -> Int) -> BoundExpr {
        let k: Kind
        switch kind {
        case .column(let s, let name): k = .column(slot: map(s), name: name)
        case .constant: return self
        case .negate(let a): k = .negate(a.remapped(map))
        case .not(let a): k = .not(a.remapped(map))
        case .arithmetic(let op, let a, let b): k = .arithmetic(op, a.remapped(map), b.remapped(map))
        case .compare(let op, let a, let b): k = .compare(op, a.remapped(map), b.remapped(map))
        case .and(let a, let b): k = .and(a.remapped(map), b.remapped(map))
        case .or(let a, let b): k = .or(a.remapped(map), b.remapped(map))
        case .isNull(let a, let n): k = .isNull(a.remapped(map), negated: n)
        case .inList(let a, let set, let hasNull, let n): k = .inList(a.remapped(map), set, hasNull: hasNull, negated: n)
        case .like(let a, let p, let n): k = .like(a.remapped(map), p, negated: n)
        case .cast(let a, let t): k = .cast(a.remapped(map), t)
        case .caseWhen(let whens, let otherwise): k = .caseWhen(whens.map { ($0.0.remapped(map), $0.1.remapped(map)) }, otherwise: otherwise.remapped(map))
        case .function(let f, let args): k = .function(f, args.map { $0.remapped(map) })
        }
        return BoundExpr(k, type, at: position)
    }
}
