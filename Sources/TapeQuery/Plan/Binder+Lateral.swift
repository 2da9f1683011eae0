extension Binder {
    /// `left [INNER|LEFT|CROSS] JOIN LATERAL (query) alias [ON cond]` (or `left, LATERAL (…)`)
    /// where the query reads columns of `left`: a `LateralJoinOperator`. nil when the query reads
    /// none (then it is an ordinary FROM-subquery).
    mutating func bindLateral(_ kind: JoinKind, _ left: BoundFrom, _ q: QueryNode, alias: String?, on: Expr?, using: [String],
                              at position: Int) throws(QueryError) -> BoundFrom? {
        var leftBinder = Binder(runs: runs)
        leftBinder.options = options
        leftBinder.ctes = ctes
        leftBinder.outer = outer
        leftBinder.scope = left.scope
        leftBinder.plan.slots = left.scope.slots
        let ctx = OuterScope(leftBinder, post: false)
        let shape = try Binder.plan(q, runs: runs, options: options, ctes: ctes, outer: ctx)
        if ctx.references.isEmpty { return nil }
        guard [.inner, .left, .cross].contains(kind), using.isEmpty else {
            throw QueryError(.binding, "a LATERAL subquery that reads the left side joins by INNER, LEFT or CROSS JOIN with ON (not \(kind.rawValue)\(using.isEmpty ? "" : " or USING"))", at: position)
        }
        let rightColumns = shape.columns.map { OutputColumn(name: $0.name, type: $0.type, qualifier: alias) }
        var scope = left.scope
        scope.add(name: alias, columns: rightColumns)
        let lw = left.scope.width
        var residual: BoundExpr?
        if let on {
            if let agg = Binder.findAggregate(on) { throw QueryError(.binding, "aggregate functions are not allowed in ON", at: agg) }
            var sub = Binder(runs: runs)
            sub.options = options
            sub.ctes = ctes
            sub.outer = outer
            sub.scope = scope
            sub.plan.slots = scope.slots
            let c = try sub.bindInput(on)
            try sub.expectBool(c, "ON")
            residual = c.constantValue == .bool(true) ? nil : c
        }
        let references = ctx.references
        let leftBuild = left.build, leftAccepts = left.accepts
        let options = self.options
        return BoundFrom(scope: scope, build: { used, pushed throws(QueryError) in
            var lu = Set(used.filter { $0 < lw })
            for r in references { lu.formUnion(r.slots) }
            for s in residual?.slots ?? [] where s < lw { lu.insert(s) }
            for p in pushed { lu.formUnion(p.slots) }
            let lop = try leftBuild(lu, pushed)
            return LateralJoinOperator(kind == .left ? .left : .inner, lop, q, outer: ctx, columns: rightColumns, shape: shape,
                                       residual: residual, options: options)
        }, accepts: { s in s.allSatisfy { $0 < lw } && leftAccepts(s) })   // the left side is kept whole by both kinds
    }
}
