import Tape

/// A WITH query bound once: its materialisation (shared by every reference) and its columns.
struct CTEBinding {
    let name: String
    let shared: MaterializedOperator.Shared
    let columns: [OutputColumn]
}

/// A bound FROM item: the columns it provides, and how to build its operator once the SELECT
/// above is bound and it is known which columns are used (`used`, slots of `scope`) and which
/// WHERE conjuncts can be evaluated inside it (`pushed`, over the same slots).
struct BoundFrom {
    var scope: Scope
    var build: (_ used: Set<Int>, _ pushed: [BoundExpr]) throws(QueryError) -> any PhysicalOperator
    /// Whether a conjunct over these slots may be evaluated inside this item (false on the
    /// NULL-padded side of an outer join).
    var accepts: (Set<Int>) -> Bool
}

extension Binder {
    /// Plans a whole query (WITH list, SELECT or set operation) into its operator tree.
    /// `outer`: the query around this one when it is a subquery (see `OuterScope`).
    static func plan(_ q: QueryNode, runs: RunSet, options: QueryOptions, ctes: [String: CTEBinding] = [:],
                     outer: OuterScope? = nil) throws(QueryError) -> any PhysicalOperator {
        var visible = ctes
        for c in q.with {
            let op = try plan(c.query, runs: runs, options: options, ctes: visible, outer: outer)
            var cols = op.columns
            guard c.columnNames.count <= cols.count else {
                throw QueryError(.binding, "WITH \(c.name) names \(c.columnNames.count) columns but its query has \(cols.count)", at: c.position)
            }
            for (i, n) in c.columnNames.enumerated() { cols[i].name = n }
            visible[c.name.lowercased()] = CTEBinding(name: c.name, shared: MaterializedOperator.Shared(op, name: c.name, memoryLimit: options.memoryLimit), columns: cols)
        }
        switch q.body {
        case .select(let s):
            return try planSelect(s, runs: runs, options: options, ctes: visible, outer: outer)
        case .setOperation(let op, let all, let l, let r, let position):
            return try planSetOperation(op, all: all, l, r, at: position, runs: runs, options: options, ctes: visible, outer: outer)
        }
    }

    static func planSelect(_ s: SelectStatement, runs: RunSet, options: QueryOptions, ctes: [String: CTEBinding],
                           outer: OuterScope? = nil) throws(QueryError) -> any PhysicalOperator {
        var b = Binder(runs: runs)
        b.options = options
        b.ctes = ctes
        b.outer = outer
        let single: Bool
        switch s.from {
        case nil: single = true
        case .table(let name, _, _)?: single = ctes[name.lowercased()] == nil && !runs.isVirtualRunsTable(name)
        default: single = false
        }
        if single {
            // One stored table: the whole SELECT runs fused into the Tape scan (unless a
            // correlated subquery reads it: those need the generic path's operators).
            do {
                let plan = try b.bindStatement(s)
                return try TapeScanOperator(plan: plan, runs: runs, options: options)
            } catch where error == QueryError.needsGenericPlan {
                b = Binder(runs: runs)
                b.options = options
                b.ctes = ctes
                b.outer = outer
            }
        }
        guard let fromRef = s.from else { throw QueryError(.binding, "internal: no FROM on the generic path") }
        let from = try b.bindFrom(fromRef)
        b.scope = from.scope
        b.plan.slots = from.scope.slots
        var plan = try b.bindBody(s)
        let width = from.scope.width
        // Filter pushdown: WHERE conjuncts that the FROM item can evaluate move into it (into
        // the Tape scans, where they become zone-map predicates and run filters).
        var pushed: [BoundExpr] = []
        if let f = plan.filter {
            var kept: [BoundExpr] = []
            for c in f.conjuncts {
                if !c.slots.isEmpty && c.slots.allSatisfy({ $0 < width }) && from.accepts(c.slots) { pushed.append(c) } else { kept.append(c) }
            }
            plan.filter = BoundExpr.and(kept)
        }
        var used = Set(plan.neededSlots)
        for p in pushed { used.formUnion(p.slots) }
        for q in b.subqueries where !q.post {
            for r in q.references { used.formUnion(r.slots) }
            if case .member(let x, _) = q.kind { used.formUnion(x.slots) }
        }
        used = used.filter { $0 < width }
        let input = try from.build(used, pushed)
        return SelectPlanner.build(plan, input: input, options: options, subqueries: b.subqueries)
    }

    // MARK: - FROM

