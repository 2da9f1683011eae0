/// SELECT DISTINCT (and UNION without ALL): passes each distinct row once, in first-seen order.
/// NaN equals NaN and -0.0 equals 0.0, as in GROUP BY. Streaming, but remembers every distinct
/// row: fails when that set outgrows `memoryLimit`.
final class DistinctOperator: PhysicalOperator {
    let input: any PhysicalOperator
    let memoryLimit: Int
    /// What the last run spilled (nil: nothing).
    private(set) var lastSpill: SpillReport?
    var columns: [OutputColumn] { input.columns }
    var children: [any PhysicalOperator] { [input] }

    init(_ input: any PhysicalOperator, memoryLimit: Int) {
        self.input = input
        self.memoryLimit = memoryLimit
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        let spec = ResultStage.Spec(types: input.columns.map(\.type), visible: input.columns.count, distinct: true, what: "DISTINCT")
        lastSpill = try ResultStage.drive(input, spec, memoryLimit: memoryLimit, emit)
    }

    func explain(analyzed: Bool) -> [String] { ["DISTINCT" + SpillReport.suffix(lastSpill, analyzed: analyzed)] }
}
