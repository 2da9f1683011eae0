/// LIMIT n / OFFSET m over input in its arrival order: skips m rows, passes n, then tells the
/// input to stop (its `emit` returns false), so a scan below stops reading chunks. Streaming.
final class LimitOperator: PhysicalOperator {
    let input: any PhysicalOperator
    let limit: Int?
    let offset: Int
    let visible: Int
    var columns: [OutputColumn] { Array(input.columns.prefix(visible)) }
    var children: [any PhysicalOperator] { [input] }

    init(_ input: any PhysicalOperator, limit: Int?, offset: Int, visible: Int? = nil) {
        self.input = input
        self.limit = limit
        self.offset = offset
        self.visible = visible ?? input.columns.count
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        let spec = ResultStage.Spec(types: input.columns.map(\.type), visible: visible, limit: limit, offset: offset)
        try ResultStage.drive(input, spec, memoryLimit: Int.max, emit)
    }

    func explain(analyzed: Bool) -> [String] {
        [limit.map { "LIMIT \($0)\(offset > 0 ? " OFFSET \(offset)" : "")" } ?? "OFFSET \(offset)"]
    }
}
