extension Binder {
    /// Binds `l JOIN r`: both sides, then ON (or USING) over their columns side by side, split into
    /// equality keys (one side's columns against the other's), for ASOF one inequality between
    /// the sides, and a residual condition.
    ///
    /// USING columns (and NATURAL's: the columns both sides name alike) appear once in `*` and
    /// unqualified, as DuckDB: the left copy, the right copy for RIGHT JOIN, their COALESCE for
    /// FULL JOIN (computed by a projection over the join).
    mutating func bindJoin(_ kind: JoinKind, _ l: TableRef, _ r: TableRef, on: Expr?, using: [String], natural: Bool = false,
                           at position: Int) throws(QueryError) -> BoundFrom {
        let left = try bindFrom(l)
        if case .lateral(let q, let alias, let p) = r, let lateral = try bindLateral(kind, left, q, alias: alias, on: on, using: using, at: p) {
            return lateral
        }
        let right = try bindFrom(r)
        let using = natural ? left.scope.commonColumns(with: right.scope) : using
        var scope = left.scope
        scope.append(right.scope)
        let lw = left.scope.width, width = scope.width
        var sub = Binder(runs: runs)
        sub.options = options
        sub.ctes = ctes
        sub.scope = scope
        sub.plan.slots = scope.slots
        var conjuncts: [BoundExpr] = []
        var shared: [(name: String, left: BoundExpr, right: BoundExpr)] = []
        for name in using {
            guard let ls = try left.scope.resolve(name, quoted: false, qualifier: nil, at: position) else {
                throw QueryError(.binding, "USING column '\(name)' is not in the left side of the join", at: position)
            }
            guard let rs = try right.scope.resolve(name, quoted: false, qualifier: nil, at: position) else {
                throw QueryError(.binding, "USING column '\(name)' is not in the right side of the join", at: position)
            }
            let a = BoundExpr(.column(slot: ls, name: sub.plan.slots[ls].name), sub.plan.slots[ls].type, at: position)
            let b = BoundExpr(.column(slot: lw + rs, name: sub.plan.slots[lw + rs].name), sub.plan.slots[lw + rs].type, at: position)
            conjuncts.append(try sub.bindBinary(.eq, a, b, position))
            scope.merge(slot: lw + rs)
            shared.append((left.scope.columnName(ls), a, b))
        }
        // RIGHT/FULL JOIN USING: the merged column is another column after the join's.
        var mergedExprs: [BoundExpr] = []
        if kind == .right || kind == .full {
            var cols: [OutputColumn] = []
            for (name, a, b) in shared {
                let (x, y) = try Binder.unify(a, b, op: "=", at: position)
                let e = kind == .full ? try FunctionRegistry.bindScalar("coalesce", [x, y], at: position) : y
                mergedExprs.append(e)
                cols.append(OutputColumn(name: name, type: e.type))
                scope.merge(slot: a.slots.first ?? 0)
            }
            if !cols.isEmpty { scope.addMerged(columns: cols, replacing: shared.map { $0.left.slots.first ?? 0 }) }
        }
        if let on {
            if let agg = Binder.findAggregate(on) { throw QueryError(.binding, "aggregate functions are not allowed in ON", at: agg) }
            let c = try sub.bindInput(on)
            try sub.expectBool(c, "ON")
            conjuncts += c.conjuncts
        }
        // Split the condition.
        func side(_ e: BoundExpr) -> Int? {   // 0: left only, 1: right only, nil: both or none
            let s = e.slots
            if s.isEmpty { return nil }
            if s.allSatisfy({ $0 < lw }) { return 0 }
            if s.allSatisfy({ $0 >= lw }) { return 1 }
            return nil
        }
        let toRight: (Int) -> Int = { $0 - lw }
        var leftKeys: [BoundExpr] = [], rightKeys: [BoundExpr] = [], residual: [BoundExpr] = []
        var asofInequality: (BinaryOp, BoundExpr, BoundExpr)?
        let isAsof = kind == .asof || kind == .leftAsof
        for c in conjuncts {
            if case .compare(let op, let a, let b) = c.kind, let sa = side(a), let sb = side(b), sa != sb {
                let (lx, rx, lop) = sa == 0 ? (a, b, op) : (b, a, op.flipped)
                if lop == .eq {
                    leftKeys.append(lx)
                    rightKeys.append(rx.remapped(toRight))
                    continue
                }
                if isAsof, asofInequality == nil, [.ge, .gt, .le, .lt].contains(lop) {
                    asofInequality = (lop, lx, rx.remapped(toRight))
                    continue
                }
            }
            residual.append(c)
        }
        if isAsof {
            guard let ineq = asofInequality else {
                throw QueryError(.binding, "ASOF JOIN needs one inequality between the two sides in ON, e.g. a.ts >= b.ts", at: position)
            }
            guard residual.isEmpty else {
                throw QueryError(.binding, "ASOF JOIN's ON allows only equalities and one inequality between the two sides", at: residual[0].position)
            }
            guard [.int, .timestamp, .double].contains(ineq.1.type) else {
                throw QueryError(.binding, "ASOF JOIN's inequality must compare numbers or timestamps, not \(ineq.1.type)", at: ineq.1.position)
            }
            _ = ineq
        }
        if kind == .semi || kind == .anti {
            scope = left.scope
        }
        let residualExpr = BoundExpr.and(residual)
        let memoryLimit = options.memoryLimit
        // Which WHERE conjuncts may move into which side.
        let pushLeft = kind != .right && kind != .full
        let pushRight = kind == .inner || kind == .cross || kind == .right || kind == .asof
        let leftAccepts = left.accepts, rightAccepts = right.accepts
        let accepts: (Set<Int>) -> Bool = { s in
            if s.allSatisfy({ $0 < lw }) { return pushLeft && leftAccepts(s) }
            if s.allSatisfy({ $0 >= lw && $0 < width }) { return pushRight && rightAccepts(Set(s.map(toRight))) }
            return false
        }
        let leftBuild = left.build, rightBuild = right.build
        let join = BoundFrom(scope: scope, build: { used, pushed throws(QueryError) in
            var lu = Set(used.filter { $0 < lw }), ru = Set(used.filter { $0 >= lw && $0 < width }.map(toRight))
            for k in leftKeys { lu.formUnion(k.slots) }
            for k in rightKeys { ru.formUnion(k.slots) }
            if let ineq = asofInequality { lu.formUnion(ineq.1.slots); ru.formUnion(ineq.2.slots) }
            for s in residualExpr?.slots ?? [] { if s < lw { lu.insert(s) } else { ru.insert(s - lw) } }
            var lp: [BoundExpr] = [], rp: [BoundExpr] = []
            for p in pushed {
                if p.slots.allSatisfy({ $0 < lw }) { lp.append(p) } else { rp.append(p.remapped(toRight)) }
            }
            for p in lp { lu.formUnion(p.slots) }
            for p in rp { ru.formUnion(p.slots) }
            let lop = try leftBuild(lu, lp)
            let rop = try rightBuild(ru, rp)
            if let ineq = asofInequality {
                return AsofJoinOperator(kind, lop, rop, leftKeys: leftKeys, rightKeys: rightKeys, op: ineq.0,
                                        leftTime: ineq.1, rightTime: ineq.2, memoryLimit: memoryLimit)
            }
            return HashJoinOperator(kind == .cross ? .inner : kind, lop, rop, leftKeys: leftKeys, rightKeys: rightKeys,
                                    residual: residualExpr, memoryLimit: memoryLimit)
        }, accepts: accepts)
        guard !mergedExprs.isEmpty else { return join }
        let joinColumns = scope.slots.prefix(width)
        return BoundFrom(scope: scope, build: { used, pushed throws(QueryError) in
            var u = used.filter { $0 < width }
            for e in mergedExprs { u.formUnion(e.slots) }
            let op = try join.build(u, pushed)
            let identity = joinColumns.enumerated().map { BoundExpr(.column(slot: $0.offset, name: $0.element.name), $0.element.type, at: position) }
            return ProjectOperator(op, identity + mergedExprs, names: op.columns.map(\.name) + mergedExprs.map(\.text))
        }, accepts: accepts)
    }
}
