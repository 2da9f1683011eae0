/// ORDER BY without LIMIT: buffers the whole input (within `memoryLimit`, else fails naming the
/// limit), sorts it stably by `keys` (column indices of the input) and emits it. Output columns
/// are the input's first `visible` columns (the rest are ORDER BY keys not selected).
final class SortOperator: PhysicalOperator {
    let input: any PhysicalOperator
    let keys: [SortKey]
    let visible: Int
    let memoryLimit: Int
    /// What the last run spilled (nil: nothing).
    private(set) var lastSpill: SpillReport?
    var columns: [OutputColumn] { Array(input.columns.prefix(visible)) }
    var children: [any PhysicalOperator] { [input] }

    init(_ input: any PhysicalOperator, keys: [SortKey], visible: Int? = nil, memoryLimit: Int) {
        self.input = input
        self.keys = keys
        self.visible = visible ?? input.columns.count
        self.memoryLimit = memoryLimit
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        let spec = ResultStage.Spec(types: input.columns.map(\.type), visible: visible, order: keys, what: "SORT")
        lastSpill = try ResultStage.drive(input, spec, memoryLimit: memoryLimit, emit)
    }

    func explain(analyzed: Bool) -> [String] { ["SORT by \(SortKey.describe(keys, input.columns))" + SpillReport.suffix(lastSpill, analyzed: analyzed)] }
}
