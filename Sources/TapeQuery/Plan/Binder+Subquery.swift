import TapeFormat

/// A subquery that reads columns of the query around it (a correlated subquery): bound once to
/// learn its shape and the outer values it reads, then run by `CorrelatedSubqueryOperator` once
/// per distinct tuple of those values (memoised), its result a column of the operator's output.
struct CorrelatedSubquery {
    enum Kind {
        /// `(SELECT …)` as a value: its one row's one column, NULL when it returns no row.
        case scalar
        /// `EXISTS (SELECT …)`.
        case exists
        /// `x IN (SELECT …)` (NOT IN is NOT over it): `x` over the operator's input, compared as `target`.
        case member(BoundExpr, target: SQLType)
    }
    let kind: Kind
    let query: QueryNode
    /// The discovery scope; its `references` are the outer values read, over the operator's input.
    let outer: OuterScope
    /// The result column's type.
    let type: SQLType
    /// Evaluated over the aggregated rows (HAVING, grouped SELECT) rather than the input rows.
    let post: Bool
    /// The result's slot in the rows of the SELECT (the operator's output column).
    var slot: Int
    /// The subquery planned with NULL outer values (EXPLAIN shows it).
    let shape: any PhysicalOperator
    let position: Int
    /// `x` of `x IN (…)` as written (before any cast), to recognise the subquery bound again.
    let memberText: String?
    /// The subquery rewritten to run once (nil: it runs once per distinct outer tuple).
    let decorrelated: Decorrelated?

    /// The outer values each row's answer depends on, over the operator's input.
    var references: [BoundExpr] { decorrelated?.keys ?? outer.references }
    var isExists: Bool { if case .exists = kind { return true } else { return false } }
}

extension Binder {
    /// Placeholder slots of post-aggregation subquery results until `placeSubqueryResults`.
    static let postSubqueryBase = -1_000_000

    /// Binds `(SELECT …)`, `EXISTS (SELECT …)` or `x [NOT] IN (SELECT …)`. An uncorrelated
    /// subquery runs once now and becomes a constant (or a constant IN list); a correlated one
    /// becomes a reference to the column `CorrelatedSubqueryOperator` adds.
    mutating func bindSubquery(_ q: QueryNode, at position: Int, member x: BoundExpr? = nil, negated: Bool = false,
                               exists: Bool = false, post: Bool) throws(QueryError) -> BoundExpr {
        // The same subquery bound again (GROUP BY 2 naming a select item) is the same column.
        if let i = subqueries.firstIndex(where: { $0.query === q && $0.post == post && $0.memberText == x?.text && $0.isExists == exists }) {
            let r = BoundExpr(.column(slot: subqueries[i].slot, name: "(subquery \(i + 1))"), subqueries[i].type, at: position)
            return negated ? BoundExpr(.not(r), .bool, at: position) : r
        }
        let ctx = OuterScope(self, post: post)
        let op = try Binder.plan(q, runs: runs, options: options, ctes: ctes, outer: ctx)
        let what = x != nil ? "an IN" : exists ? "EXISTS" : "a scalar"
        guard op.columns.count == 1 || exists else {
            throw QueryError(.binding, "\(what) subquery must return one column, it returns \(op.columns.count)", at: position)
        }
        let column = op.columns.first ?? OutputColumn(name: "", type: .null)
        if ctx.references.isEmpty {
            if exists { return BoundExpr(.constant(.bool(!(try Binder.rows(of: op, limit: 1)).isEmpty)), .bool, at: position) }
            if let x { return try bindInSubquery(x, column, try Binder.rows(of: op, limit: nil), negated: negated, at: position) }
            let vectors = try Binder.rows(of: op, limit: 2)
            guard vectors.reduce(0, { $0 + $1.count }) <= 1 else { throw Binder.tooManyRows(at: position) }
            return BoundExpr(.constant(vectors.first.map { $0.datum(0) } ?? .null), column.type, at: position)
        }
        let kind: CorrelatedSubquery.Kind
        var type = SQLType.bool
        if exists {
            kind = .exists
        } else if let x {
            let target = Binder.memberType(x.type, column.type)
            kind = .member(try Binder.cast(x, to: target, at: position, explicit: false), target: target)
        } else {
            kind = .scalar
            type = column.type
        }
        let decorrelated = decorrelate(q, exists: exists, post: post)
        let slot: Int
        if post {
            slot = Binder.postSubqueryBase - subqueries.filter(\.post).count
        } else {
            slot = plan.slots.count
            plan.slots.append(.input(name: "(subquery \(subqueries.count + 1))", type: type))
        }
        subqueries.append(CorrelatedSubquery(kind: kind, query: q, outer: ctx, type: type, post: post, slot: slot, shape: op, position: position, memberText: x?.text, decorrelated: decorrelated))
        let r = BoundExpr(.column(slot: slot, name: "(subquery \(subqueries.count))"), type, at: position)
        return negated ? BoundExpr(.not(r), .bool, at: position) : r
    }

