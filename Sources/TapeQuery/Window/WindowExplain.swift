/// EXPLAIN's line for the Window stage.
enum WindowExplain {
    static func text(_ plan: QueryPlan, runs: RunSet) -> String {
        let specs = Set(plan.windows.map(\.specText)).count
        let calls = plan.windows.map(\.text).joined(separator: ", ")
        let input = plan.isAggregate ? "the groups" : "the rows after WHERE"
        if !plan.isAggregate, runs.runs.count <= 1 || plan.windows.first?.partition.isEmpty == false,
           let s = StreamingWindow(plan, runs: runs, tasks: []) {
            return "WINDOW \(calls) (streams each run in storage order of \(plan.slots[s.tsSlot].name) when it strictly increases, checked before reading; memory bounded by the frame, \(s.lookback) row\(s.lookback == 1 ? "" : "s") kept; else materialises \(input))"
        }
        return "WINDOW \(calls) (materialises \(input); \(specs) sort\(specs == 1 ? "" : "s") by PARTITION BY/ORDER BY, skipped when the input is already in that order)"
    }
}
