/// ORDER BY … LIMIT n [OFFSET m]: keeps only the best n + m rows in a bounded buffer (cut back
/// whenever it doubles; rows sorting after the current boundary are dropped on arrival), then
/// emits rows m+1 … m+n in order. Output columns are the input's first `visible` columns.
final class TopNOperator: PhysicalOperator {
    let input: any PhysicalOperator
    let keys: [SortKey]
    let limit: Int
    let offset: Int
    let visible: Int
    let memoryLimit: Int
    var columns: [OutputColumn] { Array(input.columns.prefix(visible)) }
    var children: [any PhysicalOperator] { [input] }

    init(_ input: any PhysicalOperator, keys: [SortKey], limit: Int, offset: Int, visible: Int? = nil, memoryLimit: Int) {
        self.input = input
        self.keys = keys
        self.limit = limit
        self.offset = offset
        self.visible = visible ?? input.columns.count
        self.memoryLimit = memoryLimit
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        let spec = ResultStage.Spec(types: input.columns.map(\.type), visible: visible, order: keys, limit: limit, offset: offset,
                                    what: "TOP-N (LIMIT \(limit))")
        try ResultStage.drive(input, spec, memoryLimit: memoryLimit, emit)
    }

    func explain(analyzed: Bool) -> [String] {
        ["TOP-N \(limit)\(offset > 0 ? " OFFSET \(offset)" : "") by \(SortKey.describe(keys, input.columns)) (bounded buffer)"]
    }
}
