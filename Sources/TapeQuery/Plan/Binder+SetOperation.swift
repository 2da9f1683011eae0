extension Binder {
    static func planSetOperation(_ op: SetOperator, all: Bool, _ l: QueryNode, _ r: QueryNode, at position: Int,
                                 runs: RunSet, options: QueryOptions, ctes: [String: CTEBinding]) throws(QueryError) -> any PhysicalOperator {
        throw QueryError(.binding, "\(op.rawValue) is not supported yet", at: position)
    }
}
