extension Binder {
    /// Binds `l JOIN r`: both sides, then ON (or USING) over their columns side by side, split into
    /// equality keys (one side's columns against the other's), for ASOF one inequality between
    /// the sides, and a residual condition.
    mutating func bindJoin(_ kind: JoinKind, _ l: TableRef, _ r: TableRef, on: Expr?, using: [String], at position: Int) throws(QueryError) -> BoundFrom {
        let left = try bindFrom(l)
        let right = try bindFrom(r)
        var scope = left.scope
        scope.append(right.scope)
        let lw = left.scope.width, width = scope.width
        var sub = Binder(runs: runs)
        sub.options = options
        sub.ctes = ctes
        sub.scope = scope
        sub.plan.slots = scope.slots
        var conjuncts: [BoundExpr] = []
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
        return BoundFrom(scope: scope, build: { used, pushed throws(QueryError) in
            var lu = Set(used.filter { $0 < lw }), ru = Set(used.filter { $0 >= lw }.map(toRight))
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
    }
}
