extension Binder {
    /// `left UNION|INTERSECT|EXCEPT [ALL] right`: both sides planned, their columns brought to
    /// common types (BIGINT and DOUBLE to DOUBLE, NULL to the other side's type), names taken from
    /// the left.
    static func planSetOperation(_ op: SetOperator, all: Bool, _ l: QueryNode, _ r: QueryNode, at position: Int,
                                 runs: RunSet, options: QueryOptions, ctes: [String: CTEBinding], outer: OuterScope? = nil) throws(QueryError) -> any PhysicalOperator {
        var left = try plan(l, runs: runs, options: options, ctes: ctes, outer: outer)
        var right = try plan(r, runs: runs, options: options, ctes: ctes, outer: outer)
        if op == .unionByName { (left, right) = byName(left, right, at: position) }
        let lc = left.columns, rc = right.columns
        guard lc.count == rc.count else {
            throw QueryError(.binding, "each side of \(op.rawValue) must have the same number of columns (\(lc.count) and \(rc.count))", at: position)
        }
        var types: [SQLType] = []
        for (i, (a, b)) in zip(lc, rc).enumerated() {
            guard let t = setOperationType(a.type, b.type) else {
                throw QueryError(.binding, "\(op.rawValue) column \(i + 1) ('\(a.name)') is \(a.type) on the left and \(b.type) on the right", at: position)
            }
            types.append(t == .null ? .int : t)
        }
        left = try castColumns(left, to: types, at: position)
        right = try castColumns(right, to: types, at: position)
        switch op {
        case .union, .unionByName:
            let u = UnionAllOperator([left, right])
            return all ? u : DistinctOperator(u, memoryLimit: options.memoryLimit)
        case .intersect, .except:
            return SetOperationOperator(op, all: all, left, right, memoryLimit: options.memoryLimit)
        }
    }

    /// The type two branches' columns take, as DuckDB: numbers to DOUBLE when mixed (BOOLEAN
    /// counts as a number), anything with VARCHAR to VARCHAR; nil when they do not mix
    /// (e.g. TIMESTAMP with BIGINT).
    static func setOperationType(_ a: SQLType, _ b: SQLType) -> SQLType? {
        if let t = SQLType.common(a, b) { return t }
        if a == .string || b == .string { return .string }
        switch (a, b) {
        case (.bool, .int), (.int, .bool): return .int
        case (.bool, .double), (.double, .bool): return .double
        default: return nil
        }
    }

    /// UNION BY NAME's two sides brought to one column list: the left's names, then the right's
    /// names the left lacks (matched case-insensitively); a side lacking a column gives NULLs.
    static func byName(_ left: any PhysicalOperator, _ right: any PhysicalOperator, at position: Int) -> (any PhysicalOperator, any PhysicalOperator) {
        var names = left.columns.map(\.name)
        for c in right.columns where !names.contains(where: { $0.lowercased() == c.name.lowercased() }) { names.append(c.name) }
        func side(_ op: any PhysicalOperator) -> any PhysicalOperator {
            let exprs = names.map { n -> BoundExpr in
                guard let i = op.columns.firstIndex(where: { $0.name.lowercased() == n.lowercased() }) else {
                    return BoundExpr(.constant(.null), .null, at: position)
                }
                return BoundExpr(.column(slot: i, name: op.columns[i].name), op.columns[i].type, at: position)
            }
            return ProjectOperator(op, exprs, names: names)
        }
        return (side(left), side(right))
    }

    /// `input` with its columns converted to `types` (unchanged when they already match).
    static func castColumns(_ input: any PhysicalOperator, to types: [SQLType], at position: Int) throws(QueryError) -> any PhysicalOperator {
        let cols = input.columns
        if zip(cols, types).allSatisfy({ $0.0.type == $0.1 }) { return input }
        var exprs: [BoundExpr] = []
        for (i, (c, t)) in zip(cols, types).enumerated() {
            exprs.append(try cast(BoundExpr(.column(slot: i, name: c.name), c.type, at: position), to: t, at: position, explicit: true))
        }
        return ProjectOperator(input, exprs, names: cols.map(\.name))
    }
}