    mutating func bindFrom(_ ref: TableRef) throws(QueryError) -> BoundFrom {
        switch ref {
        case .table(let name, let alias, let position):
            if let cte = ctes[name.lowercased()] {
                let q = alias ?? cte.name
                let cols = cte.columns.map { OutputColumn(name: $0.name, type: $0.type, qualifier: q) }
                var scope = Scope()
                scope.add(name: q, columns: cols)
                let shared = cte.shared
                return BoundFrom(scope: scope, build: { _, pushed throws(QueryError) in
                    let first = !shared.referenced
                    shared.referenced = true
                    return Binder.filtered(MaterializedOperator(shared, columns: cols, showsQuery: first), pushed)
                }, accepts: { _ in true })
            }
            if runs.isVirtualRunsTable(name) {
                if runs.runs.isEmpty { throw QueryError(.execution, "no run files given to query") }
                let op = try RunsTableOperator(runs: runs, qualifier: alias ?? name)
                var scope = Scope()
                scope.add(name: alias ?? name, columns: op.columns)
                return BoundFrom(scope: scope, build: { used, pushed throws(QueryError) in
                    op.markUsed(used)
                    return Binder.filtered(op, pushed)
                }, accepts: { _ in true })
            }
            return try bindStoredTable(name, alias: alias, at: position)
        case .subquery(let q, let alias, _):
            let op = try Binder.plan(q, runs: runs, options: options, ctes: ctes, outer: outer)
            var scope = Scope()
            scope.add(name: alias, columns: op.columns.map { OutputColumn(name: $0.name, type: $0.type, qualifier: alias) })
            return BoundFrom(scope: scope, build: { _, pushed throws(QueryError) in Binder.filtered(op, pushed) }, accepts: { _ in true })
        case .lateral(let q, let alias, let position):
            // Leftmost, or under a join kind that cannot see its left: nothing to correlate with.
            return try bindFrom(.subquery(q, alias: alias, position: position))
        case .join(let kind, let l, let r, let on, let using, let natural, let position):
            return try bindJoin(kind, l, r, on: on, using: using, natural: natural, at: position)
        }
    }

    /// `op` under a filter of the conjuncts pushed into it (if any).
    static func filtered(_ op: any PhysicalOperator, _ pushed: [BoundExpr]) -> any PhysicalOperator {
        guard let p = BoundExpr.and(pushed) else { return op }
        return FilterOperator(op, predicate: p)
    }

    /// A stored table under a join or as a relation: its columns, `run` and the runs' metadata
    /// keys (hidden from `*`); the scan decodes only the used ones and runs the pushed conjuncts.
    mutating func bindStoredTable(_ name: String, alias: String?, at position: Int) throws(QueryError) -> BoundFrom {
        let table = try checkTable(name, at: position)
        let stored = try runs.unionSchema(of: table, at: position)
        let q = alias ?? name
        var cols = stored.map { OutputColumn(name: $0.name, type: $0.type, qualifier: q) }
        if !stored.contains(where: { $0.name == "run" }) {
            cols.append(OutputColumn(name: "run", type: .string, qualifier: q, hiddenFromStar: runs.runs.count <= 1))
        }
        for k in runs.metadataKeys where !stored.contains(where: { $0.name == k }) && k != "run" {
            cols.append(OutputColumn(name: k, type: runs.metadataType(k), qualifier: q, hiddenFromStar: true))
        }
        var scope = Scope()
        scope.add(name: q, columns: cols)
        let runs = self.runs, options = self.options
        return BoundFrom(scope: scope, build: { used, pushed throws(QueryError) in
            var b = Binder(runs: runs)
            b.plan.table = table
            b.columns = stored
            for c in cols { _ = try b.resolveInput(c.name, quoted: true) }
            for (i, c) in cols.enumerated() {
                b.plan.outputs.append(used.contains(i) ? BoundExpr(.column(slot: i, name: c.name), c.type, at: position)
                                                      : BoundExpr(.constant(.null), c.type, at: position))
                b.plan.outputNames.append(c.name)
            }
            if let f = BoundExpr.and(pushed) {
                b.plan.filter = f
                b.splitPushdown(f)
            }
            return try TapeScanOperator(plan: b.plan, runs: runs, options: options, qualifier: q,
                                        hidden: Set(cols.indices.filter { cols[$0].hiddenFromStar }))
        }, accepts: { _ in true })
    }
}

extension BoundExpr {
    /// The AND-ed parts of this condition.
    var conjuncts: [BoundExpr] {
        if case .and(let a, let b) = kind { return a.conjuncts + b.conjuncts }
        return [self]
    }

    /// `parts` AND-ed together; nil for none.
    static func and(_ parts: [BoundExpr]) -> BoundExpr? {
        parts.dropFirst().reduce(parts.first) { acc, c in acc.map { BoundExpr(.and($0, c), .bool, at: c.position) } }
    }
}
