/// Computes correlated subqueries for each input row: the input's columns followed by one column
/// per subquery (its value, EXISTS or IN result). The fallback strategy for subqueries that read
/// the outer query's columns: for each distinct tuple of the outer values a subquery reads, it is
/// planned with those values as constants (so `u.run = t.run` prunes runs and chunks like any
/// constant filter) and run once; the answer is memoised for the rest of the run. Streaming;
/// memory grows with the number of distinct outer tuples, not with the input.
///
/// Semantics as DuckDB: a scalar subquery with no row is NULL and with more than one row an
/// error; `x IN (…)` is NULL when x is NULL (and the subquery returns rows) or when x is absent
/// but the subquery returned a NULL; EXISTS is never NULL.
final class CorrelatedSubqueryOperator: PhysicalOperator {
    let input: any PhysicalOperator
    let subqueries: [CorrelatedSubquery]
    let options: QueryOptions
    let columns: [OutputColumn]
    var children: [any PhysicalOperator] { [input] + subqueries.map(\.shape) }
    /// Distinct outer tuples the last run planned and ran each subquery for (EXPLAIN ANALYZE).
    private(set) var executions: [Int]

    /// The memoised answer of a subquery for one outer tuple.
    private enum Answer {
        case value(Datum)
        case members(Set<Datum>, hasNull: Bool)
    }

    /// REQUIRES: `subqueries[i].slot == input.columns.count + i`.
    init(_ input: any PhysicalOperator, _ subqueries: [CorrelatedSubquery], options: QueryOptions) {
        self.input = input
        self.subqueries = subqueries
        self.options = options
        columns = input.columns + subqueries.enumerated().map { OutputColumn(name: "(subquery \($0.offset + 1))", type: $0.element.type) }
        executions = Array(repeating: 0, count: subqueries.count)
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        var memo = Array(repeating: [[Datum]: Answer](), count: subqueries.count)
        executions = Array(repeating: 0, count: subqueries.count)
        try input.run { [self] b throws(QueryError) in
            var cols = b.columns
            for (i, q) in subqueries.enumerated() {
                var refs: [Vector] = []
                for r in q.references { refs.append(try Evaluator.evaluate(r, b)) }
                var member: Vector?
                if case .member(let x, _) = q.kind { member = try Evaluator.evaluate(x, b) }
                var out = VectorBuilder(type: q.type)
                for row in 0..<b.count {
                    let key = refs.map { $0.datum(row) }
                    let answer: Answer
                    if let a = memo[i][key] { answer = a } else {
                        answer = try self.answer(q, key)
                        memo[i][key] = answer
                        executions[i] += 1
                    }
                    switch answer {
                    case .value(let d): out.append(d)
                    case .members(let set, let hasNull):
                        let x = member?.datum(row) ?? .null
                        if set.contains(x) { out.append(.bool(true)) } else if (x == .null && !set.isEmpty) || hasNull { out.append(.null) } else {
                            out.append(.bool(false))
                        }
                    }
                }
                cols.append(out.build())
            }
            return try emit(Batch(columns: cols, count: b.count))
        }
    }

    /// Plans `q` with the outer values `key` and runs it.
    private func answer(_ q: CorrelatedSubquery, _ key: [Datum]) throws(QueryError) -> Answer {
        let outer = q.outer.outerBinder
        let op = try Binder.plan(q.query, runs: outer.runs, options: options, ctes: outer.ctes, outer: q.outer.binding(key))
        switch q.kind {
        case .exists:
            return .value(.bool(!(try Binder.rows(of: op, limit: 1)).isEmpty))
        case .member(let x, let target):
            let column = op.columns.first?.type ?? .null
            let (set, hasNull) = try Binder.memberSet(try Binder.rows(of: op, limit: nil), target, x.type, column, at: q.position)
            return .members(set, hasNull: hasNull)
        case .scalar:
            let vectors = try Binder.rows(of: op, limit: 2)
            guard vectors.reduce(0, { $0 + $1.count }) <= 1 else { throw Binder.tooManyRows(at: q.position) }
            let d = vectors.first.map { $0.datum(0) } ?? .null
            return .value(d == .null ? .null : (d.coerced(to: q.type) ?? d))
        }
    }

    func explain(analyzed: Bool) -> [String] {
        subqueries.enumerated().map { i, q in
            let what: String
            switch q.kind {
            case .scalar: what = "scalar"
            case .exists: what = "EXISTS"
            case .member(let x, _): what = "\(x.text) IN"
            }
            return "CORRELATED SUBQUERY \(i + 1) (\(what), planned and run once per distinct \(q.references.map(\.text).joined(separator: ", ")), memoised)"
                + (analyzed ? " [\(executions[i]) runs]" : "")
        }
    }
}
