/// Stacks the generic operators of one bound SELECT over a non-scan input (a join, subquery or
/// CTE): Filter(WHERE) → [CorrelatedSubquery → Filter] → HashAggregate → [CorrelatedSubquery] → Filter(HAVING) → Window → Filter(QUALIFY) → Project (outputs, then hidden ORDER BY
/// keys) → Distinct → Sort | TopN → Limit. A SELECT over one stored table never comes here: the
/// Tape scan runs the same plan fused (see `TapeScanOperator`).
enum SelectPlanner {
    static func build(_ plan: QueryPlan, input: any PhysicalOperator, options: QueryOptions, subqueries: [CorrelatedSubquery] = []) -> any PhysicalOperator {
        var op = input
        let pre = subqueries.filter { !$0.post }, post = subqueries.filter(\.post)
        // WHERE conjuncts that read no correlated subquery run first, so the subqueries run only
        // for the rows that pass them.
        let subquerySlots = Set(pre.map(\.slot))
        var late: [BoundExpr] = []
        if let f = plan.filter {
            var early: [BoundExpr] = []
            for c in f.conjuncts { if c.slots.isDisjoint(with: subquerySlots) { early.append(c) } else { late.append(c) } }
            if let e = BoundExpr.and(early) { op = FilterOperator(op, predicate: e) }
        }
        if !pre.isEmpty { op = CorrelatedSubqueryOperator(op, pre, options: options) }
        if let l = BoundExpr.and(late) { op = FilterOperator(op, predicate: l) }
        if let keys = plan.keys {
            op = HashAggregateOperator(op, keys: keys, aggregates: plan.aggregates, memoryLimit: options.memoryLimit)
            if !post.isEmpty { op = CorrelatedSubqueryOperator(op, post, options: options) }
            if let h = plan.having { op = FilterOperator(op, predicate: h, label: "HAVING") }
        }
        if !plan.windows.isEmpty {
            op = WindowOperator(op, windows: plan.windows, memoryLimit: options.memoryLimit)
            if let q = plan.qualify { op = FilterOperator(op, predicate: q, label: "QUALIFY") }
        }
        op = ProjectOperator(op, plan.outputs + plan.hidden, names: plan.outputNames + plan.hidden.map(\.text))
        if plan.distinct { op = DistinctOperator(op, memoryLimit: options.memoryLimit) }
        let visible = plan.outputs.count
        if !plan.order.isEmpty {
            if let limit = plan.limit {
                return TopNOperator(op, keys: plan.order, limit: limit, offset: plan.offset, visible: visible, memoryLimit: options.memoryLimit)
            }
            op = SortOperator(op, keys: plan.order, visible: visible, memoryLimit: options.memoryLimit)
        }
        if plan.limit != nil || plan.offset > 0 { op = LimitOperator(op, limit: plan.limit, offset: plan.offset, visible: visible) }
        return op
    }
}
