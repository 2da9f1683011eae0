/// EXPLAIN's line for the Window stage.
enum WindowExplain {
    static func text(_ plan: QueryPlan) -> String {
        let specs = Set(plan.windows.map(\.specText)).count
        let calls = plan.windows.map(\.text).joined(separator: ", ")
        let input = plan.isAggregate ? "the groups" : "the rows after WHERE"
        return "WINDOW \(calls) (materialises \(input); \(specs) sort\(specs == 1 ? "" : "s") by PARTITION BY/ORDER BY, skipped when the input is already in that order)"
    }
}
