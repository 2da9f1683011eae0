/// The functions usable with OVER: ranking and navigation functions, and every aggregate that has
/// a frame form (the aggregates with a window rule in the registry).
enum WindowFunction: Sendable, Equatable {
    case rowNumber, rank, denseRank, percentRank, cumeDist, ntile
    case lag, lead, firstValue, lastValue, nthValue
    case aggregate(AggregateFunction)

    /// The window function `n(…) OVER …` names (`FunctionRegistry.windowFunction`).
    static func named(_ n: String, distinct: Bool) -> WindowFunction? {
        FunctionRegistry.windowFunction(named: n, distinct: distinct)
    }

    /// Whether the frame matters (ranking functions and lag/lead see the whole partition).
    var usesFrame: Bool {
        switch self {
        case .firstValue, .lastValue, .nthValue, .aggregate: return true
        default: return false
        }
    }
}

/// One window function call after binding. Calls with the same `specText` (PARTITION BY and
/// ORDER BY) share one sort.
struct BoundWindow {
    struct OrderKey {
        let expr: BoundExpr
        let descending: Bool
        let nullsFirst: Bool
    }

    let function: WindowFunction
    let args: [BoundExpr]
    let partition: [BoundExpr]
    let order: [OrderKey]
    let frame: BoundFrame
    let type: SQLType
    /// The call's canonical spelling (EXPLAIN, and the output column name's source).
    let text: String
    let position: Int
    /// `IGNORE NULLS` (navigation functions) and `agg(DISTINCT x)` (count, sum, avg).
    var ignoreNulls = false
    var distinct = false
    /// The fraction of quantile_cont / quantile_disc (median: 0.5).
    var fraction = 0.5

    /// Every expression the call reads: arguments, PARTITION BY, ORDER BY, per-row frame offsets.
    var inputs: [BoundExpr] { args + partition + order.map(\.expr) + [frame.startOffset, frame.endOffset].compactMap { $0 } }

    /// PARTITION BY and ORDER BY, canonically spelled.
    var specText: String {
        var parts: [String] = []
        if !partition.isEmpty { parts.append("PARTITION BY " + partition.map(\.text).joined(separator: ", ")) }
        if !order.isEmpty {
            parts.append("ORDER BY " + order.map { "\($0.expr.text)\($0.descending ? " DESC" : "")\($0.nullsFirst ? " NULLS FIRST" : "")" }.joined(separator: ", "))
        }
        return parts.joined(separator: " ")
    }
}

extension BoundWindow {
    /// This call with another function and frame (the first pass of `SortedWindowSpill` derives
    /// running forms of whole-partition calls this way).
    func with(function: WindowFunction, frame: BoundFrame) -> BoundWindow {
        var w = BoundWindow(function: function, args: args, partition: partition, order: order, frame: frame,
                            type: function == .rowNumber ? .int : type, text: text, position: position)
        w.ignoreNulls = ignoreNulls
        w.distinct = distinct
        w.fraction = fraction
        return w
    }
}
