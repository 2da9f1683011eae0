import TapeFormat

/// Computes correlated subqueries for each input row: the input's columns followed by one column
/// per subquery (its value, EXISTS or IN result). A subquery linked to the outer query only by
/// equalities was decorrelated (`Decorrelated`): its rewritten query runs once, into a hash table
/// of answers by key that each row probes. Any other shape falls back to running the subquery
/// once per distinct tuple of the outer values it reads, planned with those values as constants
/// (so `u.run = t.run` prunes runs and chunks like any constant filter), memoised for the rest of
/// the run. Streaming; memory grows with the hash table (beyond `--memory-limit` the query fails
/// naming the operator and the limit) or the number of distinct outer tuples.
///
/// Semantics as DuckDB: a scalar subquery with no row is NULL and with more than one row an
/// error; `x IN (…)` is NULL when x is NULL (and the subquery returns rows) or when x is absent
/// but the subquery returned a NULL; EXISTS is never NULL.
final class CorrelatedSubqueryOperator: PhysicalOperator {
    let input: any PhysicalOperator
    let subqueries: [CorrelatedSubquery]
    let options: QueryOptions
    let columns: [OutputColumn]
    var children: [any PhysicalOperator] { [input] + subqueries.map { $0.decorrelated?.query ?? $0.shape } }
    /// Distinct outer tuples the last run planned and ran each subquery for (EXPLAIN ANALYZE).
    private(set) var executions: [Int]

    /// The memoised answer of a subquery for one outer tuple.
    private enum Answer {
        case value(Datum)
        case members(Set<Datum>, hasNull: Bool)
        /// A scalar subquery that returns several rows for this key (an error if a row asks).
        case tooManyRows
    }

    /// Runs a decorrelated subquery's query once into answers by key.
    private func table(_ q: CorrelatedSubquery, _ d: Decorrelated) throws(QueryError) -> (answers: [[Datum]: Answer], absent: Answer) {
        let n = d.keys.count
        var answers: [[Datum]: Answer] = [:]
        var bytes = 0
        let limit = options.memoryLimit
        try d.query.run { b throws(QueryError) in
            for row in 0..<b.count {
                let key = (0..<n).map { b.columns[$0].datum(row).coerced(to: d.keyTypes[$0]) ?? .null }
                if key.contains(.null) { continue }   // never equal to anything
                if answers[key] == nil { bytes += RowKey.approximateBytes(key) + 48 }
                switch q.kind {
                case .exists:
                    answers[key] = .value(.bool(true))
                case .scalar:
                    let v = b.columns[n].datum(row)
                    answers[key] = answers[key] == nil ? .value(v == .null ? .null : (v.coerced(to: q.type) ?? v)) : .tooManyRows
                case .member(let x, let target):
                    guard case .members(var set, var hasNull) = answers[key] ?? .members([], hasNull: false) else { continue }
                    let v = b.columns[n].datum(row)
                    let before = set.count
                    if v == .null { hasNull = true } else {
                        guard let c = v.coerced(to: target) else {
                            throw QueryError(.binding, "cannot compare \(x.type) with \(v.type) in IN (subquery)", at: q.position)
                        }
                        set.insert(c)
                    }
                    if set.count > before { bytes += 48 }
                    answers[key] = .members(set, hasNull: hasNull)
                }
            }
            if bytes > limit {
                throw QueryError(.execution, "correlated subquery: its answers by outer key need more than \(QueryOptions.describe(bytes: limit)) (--memory-limit) and cannot spill; raise --memory-limit or rewrite it as a join", at: q.position)
            }
            return true
        }
        let absent: Answer
        switch q.kind {
        case .exists: absent = .value(.bool(false))
        case .member: absent = .members([], hasNull: false)
        case .scalar:
            // The aggregate over no rows (count 0, else usually NULL): the subquery planned with
            // NULL outer values matches no row.
            guard d.aggregates else { absent = .value(.null); break }
            let vectors = try Binder.rows(of: q.shape, limit: 2)
            let v = vectors.first.map { $0.datum(0) } ?? .null
            absent = .value(v == .null ? .null : (v.coerced(to: q.type) ?? v))
        }
        return (answers, absent)
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
        // Decorrelated subqueries: their hash table and the answer for an absent key.
        var tables: [Int: (answers: [[Datum]: Answer], absent: Answer)] = [:]
        for (i, q) in subqueries.enumerated() {
            if let d = q.decorrelated { tables[i] = try table(q, d); executions[i] = 1 }
        }
        try input.run { [self] b throws(QueryError) in
            var cols = b.columns
            for (i, q) in subqueries.enumerated() {
                var refs: [Vector] = []
                for r in q.references { refs.append(try Evaluator.evaluate(r, b)) }
                var member: Vector?
                if case .member(let x, _) = q.kind { member = try Evaluator.evaluate(x, b) }
                var out = VectorBuilder(type: q.type)
                for row in 0..<b.count {
                    var key = refs.map { $0.datum(row) }
                    let answer: Answer
                    if let (answers, absent) = tables[i], let d = q.decorrelated {
                        for k in key.indices { key[k] = key[k].coerced(to: d.keyTypes[k]) ?? .null }
                        answer = key.contains(.null) ? absent : answers[key] ?? absent
                    } else if let a = memo[i][key] { answer = a } else {
                        answer = try self.answer(q, key)
                        memo[i][key] = answer
                        executions[i] += 1
                    }
                    switch answer {
                    case .value(let d): out.append(d)
                    case .tooManyRows: throw Binder.tooManyRows(at: q.position)
                    case .members(let set, let hasNull):
                        let x = member?.datum(row) ?? .null
                        if set.contains(x) { out.append(.bool(true)) } else if (x == .null && !set.isEmpty) || hasNull { out.append(.null) } else {
                            out.append(.bool(false))
                        }
                    }
                }
                cols.append(try out.build())
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
            let keys = q.references.map(\.text).joined(separator: ", ")
            if q.decorrelated != nil {
                return "CORRELATED SUBQUERY \(i + 1) (\(what), decorrelated: run once into a hash table probed by \(keys))"
            }
            return "CORRELATED SUBQUERY \(i + 1) (\(what), planned and run once per distinct \(keys), memoised)"
                + (analyzed ? " [\(executions[i]) runs]" : "")
        }
    }
}
