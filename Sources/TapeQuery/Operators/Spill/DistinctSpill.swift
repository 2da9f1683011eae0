import TapeFormat

/// DISTINCT beyond `--memory-limit`: once the set of distinct rows seen outgrows the limit, those
/// rows (already passed on) are written to hash partitions marked "emitted", the set is dropped,
/// and every later row goes to its partition unexamined. At the end each partition is read back
/// alone: its emitted rows seed a fresh set, and its other rows pass when new (first-seen order
/// within a partition). A partition whose own distinct rows outgrow the limit fails the query
/// naming the operator (partitions are not split again).
struct DistinctSpill {
    /// The stage's column types (visible then hidden); DISTINCT compares the first `visible`.
    let types: [SQLType]
    let visible: Int
    let owner: String
    let memoryLimit: Int
    private var partitions: SpillPartitions
    private let file: SpillFile

    init(types: [SQLType], visible: Int, owner: String, memoryLimit: Int) throws(QueryError) {
        self.types = types
        self.visible = visible
        self.owner = owner
        self.memoryLimit = memoryLimit
        file = try SpillFile(owner: owner)
        partitions = SpillPartitions(file: file, types: types + [.bool], memoryLimit: memoryLimit)
    }

    /// The rows already passed on (batches of the visible columns; hidden ones are NULL: never
    /// emitted again).
    mutating func addEmitted(_ rows: [Batch]) throws(QueryError) {
        for b in rows where b.count > 0 {
            let n = b.count
            let hidden = types.dropFirst(visible).map { Vector(type: $0, storage: .constant(.null), count: n) }
            let cols = Array(b.columns.prefix(visible)) + hidden + [Vector.constant(.bool(true), count: n)]
            try partitions.add(Batch(columns: cols, count: n), keys: Array(cols.prefix(visible)))
        }
    }

    /// A batch of rows not yet examined.
    mutating func add(_ b: Batch) throws(QueryError) {
        let cols = b.columns + [Vector.constant(.bool(false), count: b.count)]
        try partitions.add(Batch(columns: cols, count: b.count), keys: Array(b.columns.prefix(visible)))
    }

    /// Passes each partition's new distinct rows (the stage's columns) to `body`, which returns
    /// false to stop. Returns what was spilled.
    mutating func drain(_ body: (Batch) throws(QueryError) -> Bool) throws(QueryError) -> SpillReport {
        let streams = try partitions.finish()
        let report = SpillReport(bytes: file.size, pieces: streams.count, what: "hash partitions")
        let flag = types.count
        for stream in streams {
            var seen = Set<[Datum]>()
            var bytes = 0
            var stop = false
            try stream.forEach { b throws(QueryError) in
                let emitted = b.columns[flag]
                var keep: [Int32] = []
                for r in 0..<b.count {
                    let row = b.columns.prefix(visible).map { $0.datum(r) }
                    let isEmitted = emitted.datum(r) == .bool(true)
                    if seen.insert(row).inserted {
                        bytes += RowKey.approximateBytes(row)
                        if !isEmitted { keep.append(Int32(r)) }
                    }
                }
                if bytes > memoryLimit {
                    throw QueryError(.execution, "\(owner) needs more than \(QueryOptions.describe(bytes: memoryLimit)) (--memory-limit) for the distinct rows of one of its \(streams.count) spill partitions (\(seen.count) rows); raise --memory-limit or select fewer columns")
                }
                if !keep.isEmpty {
                    let out = Batch(columns: Array(b.columns.prefix(flag)), count: b.count).gather(keep)
                    if try !body(out) { stop = true; return false }
                }
                return true
            }
            if stop { break }
        }
        return report
    }
}
