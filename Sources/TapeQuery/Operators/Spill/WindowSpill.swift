/// A Window operator's input beyond `--memory-limit`, hash-partitioned to disk by the PARTITION BY
/// expressions every window function shares: rows of one window partition stay together, so each
/// spill partition is evaluated alone (its window results are those over the whole input). The
/// result comes out partition by partition instead of in input order (SQL gives no order without
/// ORDER BY). Windows with no common PARTITION BY (e.g. `OVER (ORDER BY x)`) cannot be split this
/// way: the query fails naming the Window operator and the limit. A spill partition that alone
/// outgrows the limit (one window partition too big) fails the same way.
struct WindowSpill {
    /// The PARTITION BY expressions (by canonical text) common to every window, in the first
    /// window's order; empty when there are none.
    static func commonPartition(_ windows: [BoundWindow]) -> [BoundExpr] {
        guard let first = windows.first else { return [] }
        return first.partition.filter { e in windows.allSatisfy { w in w.partition.contains { $0.text == e.text } } }
    }

    static func tooBig(_ limit: Int, rows: Int) -> QueryError {
        QueryError(.execution, "Window operator needs more than the memory limit of \(QueryOptions.describe(bytes: limit)) (--memory-limit) to hold its input (\(rows) rows so far) and cannot spill it: the window functions share no PARTITION BY; filter rows with WHERE, select fewer columns, add a PARTITION BY, or raise --memory-limit")
    }

    let keys: [BoundExpr]
    let memoryLimit: Int
    private let file: SpillFile
    private var partitions: SpillPartitions

    init(keys: [BoundExpr], types: [SQLType], memoryLimit: Int) throws(QueryError) {
        self.keys = keys
        self.memoryLimit = memoryLimit
        file = try SpillFile(owner: "Window operator")
        partitions = SpillPartitions(file: file, types: types, memoryLimit: memoryLimit)
    }

    /// Adds `rows`, partitioned by `keys` evaluated over `keyInput` (the same rows, possibly with
    /// more columns).
    mutating func add(_ rows: Batch, keyInput: Batch) throws(QueryError) {
        var kv: [Vector] = []
        for k in keys { kv.append(try Evaluator.evaluate(k, keyInput)) }
        try partitions.add(rows, keys: kv)
    }

    /// Each non-empty spill partition's rows, one at a time, into `body` (false stops).
    mutating func drain(_ body: (Batch) throws(QueryError) -> Bool) throws(QueryError) -> SpillReport {
        let streams = try partitions.finish()
        let report = SpillReport(bytes: file.size, pieces: streams.count, what: "hash partitions")
        for s in streams where s.rows > 0 {
            let rows = try s.readAll()
            if rows.approximateBytes + rows.count * 24 > memoryLimit {
                throw QueryError(.execution, "Window operator needs more than the memory limit of \(QueryOptions.describe(bytes: memoryLimit)) (--memory-limit) for one window partition (PARTITION BY \(keys.map(\.text).joined(separator: ", "))) even after spilling its input (\(rows.count) rows in one of \(streams.count) spill partitions); raise --memory-limit or filter rows with WHERE")
            }
            if try !body(rows) { break }
        }
        return report
    }
}
