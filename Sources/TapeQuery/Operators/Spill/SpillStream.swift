/// A sequence of batches written to a `SpillFile` (a sorted run, or one hash partition), read
/// back in the order written, one block at a time.
struct SpillStream {
    let file: SpillFile
    let types: [SQLType]
    private(set) var blocks: [(offset: Int, length: Int)] = []
    private(set) var rows = 0

    init(file: SpillFile, types: [SQLType]) {
        self.file = file
        self.types = types
    }

    var bytes: Int { blocks.reduce(0) { $0 + $1.length } }

    mutating func write(_ b: Batch) throws(QueryError) {
        guard b.count > 0 else { return }
        let encoded = SpillCodec.encode(b)
        blocks.append((try file.append(encoded), encoded.count))
        rows += b.count
    }

    /// Block `i`, decoded.
    func read(_ i: Int) throws(QueryError) -> Batch {
        try SpillCodec.decode(try file.read(at: blocks[i].offset, count: blocks[i].length), types: types)
    }

    /// Every block, in the order written, into `body` (which returns false to stop).
    func forEach(_ body: (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        for i in blocks.indices where try !body(try read(i)) { return }
    }

    /// All rows as one batch.
    func readAll() throws(QueryError) -> Batch {
        var parts: [Batch] = []
        try forEach { b throws(QueryError) in parts.append(b); return true }
        return try Batch.concatenate(parts, types: types, label: "a spilled partition")
    }
}

/// What an operator spilled in its last run, for EXPLAIN ANALYZE.
struct SpillReport {
    var bytes = 0
    /// Sorted runs (sort) or hash partitions (join, window, DISTINCT, aggregation).
    var pieces = 0
    var what = "runs"

    var line: String { "spilled \(QueryOptions.describe(bytes: bytes)) to a temporary file (\(pieces) \(what))" }

    /// `; spilled …` for an operator's EXPLAIN ANALYZE line when its last run spilled, else "".
    static func suffix(_ r: SpillReport?, analyzed: Bool) -> String {
        guard analyzed, let r else { return "" }
        return "; " + r.line
    }
}

/// An operator that may spill, and says how much its last run did.
protocol SpillingOperator: PhysicalOperator {
    var lastSpill: SpillReport? { get }
}

extension SpillReport {
    /// Runs `part` (the operator over one spilled partition), forwarding its batches to `emit`,
    /// and adds what `part` spilled in turn. Returns false once `emit` asked to stop.
    mutating func run(partition part: some SpillingOperator, _ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) -> Bool {
        var stopped = false
        try part.run { b throws(QueryError) in
            let more = try emit(b)
            if !more { stopped = true }
            return more
        }
        if let inner = part.lastSpill { bytes += inner.bytes }
        return !stopped
    }
}
