import TapeFormat

/// `left JOIN LATERAL (query) ON cond`: for each left row, the rows the query returns with that
/// row's values for the left columns it reads (planned with them as constants, once per distinct
/// tuple of those values and memoised, as `CorrelatedSubqueryOperator` does), kept where `cond`
/// (over left columns then the query's) holds; LEFT keeps a left row with no such row, padded
/// with NULLs. Output: the left columns then the query's, in left-row order. Streaming over the
/// left input; the memo holds each distinct tuple's result.
final class LateralJoinOperator: PhysicalOperator {
    let kind: JoinKind
    let left: any PhysicalOperator
    let query: QueryNode
    let outer: OuterScope
    let shape: any PhysicalOperator
    let residual: BoundExpr?
    let options: QueryOptions
    let columns: [OutputColumn]
    var children: [any PhysicalOperator] { [left, shape] }
    /// Distinct left tuples the last run planned and ran the query for (EXPLAIN ANALYZE).
    private(set) var executions = 0

    /// REQUIRES: `kind` is `.inner` or `.left`.
    init(_ kind: JoinKind, _ left: any PhysicalOperator, _ query: QueryNode, outer: OuterScope, columns: [OutputColumn],
         shape: any PhysicalOperator, residual: BoundExpr?, options: QueryOptions) {
        self.kind = kind
        self.left = left
        self.query = query
        self.outer = outer
        self.shape = shape
        self.residual = residual
        self.options = options
        self.columns = left.columns + columns
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        var memo: [[Datum]: Batch] = [:]
        executions = 0
        let types = columns.map(\.type), rightTypes = columns.dropFirst(left.columns.count).map(\.type)
        let limit = options.memoryLimit
        var held = 0
        try left.run { [self] b throws(QueryError) in
            var refs: [Vector] = []
            for r in outer.references { refs.append(try Evaluator.evaluate(r, b)) }
            var parts: [Batch] = []
            var rows = 0
            for row in 0..<b.count {
                let key = refs.map { $0.datum(row) }
                let right: Batch
                if let r = memo[key] { right = r } else {
                    let op = try Binder.plan(query, runs: outer.outerBinder.runs, options: options, ctes: outer.outerBinder.ctes, outer: outer.binding(key))
                    right = try op.materialize(memoryLimit: limit, tooBig: "LATERAL: one subquery result needs more than \(QueryOptions.describe(bytes: limit)) (--memory-limit)")
                    held += right.approximateBytes
                    if held > limit {
                        throw QueryError(.execution, "LATERAL: the subquery results held for reuse need more than \(QueryOptions.describe(bytes: limit)) (--memory-limit)")
                    }
                    memo[key] = right
                    executions += 1
                }
                var pairs = Batch(columns: b.columns.map { $0.gather([Int32](repeating: Int32(row), count: right.count)) } + right.columns, count: right.count)
                if let residual, pairs.count > 0, let keep = try FilterOperator.selection(residual, pairs) { pairs = pairs.gather(keep) }
                if pairs.count == 0 {
                    guard kind == .left else { continue }
                    pairs = Batch(columns: b.columns.map { $0.gather([Int32(row)]) } + rightTypes.map { Vector.constant(.null, type: $0, count: 1) }, count: 1)
                }
                parts.append(pairs)
                rows += pairs.count
                if rows >= 65_536 {
                    if try !emit(try Batch.concatenate(parts, types: types, label: "LATERAL JOIN")) { return false }
                    parts.removeAll()
                    rows = 0
                }
            }
            return rows == 0 ? true : try emit(try Batch.concatenate(parts, types: types, label: "LATERAL JOIN"))
        }
    }

    func explain(analyzed: Bool) -> [String] {
        ["LATERAL JOIN \(kind.rawValue) (the subquery planned and run once per distinct \(outer.references.map(\.text).joined(separator: ", ")), memoised)"
            + (residual.map { ", residual \($0.text)" } ?? "") + (analyzed ? " [\(executions) runs]" : "")]
    }
}
