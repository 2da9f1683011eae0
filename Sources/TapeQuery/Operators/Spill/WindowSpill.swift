/// A Window operator's input beyond `--memory-limit`, hash-partitioned to disk by the PARTITION BY
/// expressions every window function shares: rows of one window partition stay together, so each
/// spill partition is evaluated alone (its window results are those over the whole input). The
/// result comes out partition by partition instead of in input order (SQL gives no order without
/// ORDER BY). Windows with no common PARTITION BY (e.g. `OVER (ORDER BY x)`) cannot be split this
/// way: they spill through `SortedWindowSpill` instead, and so does a spill partition that alone
/// outgrows the limit (one window partition too big).
struct WindowSpill {
    /// The PARTITION BY expressions (by canonical text) common to every window, in the first
    /// window's order; empty when there are none.
    static func commonPartition(_ windows: [BoundWindow]) -> [BoundExpr] {
        guard let first = windows.first else { return [] }
        return first.partition.filter { e in windows.allSatisfy { w in w.partition.contains { $0.text == e.text } } }
    }

    let windows: [BoundWindow]
    let keys: [BoundExpr]
    let types: [SQLType]
    let memoryLimit: Int
    /// The batch window expressions read, from the stored columns.
    let expand: (Batch) -> Batch
    private let file: SpillFile
    private var partitions: SpillPartitions
    /// Rows added and their bytes in memory, to estimate a spill partition's size before reading it.
    private var added = (rows: 0, bytes: 0)

    init(windows: [BoundWindow], keys: [BoundExpr], types: [SQLType], memoryLimit: Int, expand: @escaping (Batch) -> Batch) throws(QueryError) {
        self.windows = windows
        self.keys = keys
        self.types = types
        self.memoryLimit = memoryLimit
        self.expand = expand
        file = try SpillFile(owner: "Window operator")
        partitions = SpillPartitions(file: file, types: types, memoryLimit: memoryLimit)
    }

    /// Adds `rows`, partitioned by `keys` evaluated over `keyInput` (the same rows, possibly with
    /// more columns).
    mutating func add(_ rows: Batch, keyInput: Batch) throws(QueryError) {
        var kv: [Vector] = []
        for k in keys { kv.append(try Evaluator.evaluate(k, keyInput)) }
        added.rows += rows.count
        added.bytes += rows.approximateBytes
        try partitions.add(rows, keys: kv)
    }

    /// Each non-empty spill partition's rows with the window results appended (the first `base`
    /// columns of their expanded batch, then one column per window) into `emit` (false stops).
    /// A spill partition too big for the limit goes through `SortedWindowSpill`; when some
    /// function cannot, the query fails naming the Window operator and the limit.
    mutating func drain(base: Int, _ emit: (Batch) throws(QueryError) -> Bool) throws(QueryError) -> SpillReport {
        let streams = try partitions.finish()
        var report = SpillReport(bytes: file.size, pieces: streams.count, what: "hash partitions")
        var sortedRuns = 0
        for s in streams where s.rows > 0 {
            if s.rows * (added.bytes / max(1, added.rows) + 24) > memoryLimit {
                if let (w, why) = SortedWindowSpill.refusal(windows) {
                    throw QueryError(.execution, "Window operator needs more than the memory limit of \(QueryOptions.describe(bytes: memoryLimit)) (--memory-limit) for one window partition (PARTITION BY \(keys.map(\.text).joined(separator: ", "))) even after spilling its input (\(s.rows) rows in one of \(streams.count) spill partitions), and \(w.text) streams over sorted spilled rows only without \(why); raise --memory-limit or filter rows with WHERE", at: w.position)
                }
                let sorted = try SortedWindowSpill(windows: windows, storedTypes: types, memoryLimit: memoryLimit, expand: expand)
                try s.forEach { b throws(QueryError) in try sorted.add(b); return true }
                var more = true
                let inner = try sorted.drain(base: base) { b throws(QueryError) in
                    more = try emit(b)
                    return more
                }
                report.bytes += inner.bytes
                sortedRuns += inner.pieces
                if !more { break }
                continue
            }
            let rows = try s.readAll()
            if try !WindowEvaluator.emitInPieces(try WindowEvaluator.appended(windows, to: expand(rows), base: base), emit) { break }
        }
        if sortedRuns > 0 { report.what = "hash partitions, then \(sortedRuns) sorted runs" }
        return report
    }
}
