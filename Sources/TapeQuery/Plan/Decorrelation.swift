/// A correlated subquery whose only link to the outer query is equalities in its WHERE
/// (`inner = t.col AND …`), rewritten to run once for every outer row at the same time, as
/// DuckDB decorrelates: the equalities' inner sides become key columns (and, for an aggregate,
/// GROUP BY keys) of one uncorrelated query, whose rows `CorrelatedSubqueryOperator` puts in a
/// hash table that each outer row probes with its outer sides — a hash join, with aggregation
/// below it for aggregates. An outer row whose key is absent (or has a NULL) gets the answer over
/// no rows: NULL, false, or the aggregate of nothing (count 0), taken from the subquery planned
/// with NULL outer values.
///
/// Shapes handled: one SELECT (no WITH, set operation, LIMIT/OFFSET, ORDER BY, GROUP BY, HAVING,
/// window, QUALIFY or nested subquery); outer names qualified by a FROM item of the outer query;
/// every other use of an outer column makes the subquery run per outer value instead.
struct Decorrelated {
    /// The rewritten query: the key columns, then (except for EXISTS) the subquery's one column.
    let query: any PhysicalOperator
    /// The outer sides of the equalities, over the operator's input.
    let keys: [BoundExpr]
    /// The type keys are compared in, per key (the inner key's type, DOUBLE when mixed with BIGINT).
    let keyTypes: [SQLType]
    /// The subquery aggregates (one row per key; the answer for an absent key is computed).
    let aggregates: Bool
}

extension Binder {
    /// `q` decorrelated, or nil when its shape is not one `Decorrelated` handles.
    mutating func decorrelate(_ q: QueryNode, exists: Bool, post: Bool) -> Decorrelated? {
        guard q.with.isEmpty, case .select(let s) = q.body, let from = s.from, s.limit == nil, s.offset == 0,
              s.orderBy.isEmpty, s.groupBy.isEmpty, s.having == nil, s.windows.isEmpty, s.qualify == nil, !s.distinct || exists else { return nil }
        let all = s.items.map(\.expr) + (s.whereClause.map { [$0] } ?? [])
        guard all.allSatisfy({ Binder.findSubquery($0) == nil && Binder.findWindow($0) == nil }) else { return nil }
        let inner = Set(Binder.itemNames(from).map { $0.lowercased() })
        /// Whether `e` names a column of an outer FROM item / of the subquery's own.
        func outer(_ e: Expr) -> Bool {
            e.firstPosition(where: { if case .qualified(let t, _, _) = $0.kind { return !inner.contains(t.lowercased()) } else { return false } }) != nil
        }
        func local(_ e: Expr) -> Bool {
            e.firstPosition(where: {
                switch $0.kind {
                case .column, .star: return true
                case .qualified(let t, _, _), .qualifiedStar(let t): return inner.contains(t.lowercased())
                default: return false
                }
            }) != nil
        }
        var innerKeys: [Expr] = [], outerKeys: [Expr] = [], rest: [Expr] = []
        for c in s.whereClause.map(Binder.conjuncts) ?? [] {
            if case .binary(.eq, let a, let b) = c.kind {
                if outer(a) && !local(a) && !outer(b) { innerKeys.append(b); outerKeys.append(a); continue }
                if outer(b) && !local(b) && !outer(a) { innerKeys.append(a); outerKeys.append(b); continue }
            }
            guard !outer(c) else { return nil }
            rest.append(c)
        }
        guard !innerKeys.isEmpty, s.items.allSatisfy({ !outer($0.expr) }) else { return nil }
        let aggregates = s.items.contains { Binder.findAggregate($0.expr) != nil }
        guard !(exists && aggregates) else { return nil }   // EXISTS over an aggregate is always true
        var d = s
        d.whereClause = rest.dropFirst().reduce(rest.first) { acc, c in acc.map { Expr(.binary(.and, $0, c), at: c.position) } }
        d.items = innerKeys.enumerated().map { SelectItem(expr: $0.element, alias: "key \($0.offset)", text: "key \($0.offset)") } + (exists ? [] : s.items)
        if aggregates { d.groupBy = innerKeys }
        if exists { d.distinct = true }
        // Planned with a scope that must stay unused: any outer name left means another shape.
        let probe = OuterScope(self, post: post)
        guard let op = try? Binder.plan(QueryNode(body: .select(d), position: q.position), runs: runs, options: options, ctes: ctes, outer: probe),
              probe.references.isEmpty, op.columns.count == innerKeys.count + (exists ? 0 : 1) else { return nil }
        var keys: [BoundExpr] = [], types: [SQLType] = []
        for (i, o) in outerKeys.enumerated() {
            guard let k = try? bind(o, post: post), !k.slots.isEmpty else { return nil }
            let t = op.columns[i].type
            if k.type == t || k.type == .null { types.append(t) } else if k.type.isNumeric && t.isNumeric { types.append(.double) } else { return nil }
            keys.append(k)
        }
        return Decorrelated(query: op, keys: keys, keyTypes: types, aggregates: aggregates)
    }

    /// The names FROM items answer to (`t.col`): aliases, else table names.
    static func itemNames(_ ref: TableRef) -> [String] {
        switch ref {
        case .table(let name, let alias, _): return [alias ?? name]
        case .subquery(_, let alias, _), .lateral(_, let alias, _): return alias.map { [$0] } ?? []
        case .join(_, let l, let r, _, _, _, _): return itemNames(l) + itemNames(r)
        }
    }

    /// The AND-ed parts of a condition as written.
    static func conjuncts(_ e: Expr) -> [Expr] {
        if case .binary(.and, let a, let b) = e.kind { return conjuncts(a) + conjuncts(b) }
        return [e]
    }
}
