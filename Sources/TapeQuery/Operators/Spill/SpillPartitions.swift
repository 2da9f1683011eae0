/// Rows hash-partitioned by key columns into `SpillStream`s (grace hash join, window partitions,
/// DISTINCT, aggregation beyond `--memory-limit`). Rows with equal keys — by SQL grouping
/// equality: NaN equals NaN, -0.0 equals 0.0, NULL equals NULL — land in the same partition, in
/// arrival order. Each partition buffers up to `flushBytes` in memory before writing a block.
struct SpillPartitions {
    static let defaultCount = 64
    let types: [SQLType]
    let seed: Int
    private(set) var streams: [SpillStream]
    private var pending: [[Batch]]
    private var pendingBytes: [Int]
    private let flushBytes: Int

    /// `memoryLimit` bounds the bytes buffered across all partitions; `seed` varies the hash so
    /// a partition can be split again.
    init(file: SpillFile, types: [SQLType], count: Int = SpillPartitions.defaultCount, memoryLimit: Int, seed: Int = 0) {
        self.types = types
        self.seed = seed
        streams = Array(repeating: SpillStream(file: file, types: types), count: count)
        pending = Array(repeating: [], count: count)
        pendingBytes = Array(repeating: 0, count: count)
        flushBytes = max(16 << 10, min(1 << 20, memoryLimit / (2 * count)))
    }

    var count: Int { streams.count }

    /// The partition of each row of `keys` (vectors of one batch).
    func partitionOf(_ keys: [Vector], rows: Int) -> [Int] {
        let n = streams.count
        return (0..<rows).map { r in
            var h = Hasher()
            h.combine(seed)
            for k in keys { k.datum(r).hash(into: &h) }
            return Int(UInt(bitPattern: h.finalize()) % UInt(n))
        }
    }

    /// Adds the rows of `b`, partitioned by `keys` (evaluated over `b`).
    mutating func add(_ b: Batch, keys: [Vector]) throws(QueryError) {
        guard b.count > 0 else { return }
        let part = partitionOf(keys, rows: b.count)
        var rows = Array(repeating: [Int32](), count: streams.count)
        for (r, p) in part.enumerated() { rows[p].append(Int32(r)) }
        for (p, sel) in rows.enumerated() where !sel.isEmpty {
            let piece = sel.count == b.count ? b : b.gather(sel)
            pending[p].append(piece)
            pendingBytes[p] += piece.approximateBytes + 64
            if pendingBytes[p] >= flushBytes { try flush(p) }
        }
    }

    private mutating func flush(_ p: Int) throws(QueryError) {
        guard !pending[p].isEmpty else { return }
        try streams[p].write(try Batch.concatenate(pending[p], types: types, label: "a spill partition"))
        pending[p] = []
        pendingBytes[p] = 0
    }

    /// Writes what is still buffered; returns the partitions.
    mutating func finish() throws(QueryError) -> [SpillStream] {
        for p in streams.indices { try flush(p) }
        return streams
    }
}

extension SpillPartitions {
    /// Runs `input` and hash-partitions all its rows by `keys` (evaluated over each batch) into
    /// `file` (grace hash join, spilled aggregation, ASOF join, INTERSECT/EXCEPT). `keys` empty:
    /// by every column (whole-row equality). `seed` is the spill depth, so a partition that
    /// still does not fit is split differently when partitioned again.
    static func partition(_ input: any PhysicalOperator, keys: [BoundExpr], file: SpillFile, memoryLimit: Int, seed: Int) throws(QueryError) -> [SpillStream] {
        var parts = SpillPartitions(file: file, types: input.columns.map(\.type), memoryLimit: memoryLimit, seed: seed)
        try input.run { b throws(QueryError) in
            var kv: [Vector] = []
            for k in keys { kv.append(try Evaluator.evaluate(k, b)) }
            try parts.add(b, keys: keys.isEmpty ? b.columns : kv)
            return true
        }
        return try parts.finish()
    }
}
