/// The scalar functions Tape's SQL knows. Argument types are checked by the binder
/// (`FunctionBinder`); evaluation is in `Evaluator+Functions.swift`.
enum ScalarFunction: String, Sendable, CaseIterable {
    case abs, round, floor, ceil, sqrt, ln, log10, log2, exp, power, sign
    case coalesce, nullif, greatest, least
    case lower, upper, length, trim, substr, concat, replace
    case timeBucket = "time_bucket", dateTrunc = "date_trunc", datePart = "date_part"
    case epoch, epochMs = "epoch_ms", toTimestamp = "to_timestamp"
    /// `a IS NOT DISTINCT FROM b`: equality where NULL equals NULL; never NULL itself.
    case notDistinct = "__not_distinct"

    var name: String { rawValue }

    /// Looks up a function by the name written in a query (with common aliases).
    static func named(_ n: String) -> ScalarFunction? {
        switch n {
        case "ceiling": return .ceil
        case "pow": return .power
        case "log": return .log10   // DuckDB: log(x) is base 10
        case "substring": return .substr
        case "datetrunc": return .dateTrunc
        case "datepart": return .datePart
        case "lcase": return .lower
        case "ucase": return .upper
        case "char_length", "strlen": return .length
        case "ifnull": return .coalesce
        default: return ScalarFunction(rawValue: n)
        }
    }
}
