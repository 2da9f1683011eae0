/// The aggregate functions Tape's SQL knows, with DuckDB's semantics: NULL inputs are ignored
/// (except by first/last, which return the first/last row's value even when NULL, by row order);
/// over no rows every aggregate but count returns NULL.
enum AggregateFunction: String, Sendable, CaseIterable {
    case countStar = "count_star", count, countDistinct = "count_distinct"
    case sum, avg, min, max, first, last, anyValue = "any_value"
    case stddevSamp = "stddev_samp", stddevPop = "stddev_pop", varSamp = "var_samp", varPop = "var_pop"
    case quantileDisc = "quantile_disc", quantileCont = "quantile_cont"
    case argMin = "arg_min", argMax = "arg_max"

    /// Looks up a name as written in a query; `distinct` selects count(DISTINCT x).
    static func named(_ n: String, distinct: Bool) -> AggregateFunction? {
        switch n {
        case "count": return distinct ? .countDistinct : .count
        case "sum": return .sum
        case "avg", "mean": return .avg
        case "min": return .min
        case "max": return .max
        case "first", "arbitrary": return .first
        case "last": return .last
        case "any_value": return .anyValue
        case "stddev", "stddev_samp", "std": return .stddevSamp
        case "stddev_pop": return .stddevPop
        case "variance", "var_samp", "var": return .varSamp
        case "var_pop": return .varPop
        case "quantile", "quantile_disc": return .quantileDisc
        case "quantile_cont", "median", "percentile_cont": return .quantileCont
        case "arg_min", "argmin", "min_by": return .argMin
        case "arg_max", "argmax", "max_by": return .argMax
        default: return nil
        }
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
