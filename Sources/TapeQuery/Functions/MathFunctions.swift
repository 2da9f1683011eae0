import Foundation

/// Numeric functions. Results follow DuckDB 2: IEEE results for sqrt and the logarithms (NaN of a
/// negative number, -inf of zero), rounding half away from zero, integer overflow an error.
enum MathFunctions {
    static let entries: [ScalarFunction] = [
        ScalarFunction(name: "abs", signature: "abs(x)", doc: "absolute value (of the smallest BIGINT: an overflow error)", example: "abs(pnl)",
                       bind: { a throws(QueryError) in
                           try a.arity(1...1)
                           try a.need(0, \.isNumeric, "a number")
                           return a.type(0) == .null ? .double : a.type(0)
                       }, kernel: abs),
        ScalarFunction(name: "sign", signature: "sign(x)", doc: "-1, 0 or 1 as BIGINT", example: "sign(pnl)",
                       bind: { a throws(QueryError) in
                           try a.arity(1...1)
                           try a.need(0, \.isNumeric, "a number")
                           return .int
                       }, kernel: sign),
        ScalarFunction(name: "round", signature: "round(x[, n])", doc: "x rounded half away from zero to n decimal places (default 0; negative n rounds left of the point)",
                       example: "round(price, 1)",
                       bind: { a throws(QueryError) in
                           try a.arity(1...2)
                           try a.need(0, \.isNumeric, "a number")
                           if a.count == 2 { try a.need(1, { $0 == .int }, "an integer number of digits") }
                           return a.type(0) == .int ? .int : .double
                       }, kernel: round),
        ScalarFunction(name: "floor", signature: "floor(x)", doc: "largest integral value ≤ x", example: "floor(price)",
                       bind: integralRule, kernel: { a, e, n throws(QueryError) in try rounded(a, e, n, .down) }),
        ScalarFunction(name: "ceil", aliases: ["ceiling"], signature: "ceil(x)", doc: "smallest integral value ≥ x", example: "ceil(price)",
                       bind: integralRule, kernel: { a, e, n throws(QueryError) in try rounded(a, e, n, .up) }),
        unary("sqrt", doc: "square root (NaN of a negative number)", example: "sqrt(qty)", Foundation.sqrt),
        unary("ln", doc: "natural logarithm (NaN of a negative number, -inf of 0)", example: "ln(price)", Foundation.log),
        unary("log10", aliases: ["log"], doc: "base-10 logarithm (log(x) too, as DuckDB)", example: "log(price)", Foundation.log10),
        unary("log2", doc: "base-2 logarithm", example: "log2(qty)", Foundation.log2),
        unary("exp", doc: "e raised to x", example: "exp(qty / 1000)", Foundation.exp),
        ScalarFunction(name: "power", aliases: ["pow"], signature: "power(x, y)", doc: "x raised to y, as DOUBLE", example: "power(qty, 0.5)",
                       bind: { a throws(QueryError) in
                           try a.arity(2...2)
                           try a.need(0, \.isNumeric, "a number")
                           try a.need(1, \.isNumeric, "a number")
                           try a.cast(0, to: .double)
                           try a.cast(1, to: .double)
                           return .double
                       }, kernel: { a, _, count throws(QueryError) in
                           Evaluator.result(.double, .float64(map2(Evaluator.doubles(a[0]), Evaluator.doubles(a[1]), count) { Foundation.pow($0, $1) }), a, count)
                       }),
    ]

    /// One numeric argument, cast to DOUBLE; `op` per value.
    static func unary(_ name: String, aliases: [String] = [], doc: String, example: String, _ op: @escaping @Sendable (Double) -> Double) -> ScalarFunction {
        ScalarFunction(name: name, aliases: aliases, signature: "\(name)(x)", doc: doc, example: example,
                       bind: { a throws(QueryError) in
                           try a.arity(1...1)
                           try a.need(0, \.isNumeric, "a number")
                           try a.cast(0, to: .double)
                           return .double
                       }, kernel: { a, _, count throws(QueryError) in
                           Evaluator.result(.double, .float64(map1(Evaluator.doubles(a[0]), count, op)), a, count)
                       })
    }

    /// floor/ceil: BIGINT stays BIGINT (and unchanged), anything else is DOUBLE.
    static let integralRule: ScalarFunction.Rule = { a throws(QueryError) in
        try a.arity(1...1)
        try a.need(0, \.isNumeric, "a number")
        return a.type(0) == .int ? .int : .double
    }

    static func rounded(_ a: [Vector], _ e: BoundExpr, _ count: Int, _ rule: FloatingPointRoundingRule) throws(QueryError) -> Vector {
        if e.type == .int { return a[0] }
        return Evaluator.result(.double, .float64(map1(Evaluator.doubles(a[0]), count) { $0.rounded(rule) }), a, count)
    }

    static func abs(_ a: [Vector], _ e: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        if e.type == .int {
            let x = Evaluator.ints(a[0])
            if (0..<count).contains(where: { x.at($0) == .min && !a[0].isNull($0) }) {
                throw QueryError(.execution, "integer overflow in abs(\(Int64.min))", at: e.position)
            }
            return Evaluator.result(.int, .int64(map1(x, count) { $0 == .min ? 0 : Swift.abs($0) }), a, count)
        }
        return Evaluator.result(.double, .float64(map1(Evaluator.doubles(a[0]), count) { Swift.abs($0) }), a, count)
    }

    static func sign(_ a: [Vector], _ e: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        if a[0].type == .int { return Evaluator.result(.int, .int64(map1(Evaluator.ints(a[0]), count) { $0.signum() }), a, count) }
        return Evaluator.result(.int, .int64(map1(Evaluator.doubles(a[0]), count) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }), a, count)
    }

    static func round(_ a: [Vector], _ e: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        let digits = a.count > 1 ? Evaluator.ints(a[1]) : .scalar(0)
        if e.type == .int {
            let x = Evaluator.ints(a[0])
            var out = [Int64](repeating: 0, count: count)
            for i in 0..<count where !a[0].isNull(i) && !(a.count > 1 && a[1].isNull(i)) {
                guard let r = DecimalRounding.round(x.at(i), digits: digits.at(i)) else {
                    throw QueryError(.execution, "integer overflow in round(\(x.at(i)), \(digits.at(i)))", at: e.position)
                }
                out[i] = r
            }
            return Evaluator.result(.int, .int64(out), a, count)
        }
        return Evaluator.result(.double, .float64(map2(Evaluator.doubles(a[0]), digits, count) { DecimalRounding.round($0, digits: $1) }), a, count)
    }
}
