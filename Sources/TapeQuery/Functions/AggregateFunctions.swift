/// The aggregates, with DuckDB's semantics: NULL inputs are ignored (except by first/last, which
/// return the first/last row's value even when NULL, by row order); over no rows every aggregate
/// but count returns NULL. count(*) and count(DISTINCT x) are spellings of the count entry.
enum AggregateFunctions {
    typealias Rule = ScalarFunction.Rule

    static let entries: [AggregateEntry] = [
        AggregateEntry(name: "count", function: .count, signature: "count(*), count(x), count(DISTINCT x)",
                       doc: "rows; non-NULL values; distinct non-NULL values (BIGINT)", example: "count(pnl)",
                       bind: oneArgument(.int), window: oneArgument(.int), state: { $0.function == .countDistinct ? CountDistinctState(call: $0) : CountState(call: $0) }),
        AggregateEntry(name: "sum", function: .sum, signature: "sum(x)",
                       doc: "total; of BIGINT exact in 128 bits (an error only when the result leaves BIGINT); of INTERVAL an INTERVAL",
                       example: "sum(qty)", bind: sumRule(average: false), window: windowSum, state: sumState),
        AggregateEntry(name: "avg", aliases: ["mean"], function: .avg, signature: "avg(x)", doc: "mean as DOUBLE; of INTERVAL an INTERVAL",
                       example: "avg(pnl)", bind: sumRule(average: true), window: windowAvg, state: sumState),
        AggregateEntry(name: "min", function: .min, signature: "min(x)", doc: "smallest value (any ordered type; NaN above +inf)", example: "min(note)",
                       bind: oneArgument(nil), window: oneArgument(nil), state: { MinMaxState(call: $0) }),
        AggregateEntry(name: "max", function: .max, signature: "max(x)", doc: "largest value (any ordered type; NaN above +inf)", example: "max(ts)",
                       bind: oneArgument(nil), window: oneArgument(nil), state: { MinMaxState(call: $0) }),
        AggregateEntry(name: "first", aliases: ["arbitrary"], function: .first, signature: "first(x)",
                       doc: "the first row's value by row order, NULL included", example: "first(pnl)",
                       bind: oneArgument(nil), window: oneArgument(nil), state: { FirstLastState(call: $0) }),
        AggregateEntry(name: "last", function: .last, signature: "last(x)",
                       doc: "the last row's value by row order, NULL included", example: "last(pnl)",
                       bind: oneArgument(nil), window: oneArgument(nil), state: { FirstLastState(call: $0) }),
        AggregateEntry(name: "any_value", function: .anyValue, signature: "any_value(x)", doc: "the first non-NULL value by row order",
                       example: "any_value(note)", bind: oneArgument(nil), window: oneArgument(nil), state: { FirstLastState(call: $0) }),
        moment("stddev_samp", aliases: ["stddev", "std"], .stddevSamp, doc: "sample standard deviation", example: "stddev(pnl)"),
        moment("stddev_pop", .stddevPop, doc: "population standard deviation", example: "stddev_pop(price)"),
        moment("var_samp", aliases: ["variance", "var"], .varSamp, doc: "sample variance", example: "var_samp(qty)"),
        moment("var_pop", .varPop, doc: "population variance", example: "var_pop(pnl)"),
        AggregateEntry(name: "quantile_disc", aliases: ["quantile"], function: .quantileDisc, signature: "quantile_disc(x, q)",
                       doc: "the value at index ⌈n·q⌉−1 of the sorted values (numbers, timestamps, strings)", example: "quantile_disc(pnl, 0.25)",
                       bind: quantileRule(continuous: false, fraction: true), window: quantileRule(continuous: false, fraction: true), state: { QuantileState(call: $0) }),
        AggregateEntry(name: "quantile_cont", aliases: ["percentile_cont"], function: .quantileCont, signature: "quantile_cont(x, q)",
                       doc: "the q-quantile, interpolated linearly between the neighbouring values (DOUBLE)", example: "quantile_cont(price, 0.9)",
                       bind: quantileRule(continuous: true, fraction: true), window: quantileRule(continuous: true, fraction: true), state: { QuantileState(call: $0) }),
        AggregateEntry(name: "median", function: .quantileCont, signature: "median(x)", doc: "quantile_cont(x, 0.5)", example: "median(pnl)",
                       bind: quantileRule(continuous: true, fraction: false), window: quantileRule(continuous: true, fraction: false), state: { QuantileState(call: $0) }),
        AggregateEntry(name: "arg_min", aliases: ["argmin", "min_by"], function: .argMin, signature: "arg_min(x, y)",
                       doc: "x of the row with the smallest y (rows with a NULL skipped; ties keep the earliest row)",
                       example: "arg_min(symbol, pnl)", bind: twoArguments, window: twoArguments, state: { ArgExtremeState(call: $0) }),
        AggregateEntry(name: "arg_max", aliases: ["argmax", "max_by"], function: .argMax, signature: "arg_max(x, y)",
                       doc: "x of the row with the largest y (rows with a NULL skipped; ties keep the earliest row)",
                       example: "arg_max(ts, price)", bind: twoArguments, window: twoArguments, state: { ArgExtremeState(call: $0) }),
    ]

