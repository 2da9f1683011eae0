import TapeFormat

/// Binding of window function calls, named windows and QUALIFY.
///
/// A window call binds its arguments, PARTITION BY and ORDER BY in the same context as the select
/// list (over input rows, or over groups after GROUP BY, so `sum(sum(pnl)) OVER ()` works), is
/// added to `plan.windows`, and is replaced by a reference to its result column. Result columns
/// follow the window stage's input columns; their index is known only once binding is over, so
/// calls are first referenced by a placeholder slot (-1 - k) that `placeWindowResults` rewrites.
extension Binder {
    mutating func bindWindow(_ call: WindowCall, _ e: Expr, post: Bool) throws(QueryError) -> BoundExpr {
        for a in call.args {
            if let inner = Binder.findWindow(a) { throw QueryError(.binding, "window functions cannot be nested", at: inner) }
        }
        guard var f = WindowFunction.named(call.name, distinct: call.distinct) else {
            let known = FunctionRegistry.windows.map(\.name)
            throw QueryError(.binding, "\(call.name)() is not a window function (window functions: \(known.joined(separator: ", ")) and the aggregates)", at: e.position)
        }
        var distinct = false
        if call.distinct {
            switch f {
            case .aggregate(.countDistinct): f = .aggregate(.count); distinct = true
            case .aggregate(.sum), .aggregate(.avg): distinct = true
            case .aggregate(.min), .aggregate(.max): break   // DISTINCT changes nothing
            default: throw QueryError(.binding, "DISTINCT over a window is supported in count, sum, avg, min and max only", at: e.position)
            }
        }
        if call.ignoreNulls, ![.lag, .lead, .firstValue, .lastValue, .nthValue].contains(f) {
            throw QueryError(.binding, "IGNORE NULLS applies to lag, lead, first_value, last_value and nth_value only", at: e.position)
        }
        let spec = try resolveWindow(call.over)
        let isStar = call.args.count == 1 && { if case .star = call.args[0].kind { return true } else { return false } }()
        var written = isStar ? [] : call.args
        if let filter = call.filter {
            // agg(x) FILTER (WHERE c) OVER w = agg(CASE WHEN c THEN x END) OVER w: the aggregates
            // skip NULLs, so filtered-out rows count nowhere.
            guard case .aggregate = f else {
                throw QueryError(.binding, "FILTER (WHERE …) applies only to aggregate functions", at: filter.position)
            }
            if let inner = Binder.findWindow(filter) { throw QueryError(.binding, "window functions cannot be nested", at: inner) }
            if isStar { written = [Expr(.literal(.int(1)), at: filter.position)] }
            written = written.map { Expr(.caseWhen(operand: nil, whens: [(filter, $0)], otherwise: nil), at: $0.position) }
        }
        var args: [BoundExpr] = []
        for a in written { args.append(try bind(a, post: post)) }
        var partition: [BoundExpr] = []
        for p in spec.partitionBy {
            if let inner = Binder.findWindow(p) { throw QueryError(.binding, "window functions cannot be nested", at: inner) }
            partition.append(try bind(p, post: post))
        }
        var order: [BoundWindow.OrderKey] = []
        for o in spec.orderBy {
            if let inner = Binder.findWindow(o.expr) { throw QueryError(.binding, "window functions cannot be nested", at: inner) }
            order.append(BoundWindow.OrderKey(expr: try bind(o.expr, post: post), descending: o.descending, nullsFirst: o.nullsFirst ?? false))
        }
        var function = f
        if case .aggregate(.count) = f, isStar, call.filter == nil { function = .aggregate(.countStar) }
        let (type, checkedArgs, fraction) = try Binder.windowType(function, call.name, args, e.position)
        let frame = try bindFrame(spec.frame, order: order)
        let quantileText = checkedArgs.count < args.count && [.aggregate(.quantileCont), .aggregate(.quantileDisc)].contains(function) ? ", \(fraction)" : ""
        let argText = (distinct ? "DISTINCT " : "") + (function == .aggregate(.countStar) ? "*" : checkedArgs.map(\.text).joined(separator: ", ")) + quantileText
            + (call.ignoreNulls ? " IGNORE NULLS" : "")
        var over = BoundWindow(function: function, args: checkedArgs, partition: partition, order: order, frame: frame, type: type, text: "", position: e.position).specText
        if function.usesFrame { over += (over.isEmpty ? "" : " ") + frame.description }
        let text = "\(call.name)(\(argText)) OVER (\(over))"
        let w = BoundWindow(function: function, args: checkedArgs, partition: partition, order: order, frame: frame, type: type, text: text, position: e.position,
                            ignoreNulls: call.ignoreNulls, distinct: distinct, fraction: fraction)
        let k: Int
        if let i = plan.windows.firstIndex(where: { $0.text == text }) { k = i } else {
            plan.windows.append(w)
            k = plan.windows.count - 1
        }
        return BoundExpr(.column(slot: -1 - k, name: text), type, at: e.position)
    }