    /// Gives post-aggregation subquery results their slots after the keys and aggregates.
    mutating func placeSubqueryResults() throws(QueryError) {
        guard let first = subqueries.first(where: \.post) else { return }
        guard plan.windows.isEmpty else {
            throw QueryError(.binding, "a correlated subquery over grouped rows cannot be combined with window functions yet", at: first.position)
        }
        let base = (plan.keys?.count ?? 0) + plan.aggregates.count
        let map: (Int) -> Int = { $0 <= Binder.postSubqueryBase ? base + (Binder.postSubqueryBase - $0) : $0 }
        plan.outputs = plan.outputs.map { $0.remappingSlots(map) }
        plan.hidden = plan.hidden.map { $0.remappingSlots(map) }
        plan.having = plan.having?.remappingSlots(map)
        plan.qualify = plan.qualify?.remappingSlots(map)
        for i in subqueries.indices where subqueries[i].post { subqueries[i].slot = map(subqueries[i].slot) }
    }

    /// The type `x IN (subquery)` compares in.
    static func memberType(_ x: SQLType, _ column: SQLType) -> SQLType {
        if x == .null { return column }
        if x == .int && column == .double { return .double }
        return x
    }

    static func tooManyRows(at position: Int) -> QueryError {
        QueryError(.execution, "more than one row returned by a subquery used as an expression (add LIMIT 1 or aggregate)", at: position)
    }

    /// Runs `op`, returning its first column's batches (at most about `limit` rows).
    static func rows(of op: any PhysicalOperator, limit: Int?) throws(QueryError) -> [Vector] {
        var out: [Vector] = []
        var rows = 0
        try op.run { b throws(QueryError) in
            if b.count > 0, let c = b.columns.first { out.append(c) } else if b.count > 0 { out.append(Vector.constant(.null, type: .null, count: b.count)) }
            rows += b.count
            return limit.map { rows < $0 } ?? true
        }
        return out
    }

    /// The values of an IN subquery's column as a set of `target` values, and whether one was NULL.
    static func memberSet(_ vectors: [Vector], _ target: SQLType, _ x: SQLType, _ column: SQLType, at position: Int) throws(QueryError) -> (Set<Datum>, Bool) {
        var set = Set<Datum>()
        var hasNull = false
        for vec in vectors {
            for r in 0..<vec.count {
                let d = vec.datum(r)
                if d == .null { hasNull = true; continue }
                guard let c = d.coerced(to: target) else {
                    throw QueryError(.binding, "cannot compare \(x) with \(column) in IN (subquery)", at: position)
                }
                set.insert(c)
            }
        }
        return (set, hasNull)
    }

    func bindInSubquery(_ x: BoundExpr, _ col: OutputColumn, _ vectors: [Vector], negated: Bool, at position: Int) throws(QueryError) -> BoundExpr {
        let target = Binder.memberType(x.type, col.type)
        let v = try Binder.cast(x, to: target, at: position, explicit: false)
        let (set, hasNull) = try Binder.memberSet(vectors, target, x.type, col.type, at: position)
        return try Binder.foldStatic(BoundExpr(.inList(v, set, hasNull: hasNull, negated: negated), .bool, at: position))
    }

    /// Position of the first subquery in `e`, if any.
    static func findSubquery(_ e: Expr) -> Int? {
        e.firstPosition(where: {
            switch $0.kind {
            case .scalarSubquery, .exists, .inSubquery: return true
            default: return false
            }
        })
    }
}
