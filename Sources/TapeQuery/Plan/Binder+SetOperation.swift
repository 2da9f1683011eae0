extension Binder {
    /// `left UNION|INTERSECT|EXCEPT [ALL] right`: both sides planned, their columns brought to
    /// common types (BIGINT and DOUBLE to DOUBLE, NULL to the other side's type), names taken from
    /// the left.
    static func planSetOperation(_ op: SetOperator, all: Bool, _ l: QueryNode, _ r: QueryNode, at position: Int,
                                 runs: RunSet, options: QueryOptions, ctes: [String: CTEBinding], outer: OuterScope? = nil) throws(QueryError) -> any PhysicalOperator {
        var left = try plan(l, runs: runs, options: options, ctes: ctes, outer: outer)
        var right = try plan(r, runs: runs, options: options, ctes: ctes, outer: outer)
        let lc = left.columns, rc = right.columns
        guard lc.count == rc.count else {
            throw QueryError(.binding, "each side of \(op.rawValue) must have the same number of columns (\(lc.count) and \(rc.count))", at: position)
        }
        var types: [SQLType] = []
        for (i, (a, b)) in zip(lc, rc).enumerated() {
            guard let t = SQLType.common(a.type, b.type) else {
                throw QueryError(.binding, "\(op.rawValue) column \(i + 1) ('\(a.name)') is \(a.type) on the left and \(b.type) on the right", at: position)
            }
            types.append(t == .null ? .int : t)
        }
        left = try castColumns(left, to: types, at: position)
        right = try castColumns(right, to: types, at: position)
        switch op {
        case .union:
            let u = UnionAllOperator([left, right])
            return all ? u : DistinctOperator(u, memoryLimit: options.memoryLimit)
        case .intersect, .except:
            return SetOperationOperator(op, all: all, left, right, memoryLimit: options.memoryLimit)
        }
    }

    /// `input` with its columns converted to `types` (unchanged when they already match).
    static func castColumns(_ input: any PhysicalOperator, to types: [SQLType], at position: Int) throws(QueryError) -> any PhysicalOperator {
        let cols = input.columns
        if zip(cols, types).allSatisfy({ $0.0.type == $0.1 }) { return input }
        var exprs: [BoundExpr] = []
        for (i, (c, t)) in zip(cols, types).enumerated() {
            exprs.append(try cast(BoundExpr(.column(slot: i, name: c.name), c.type, at: position), to: t, at: position, explicit: false))
        }
        return ProjectOperator(input, exprs, names: cols.map(\.name))
    }
}
