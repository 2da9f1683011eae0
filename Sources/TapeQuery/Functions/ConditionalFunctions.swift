import TapeCodec
import TapeFormat

/// Functions that choose among their arguments, and NULL-aware equality.
enum ConditionalFunctions {
    static let entries: [ScalarFunction] = [
        ScalarFunction(name: "coalesce", aliases: ["ifnull"], signature: "coalesce(x, …)", doc: "the first non-NULL argument",
                       example: "coalesce(pnl, price, 0)", propagatesNull: false,
                       bind: { a throws(QueryError) in try a.nonEmpty(); return try a.unifyAll() },
                       kernel: { a, e, count throws(QueryError) in try coalesce(a, e.type, count) }),
        ScalarFunction(name: "nullif", signature: "nullif(x, y)", doc: "NULL when x = y, else x (x when y is NULL)", example: "nullif(side, 'buy')",
                       propagatesNull: false,
                       bind: { a throws(QueryError) in
                           try a.arity(2...2)
                           let (x, y) = try Binder.unify(a[0], a[1], op: a.name, at: a.position)
                           a.args = [x, y]
                           return x.type
                       }, kernel: nullif),
        ScalarFunction(name: "greatest", signature: "greatest(x, …)", doc: "the largest non-NULL argument (NULL only when all are)",
                       example: "greatest(price, 500.0, pnl)", propagatesNull: false,
                       bind: { a throws(QueryError) in try a.nonEmpty(); return try a.unifyAll() },
                       kernel: { a, e, count throws(QueryError) in try extreme(true, a, e.type, count) }),
        ScalarFunction(name: "least", signature: "least(x, …)", doc: "the smallest non-NULL argument (NULL only when all are)",
                       example: "least(qty, 100, pnl)", propagatesNull: false,
                       bind: { a throws(QueryError) in try a.nonEmpty(); return try a.unifyAll() },
                       kernel: { a, e, count throws(QueryError) in try extreme(false, a, e.type, count) }),
        // `a IS NOT DISTINCT FROM b` (the parser writes this call): equality where NULL equals
        // NULL; never NULL itself. Internal, so undocumented.
        ScalarFunction(name: "__not_distinct", signature: "__not_distinct(x, y)", doc: "", example: nil, propagatesNull: false,
                       bind: { a throws(QueryError) in
                           try a.arity(2...2)
                           let (x, y) = try Binder.unify(a[0], a[1], op: a.name, at: a.position)
                           a.args = [x, y]
                           return .bool
                       }, kernel: { a, _, count throws(QueryError) in notDistinct(a[0], a[1], count) }),
    ]

    static func nullif(_ a: [Vector], _ e: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        let eq = Evaluator.compare(.eq, a[0], a[1], count)
        var v = a[0].materialized()
        var valid = v.validity ?? Bitmap(count: count, value: true)
        var any = v.validity != nil
        for i in 0..<count where !eq.isNull(i) && eq.datumBool(i) { valid[i] = false; any = true }
        v.validity = any ? valid : nil
        return v
    }
    /// greatest/least: the largest (smallest) non-NULL argument per row in `Datum.compare`'s order
    /// (NaN above every number); NULL arguments are skipped and only all-NULL gives NULL (DuckDB).
    static func extreme(_ greatest: Bool, _ a: [Vector], _ type: SQLType, _ count: Int) throws(QueryError) -> Vector {
        let m = a.filter { !Evaluator.isNullConstant($0) }.map { $0.materialized() }
        var out = VectorBuilder(type: type)
        for i in 0..<count {
            var best: Datum = .null
            for v in m where !v.isNull(i) {
                let d = v.datum(i)
                if best == .null { best = d; continue }
                let c = Datum.compare(d, best)
                if greatest ? c > 0 : c < 0 { best = d }
            }
            out.append(best)
        }
        return try out.build()
    }

    /// The first non-NULL argument per row.
    static func coalesce(_ a: [Vector], _ type: SQLType, _ count: Int) throws(QueryError) -> Vector {
        if let first = a.first(where: { !Evaluator.isNullConstant($0) }), !first.mayHaveNulls { return first }
        var pieces: [(rows: [Int32], values: Vector)] = []
        var remaining = (0..<Int32(count)).map { $0 }
        for v in a where !remaining.isEmpty && !Evaluator.isNullConstant(v) {
            let take = remaining.filter { !v.isNull(Int($0)) }
            if !take.isEmpty { pieces.append((take, v.materialized().gather(take))) }
            remaining = remaining.filter { v.isNull(Int($0)) }
        }
        if !remaining.isEmpty { pieces.append((remaining, .constant(.null, type: type, count: remaining.count))) }
        return try Evaluator.scatter(pieces, type, count)
    }

    /// `a IS NOT DISTINCT FROM b` per row: both NULL, or neither NULL and equal.
    static func notDistinct(_ a: Vector, _ b: Vector, _ count: Int) -> Vector {
        let eq = Evaluator.compare(.eq, a, b, count)
        let values = Bitmap(count: count) { i in
            let an = a.isNull(i), bn = b.isNull(i)
            return an || bn ? (an && bn) : eq.datumBool(i)
        }
        return Vector(type: .bool, storage: .bool(values), count: count)
    }
}
