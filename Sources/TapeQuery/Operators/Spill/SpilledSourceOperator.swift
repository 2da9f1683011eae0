/// A leaf that replays the batches of one spilled partition (the inputs of the per-partition
/// operators a grace hash join or a spilled window runs).
final class SpilledSourceOperator: PhysicalOperator {
    let stream: SpillStream
    let columns: [OutputColumn]
    var children: [any PhysicalOperator] { [] }

    init(_ stream: SpillStream, columns: [OutputColumn]) {
        self.stream = stream
        self.columns = columns
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        try stream.forEach { b throws(QueryError) in try emit(b) }
    }

    func explain(analyzed: Bool) -> [String] { ["SPILLED PARTITION (\(stream.rows) rows)"] }
}
