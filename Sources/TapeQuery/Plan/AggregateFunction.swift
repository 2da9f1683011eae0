/// Which aggregate a call computes: the key to its registry entry (`AggregateFunctions`: names,
/// binding rules, documentation, running state) and to its frame kernel over a window.
enum AggregateFunction: String, Sendable, CaseIterable {
    case countStar = "count_star", count, countDistinct = "count_distinct"
    case sum, avg, min, max, first, last, anyValue = "any_value"
    case stddevSamp = "stddev_samp", stddevPop = "stddev_pop", varSamp = "var_samp", varPop = "var_pop"
    case quantileDisc = "quantile_disc", quantileCont = "quantile_cont"
    case argMin = "arg_min", argMax = "arg_max"

    /// Looks up a name as written in a query (`FunctionRegistry`); `distinct` selects
    /// count(DISTINCT x).
    static func named(_ n: String, distinct: Bool) -> AggregateFunction? {
        guard let f = FunctionRegistry.aggregate(named: n)?.function else { return nil }
        return f == .count && distinct ? .countDistinct : f
    }

    /// Whether `n` names an aggregate (used to find aggregates in a select list).
    static func isAggregate(_ n: String) -> Bool { named(n, distinct: false) != nil }
}

/// One aggregate call in a query: `sum(pnl)`, `quantile_cont(pnl, 0.9)`, `arg_max(equity, ts)`.
struct AggregateCall {
    let function: AggregateFunction
    /// Argument expressions over the input (count(*) has none; arg_min/arg_max have two).
    let args: [BoundExpr]
    /// The quantile fraction for quantile functions.
    let fraction: Double
    let type: SQLType
    let text: String
    /// Byte offset of the call in the query text, for execution errors (sum overflow).
    var position: Int? = nil
    /// `FILTER (WHERE …)`: only rows where this is true are aggregated.
    var filter: BoundExpr? = nil

    /// Every expression the call reads (arguments and filter).
    var inputs: [BoundExpr] { args + (filter.map { [$0] } ?? []) }
}
