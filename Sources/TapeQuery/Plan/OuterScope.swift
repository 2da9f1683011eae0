import TapeFormat

/// The query around a subquery, as the subquery's binder sees it: a name the subquery cannot
/// resolve in its own FROM is looked up here (a correlated, or outer, reference).
///
/// Two modes:
/// - **Discovery** (`values == nil`): while the outer query is bound, each outer reference is
///   recorded in `references` (bound over the outer query's rows) and stands for a typed NULL, so
///   the subquery binds and its result type is known.
/// - **Execution** (`values` set): when `CorrelatedSubqueryOperator` re-plans the subquery for
///   one row's outer values, each outer reference becomes that value as a constant (so
///   `u.run = t.run` becomes `u.run = 'run001'`, a run filter of the inner scan).
///
/// An outer binder on the single-table fast path (no `scope`) cannot give a reference a slot of
/// its own; it throws `QueryError.needsGenericPlan` and its SELECT is planned again on the
/// generic path. References further out resolve through the outer binder's own `outer`.
final class OuterScope {
    private var binder: Binder
    /// The outer expressions are bound after aggregation (HAVING, or a SELECT item of a grouped
    /// query): they may then read only group keys.
    let post: Bool
    /// Discovery: the outer expressions read, in first-use order (deduplicated by text).
    private(set) var references: [BoundExpr] = []
    /// Execution: the value of each reference, by its text.
    private let values: [String: Datum]?

    init(_ binder: Binder, post: Bool) {
        self.binder = binder
        self.post = post
        values = nil
    }

    private init(_ binder: Binder, post: Bool, values: [String: Datum]) {
        self.binder = binder
        self.post = post
        self.values = values
    }

    /// An execution-mode scope giving `references[i]` the value `key[i]`.
    func binding(_ key: [Datum]) -> OuterScope {
        OuterScope(binder, post: post, values: Dictionary(zip(references.map(\.text), key), uniquingKeysWith: { a, _ in a }))
    }

    /// The outer query's binder (its runs, options and WITH queries plan the subquery again).
    var outerBinder: Binder { binder }

    /// `e` (a column name the subquery could not resolve) bound as an outer reference, or nil
    /// when the outer query has no such column either.
    func reference(_ e: Expr) throws(QueryError) -> BoundExpr? {
        let bound: BoundExpr
        do {
            bound = try binder.bind(e, post: post)
        } catch {
            // Not an outer column either: the subquery reports its own error, unless the name's
            // qualifier is an outer table (`t.runn`), whose columns the outer error lists.
            if case .qualified = e.kind, error.message.hasPrefix("no column") { throw error }
            if error.kind == .binding, error.message.hasPrefix("no column") || error.message.hasPrefix("no table") { return nil }
            throw error
        }
        if bound.slots.isEmpty { return bound }   // a constant: a reference further out, already bound
        if binder.scope == nil { throw QueryError.needsGenericPlan }
        if let values {
            guard let v = values[bound.text] else {
                throw QueryError(.execution, "internal: correlated reference \(bound.text) has no value", at: e.position)
            }
            return BoundExpr(.constant(v), bound.type, at: e.position)
        }
        if !references.contains(where: { $0.text == bound.text }) { references.append(bound) }
        return BoundExpr(.constant(.null), bound.type, at: e.position)
    }
}

extension QueryError {
    /// Thrown by `OuterScope` when a correlated subquery reads a query bound on the single-table
    /// fast path; that SELECT is then planned on the generic path (never seen by users).
    static let needsGenericPlan = QueryError(.binding, "internal: a correlated subquery needs the generic planner")
}
