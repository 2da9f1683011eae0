extension Evaluator {
    /// Applies the partial function `f` to every row whose inputs are not NULL (NULL rows get 0,
    /// hidden by the validity of `inputs`); throws `failure(x, y)` at `e`'s position on the first
    /// row where `f` has no result (a timestamp or interval out of range).
    static func partial<T, U, R>(_ x: Operand<T>, _ y: Operand<U>, _ inputs: [Vector], _ count: Int, _ e: BoundExpr, zero: R,
                                 failure: (T, U) -> String, _ f: (T, U) -> R?) throws(QueryError) -> [R] {
        let valid = validity(inputs)
        var out = [R](repeating: zero, count: count)
        for i in 0..<count {
            if let valid, !valid[i] { continue }
            let a = x.at(i), b = y.at(i)
            guard let r = f(a, b) else { throw QueryError(.execution, failure(a, b), at: e.position) }
            out[i] = r
        }
        return out
    }

    /// Timestamp results of the partial `f` over one timestamp operand (see `partial`).
    static func timestamps(_ v: Vector, _ count: Int, _ e: BoundExpr, _ what: @escaping (Int64) -> String,
                           _ f: (Int64) -> Int64?) throws(QueryError) -> Vector {
        let values = try partial(ints(v), Operand<Int64>.scalar(0), [v], count, e, zero: Int64(0),
                                 failure: { t, _ in CalendarMath.outOfRange(what(t)) }) { t, _ in f(t) }
        return result(.timestamp, .int64(values), [v], count)
    }
}
