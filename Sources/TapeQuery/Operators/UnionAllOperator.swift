/// UNION ALL: every row of each input, inputs in order (the first input's batches, then the
/// second's). Inputs have the same column count and types (the planner casts them to the common
/// types first); output names are the first input's. Streaming. UNION (distinct) is a
/// `DistinctOperator` above this.
final class UnionAllOperator: PhysicalOperator {
    let inputs: [any PhysicalOperator]
    let columns: [OutputColumn]
    var children: [any PhysicalOperator] { inputs }

    init(_ inputs: [any PhysicalOperator]) {
        self.inputs = inputs
        columns = inputs.first?.columns.map { OutputColumn(name: $0.name, type: $0.type) } ?? []
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        var stopped = false
        for input in inputs where !stopped {
            try input.run { b throws(QueryError) in
                if try !emit(b) { stopped = true }
                return !stopped
            }
        }
    }

    func explain(analyzed: Bool) -> [String] { ["UNION ALL"] }
}