    /// sum / avg: INTERVALs in `IntervalSumState`; BIGINT sums (and averages of BIGINT) exact in
    /// `SumIntState`; the rest as compensated DOUBLE sums.
    static let sumState: AggregateEntry.StateFactory = { call in
        if call.type == .interval { return IntervalSumState(call: call) }
        if call.function == .sum ? call.type == .int : call.args.first?.type == .int { return SumIntState(call: call) }
        return SumDoubleState(call: call)
    }

    /// One argument of any type; the result is `type`, or the argument's type when nil.
    static func oneArgument(_ type: SQLType?) -> Rule {
        { a throws(QueryError) in
            try a.arity(1...1)
            return type ?? a.type(0)
        }
    }

    /// arg_min / arg_max: the result has the first argument's type.
    static let twoArguments: Rule = { a throws(QueryError) in
        try a.arity(2...2)
        return a.type(0)
    }

    /// stddev and variance: one numeric argument, a DOUBLE result, grouped or over a window.
    static func moment(_ name: String, aliases: [String] = [], _ f: AggregateFunction, doc: String, example: String) -> AggregateEntry {
        let rule: Rule = { a throws(QueryError) in
            try a.arity(1...1)
            try a.numeric(0)
            return .double
        }
        return AggregateEntry(name: name, aliases: aliases, function: f, signature: "\(name)(x)", doc: doc, example: example, bind: rule, window: rule, state: { VarianceState(call: $0) })
    }

    /// sum / avg grouped: numbers (sum keeps BIGINT) or INTERVALs (`IntervalSumState`).
    static func sumRule(average: Bool) -> Rule {
        { a throws(QueryError) in
            if a.count == 1 && a.type(0) == .interval { return .interval }
            try a.arity(1...1)
            try a.numeric(0)
            return !average && a.type(0) == .int ? .int : .double
        }
    }

    /// sum over a window: BIGINT stays BIGINT, anything else is summed as DOUBLE.
    static let windowSum: Rule = { a throws(QueryError) in
        try a.arity(1...1)
        try a.numeric(0)
        if a.type(0) == .int { return .int }
        try a.cast(0, to: .double)
        return .double
    }

    /// avg over a window: BIGINT inputs are averaged exactly, anything else as DOUBLE.
    static let windowAvg: Rule = { a throws(QueryError) in
        try a.arity(1...1)
        try a.numeric(0)
        if a.type(0) != .int { try a.cast(0, to: .double) }
        return .double
    }

    /// quantile_cont / quantile_disc / median: the fraction (a constant in [0, 1]) is taken out of
    /// the arguments into `fraction`; quantile_cont needs numbers, quantile_disc any ordered type.
    static func quantileRule(continuous: Bool, fraction: Bool) -> Rule {
        { a throws(QueryError) in
            if fraction {
                try a.arity(2...2)
                guard let q = a[1].constantValue, case let v? = q.coerced(to: .double), case .double(let d) = v, d >= 0, d <= 1 else {
                    throw QueryError(.binding, "\(a.name)() needs a constant fraction between 0 and 1 as its second argument", at: a[1].position)
                }
                a.fraction = d
                a.args.removeLast()
            } else {
                try a.arity(1...1)
            }
            if continuous {
                try a.numeric(0)
                return .double
            }
            guard a.type(0) != .bool && a.type(0) != .interval else {
                throw QueryError(.binding, "\(a.name)() needs a numeric, timestamp or string argument", at: a[0].position)
            }
            return a.type(0)
        }
    }
}
