import Tape

/// Renders the operator tree (and optionally what running it read) as indented text, parents
/// above their inputs; a Tape scan lists the stages fused into it, innermost (the scan) last.
enum Explain {
    /// The tree under `root`, then, with `analyzed`, each Tape scan's counts.
    static func tree(_ root: any PhysicalOperator, analyzed: Bool) -> String {
        var lines: [String] = []
        var scans: [TapeScanOperator] = []
        func walk(_ op: any PhysicalOperator, _ depth: Int) {
            let pad = String(repeating: "  ", count: depth)
            let own = op.explain(analyzed: analyzed)
            for l in own { lines.append(pad + l) }
            if let s = op as? TapeScanOperator { scans.append(s) }
            // A scan's fused stages are indented one level per stage; its children start below.
            for c in op.children { walk(c, depth + max(1, own.count)) }
        }
        walk(root, 0)
        var out = lines.joined(separator: "\n")
        if analyzed, !scans.isEmpty { out += "\n\n" + scans.map(\.stats.description).joined(separator: "\n") }
        return out
    }

    /// `ts >= TIMESTAMP '2024-01-05T00:00:00Z'` rather than the storage-level spelling.
    static func predicateText(_ p: ColumnPredicate) -> String {
        "\(p.column) \(p.op.rawValue) \(p.value.sqlLiteral)"
    }

    /// The stages a Tape scan runs fused, outermost first, each indented one more level.
    static func scanLines(_ plan: QueryPlan, runs: RunSet) -> [String] {
        var lines: [String] = []
        func add(_ s: String) { lines.append(String(repeating: "  ", count: lines.count) + s) }
        if let l = plan.limit { add("LIMIT \(l)\(plan.offset > 0 ? " OFFSET \(plan.offset)" : "")") } else if plan.offset > 0 {
            add("OFFSET \(plan.offset)")
        }
        if !plan.order.isEmpty {
            let all = plan.outputs + plan.hidden
            let keys = plan.order.map { "\(all[$0.column].text)\($0.descending ? " DESC" : "")\($0.nullsFirst ? " NULLS FIRST" : "")" }
            add("\(plan.limit != nil ? "TOP-N (bounded buffer)" : "SORT (in memory)") by \(keys.joined(separator: ", "))")
        }
        if plan.distinct { add("DISTINCT") }
        // Under a join, columns nobody reads are NULL constants: listed as a count, not one by one.
        let unused = plan.table != nil && plan.outputs.count > 1 ? plan.outputs.filter { $0.constantValue == .null }.count : 0
        let shown = zip(plan.outputNames, plan.outputs).filter { unused == 0 || $0.1.constantValue != .null }
        add("PROJECT \(shown.map { $0.0 == $0.1.text ? $0.0 : "\($0.1.text) AS \($0.0)" }.joined(separator: ", "))\(unused > 0 ? " (+\(unused) unused columns as NULL)" : "")")
        if let q = plan.qualify { add("QUALIFY \(q.text)") }
        if !plan.windows.isEmpty { add(WindowExplain.text(plan, runs: runs)) }
        if let h = plan.having { add("HAVING \(h.text)") }
        if let keys = plan.keys {
            let k = keys.isEmpty ? "" : " GROUP BY \(keys.map(\.text).joined(separator: ", "))"
            add("AGGREGATE \(plan.aggregates.map(\.text).joined(separator: ", "))\(k) (hash, per-thread partials merged)")
        }
        if let f = plan.filter { add("FILTER \(f.text)") }
        if let t = plan.table {
            let cols = plan.neededSlots.map { plan.slots[$0].name }
            var scan = "SCAN \(t) in \(runs.runs.count) run\(runs.runs.count == 1 ? "" : "s"), columns [\(cols.joined(separator: ", "))]"
            if !plan.zonePredicates.isEmpty { scan += ", zone maps: \(plan.zonePredicates.map(predicateText).joined(separator: " AND "))" }
            if let rf = plan.runFilter { scan += ", run filter: \(rf.text)" }
            add(scan)
        } else {
            add("ONE ROW (no FROM)")
        }
        return lines
    }
}