    /// `OVER w` / `OVER (w …)`: the named window, extended by what the call adds.
    private func resolveWindow(_ spec: WindowSpec) throws(QueryError) -> WindowSpec {
        guard let name = spec.base else { return spec }
        guard let named = statement.windows.first(where: { $0.name == name }) ?? statement.windows.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            let known = statement.windows.map(\.name)
            throw QueryError(.binding, "no window '\(name)'\(known.isEmpty ? " (define it with WINDOW \(name) AS (…))" : " (windows: \(known.joined(separator: ", ")))")", at: spec.position)
        }
        var base = try resolveWindow(named.spec)
        if !spec.partitionBy.isEmpty {
            throw QueryError(.binding, "cannot override PARTITION BY of window '\(name)'", at: spec.partitionBy[0].position)
        }
        if !spec.orderBy.isEmpty {
            guard base.orderBy.isEmpty else {
                throw QueryError(.binding, "cannot override ORDER BY of window '\(name)'", at: spec.orderBy[0].expr.position)
            }
            base.orderBy = spec.orderBy
        }
        if spec.frame != nil { base.frame = spec.frame }
        base.position = spec.position
        return base
    }

    /// Checks a frame's offsets: constants, non-negative, or expressions evaluated per row
    /// (checked per row when the window runs); RANGE offsets need one numeric or TIMESTAMP
    /// ORDER BY key (an INTERVAL offset for a TIMESTAMP key).
    private mutating func bindFrame(_ frame: WindowFrame?, order: [BoundWindow.OrderKey]) throws(QueryError) -> BoundFrame {
        guard let frame else { return BoundFrame.defaultFrame(ordered: !order.isEmpty) }
        /// A constant offset, or `.null` and the per-row expression.
        func offset(_ x: Expr) throws(QueryError) -> (Datum, BoundExpr?) {
            if let inner = Binder.findWindow(x) { throw QueryError(.binding, "window functions cannot be nested", at: inner) }
            let b = try bind(x, post: false)
            guard let d = b.constantValue else {
                let keyType = order.first?.expr.type
                switch (frame.unit, b.type) {
                case (.rows, .int), (.groups, .int): return (.null, b)
                case (.range, .int) where order.count == 1 && (keyType == .int || keyType == .double),
                     (.range, .double) where order.count == 1 && (keyType == .int || keyType == .double),
                     (.range, .interval) where order.count == 1 && keyType == .timestamp:
                    return (.null, b)
                case (.range, _) where order.count != 1:
                    throw QueryError(.binding, "RANGE with an offset needs exactly one ORDER BY expression", at: x.position)
                default:
                    throw QueryError(.binding, "\(frame.unit.rawValue) frame offset \(b.text) has type \(b.type); \(frame.unit == .range ? "a numeric ORDER BY key takes a number, a TIMESTAMP key an INTERVAL" : "it must be a BIGINT")", at: x.position)
                }
            }
            guard d != .null else {
                throw QueryError(.binding, "a frame offset cannot be NULL", at: x.position)
            }
            switch frame.unit {
            case .rows, .groups:
                guard case .int(let v) = d, v >= 0 else {
                    throw QueryError(.binding, "\(frame.unit.rawValue) frame offsets must be non-negative integers, got \(d.sqlLiteral)", at: x.position)
                }
                return (d, nil)
            case .range:
                guard order.count == 1 else {
                    throw QueryError(.binding, "RANGE with an offset needs exactly one ORDER BY expression", at: x.position)
                }
                let keyType = order[0].expr.type
                switch (keyType, d) {
                case (.int, .int(let v)) where v >= 0, (.double, .int(let v)) where v >= 0: return (d, nil)
                case (.int, .double(let v)) where v >= 0, (.double, .double(let v)) where v >= 0: return (d, nil)
                case (.timestamp, .interval(let i)) where i.months >= 0 && i.days >= 0 && i.nanos >= 0: return (d, nil)
                case (.timestamp, .string(let s)):
                    if let i = Interval(parsing: s), i.months >= 0 && i.days >= 0 && i.nanos >= 0 { return (.interval(i), nil) }
                default: break
                }
                throw QueryError(.binding, "RANGE offset \(d.sqlLiteral) does not fit ORDER BY key of type \(keyType) (numbers take a non-negative number, TIMESTAMP a non-negative INTERVAL)", at: x.position)
            }
        }
        func bound(_ b: WindowFrame.Bound) throws(QueryError) -> (BoundFrame.Bound, BoundExpr?) {
            switch b {
            case .unboundedPreceding: return (.unboundedPreceding, nil)
            case .unboundedFollowing: return (.unboundedFollowing, nil)
            case .currentRow: return (.currentRow, nil)
            case .preceding(let x): let (d, e) = try offset(x); return (.preceding(d), e)
            case .following(let x): let (d, e) = try offset(x); return (.following(d), e)
            }
        }
        if case .unboundedFollowing = frame.start {
            throw QueryError(.binding, "a frame cannot start at UNBOUNDED FOLLOWING", at: frame.position)
        }
        if case .unboundedPreceding = frame.end {
            throw QueryError(.binding, "a frame cannot end at UNBOUNDED PRECEDING", at: frame.position)
        }
        // DuckDB's rules: a frame cannot end before where it starts by construction.
        switch (frame.start, frame.end) {
        case (.following, .preceding), (.following, .currentRow):
            throw QueryError(.binding, "a frame starting at a following row cannot end at the current or a preceding row", at: frame.position)
        case (.currentRow, .preceding):
            throw QueryError(.binding, "a frame starting at the current row cannot end at a preceding row", at: frame.position)
        default: break
        }
        let (start, startOffset) = try bound(frame.start), (end, endOffset) = try bound(frame.end)
        return BoundFrame(unit: frame.unit, start: start, end: end, exclude: frame.exclude, startOffset: startOffset, endOffset: endOffset)
    }

    /// The result type of a window function, with its arguments checked (and cast where needed)
    /// by the registry entry's window rule.
    static func windowType(_ f: WindowFunction, _ name: String, _ args: [BoundExpr], _ at: Int) throws(QueryError) -> (SQLType, [BoundExpr], Double) {
        let rule: ScalarFunction.Rule?
        switch f {
        case .aggregate(.countStar): return (.int, [], 0.5)
        case .aggregate: rule = FunctionRegistry.aggregate(named: name)?.window
        default: rule = FunctionRegistry.windows.first { $0.function == f }?.bind
        }
        guard let rule else { throw QueryError(.binding, "\(name)() is not supported as a window function", at: at) }
        var a = FunctionArguments(name: name, position: at, args: args)
        let type = try rule(&a)
        return (type, a.args, a.fraction)
    }

    /// Binds QUALIFY: a condition over the select list's context that may use window functions
    /// and the select list's aliases.
    mutating func bindQualify(_ q: Expr, post: Bool) throws(QueryError) {
        let b = try bind(Binder.replacingAliases(q, selectItems) , post: post)
        guard b.type == .bool || b.type == .null else {
            throw QueryError(.binding, "QUALIFY needs a boolean condition, got \(b.type)", at: q.position)
        }
        plan.qualify = b
    }

    /// `q` with bare names that are select-list aliases (and not input columns) replaced by the
    /// aliased expression.
    static func replacingAliases(_ q: Expr, _ items: [SelectItem]) -> Expr {
        q.mapped { e in
            guard case .column(let name, let quoted) = e.kind,
                  let item = items.first(where: { $0.alias.map { quoted ? $0 == name : $0.lowercased() == name.lowercased() } ?? false }),
                  !Binder.refersTo(item.expr, name) else { return nil }
            return item.expr
        }
    }

    /// Rewrites the placeholder window slots once the stage's input columns are known: window k's
    /// result is column `base + k`.
    mutating func placeWindowResults() {
        guard !plan.windows.isEmpty else { return }
        let base = plan.isAggregate ? (plan.keys?.count ?? 0) + plan.aggregates.count : plan.slots.count
        plan.windowBase = base
        let map: (Int) -> Int = { $0 < 0 ? base + (-1 - $0) : $0 }
        plan.outputs = plan.outputs.map { $0.remappingSlots(map) }
        plan.hidden = plan.hidden.map { $0.remappingSlots(map) }
        plan.qualify = plan.qualify?.remappingSlots(map)
    }

    /// Position of the first window function call in `e`, if any.
    static func findWindow(_ e: Expr) -> Int? {
        e.firstPosition { if case .window = $0.kind { return true } else { return false } }
    }
}
