import Tape
import TapeFormat

/// A SQL condition applied to rows outside a query — e.g. `tape summary --where "sharpe > 1 AND
/// strategy = 'sma'"` — with the same syntax, types, NULL rules and caret-positioned errors as
/// `tape sql`'s WHERE.
///
/// ```swift
/// let f = try RowFilter("sharpe > 1 AND trades >= 10", columns: [("sharpe", .double), ("trades", .int)])
/// let keep = try f.matches([.double(1.4), .int(12)])   // true
/// ```
public struct RowFilter: Sendable {
    public let text: String
    public let columns: [(name: String, type: SQLType)]
    let condition: BoundExpr
    /// For each slot the condition reads, the index into `columns`.
    let slotColumns: [Int]
    /// The `column OP constant` conjuncts of the condition (also BETWEEN and IN), as zone-map
    /// predicates: a row the condition keeps satisfies every one of them, so a scan may skip the
    /// chunks and pages they rule out (`tape cat --where`). Rows must still be filtered by the
    /// whole condition.
    public let zonePredicates: [ColumnPredicate]

    /// Parses and type-checks `text` against `columns` (names case-insensitive unless quoted).
    public init(_ text: String, columns: [(name: String, type: SQLType)]) throws(QueryError) {
        self.text = text
        self.columns = columns
        let e = try Parser.parseExpression(text)
        let (bound, slots) = try Binder.bindCondition(e, columns: columns.map { RunSet.UnionColumn(name: $0.name, type: $0.type) })
        condition = bound
        zonePredicates = Binder.conditionZonePredicates(bound, slots: slots)
        slotColumns = slots.map { slot in columns.firstIndex { $0.name == slot.name } ?? 0 }
    }

    /// Whether the condition is TRUE for each row (NULL and FALSE both reject). Each row holds one
    /// value per column of `columns`; values are converted to the column's type when they differ
    /// only as integer vs double.
    public func matches(_ rows: [[Datum]]) throws(QueryError) -> [Bool] {
        guard !rows.isEmpty else { return [] }
        var vectors: [Vector] = []
        for c in slotColumns {
            var b = VectorBuilder(type: columns[c].type)
            for r in rows { b.append(c < r.count ? (r[c].coerced(to: columns[c].type) ?? .null) : .null) }
            vectors.append(try b.build())
        }
        let v = try Evaluator.evaluate(condition, Batch(columns: vectors, count: rows.count))
        return (0..<rows.count).map { !v.isNull($0) && v.datumBool($0) }
    }

    /// Whether the condition is TRUE for one row.
    public func matches(_ row: [Datum]) throws(QueryError) -> Bool { try matches([row])[0] }
}
