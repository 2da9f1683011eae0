/// External merge sort, for ORDER BY (and the sort of a window) beyond `--memory-limit`: the
/// caller hands over its buffered rows whenever they outgrow the limit; each hand-over is sorted
/// and written as one run (in blocks of `blockRows`) to a `SpillFile`. `merge` then streams the
/// rows in order: a k-way merge of at most `fanIn` runs at a time (more runs are first merged in
/// groups of `fanIn` into longer runs, in order), so memory holds one block per run being merged.
/// Stable: rows with equal keys come out in arrival order (runs are merged earliest first).
final class ExternalSort {
    static let fanIn = 16
    let types: [SQLType]
    let keys: [SortKey]
    let owner: String
    let memoryLimit: Int
    private var file: SpillFile?
    private(set) var runs: [SpillStream] = []
    private var blockRows = 4096

    init(types: [SQLType], keys: [SortKey], owner: String, memoryLimit: Int) {
        self.types = types
        self.keys = keys
        self.owner = owner
        self.memoryLimit = memoryLimit
    }

    var report: SpillReport { SpillReport(bytes: file?.size ?? 0, pieces: runs.count, what: "sorted runs") }

    /// Sorts `b` and writes it as one more run, keeping only its first `keep` rows in order when
    /// given (ORDER BY … LIMIT).
    func addRun(_ b: Batch, keep: Int? = nil) throws(QueryError) {
        guard b.count > 0 else { return }
        var order = Sorter.permutation(b.columns, keys: keys, count: b.count)
        if let keep, order.count > keep { order.removeSubrange(keep...) }
        // Blocks small enough that `fanIn` of them (plus the output piece) fit the limit.
        let rowBytes = max(1, b.approximateBytes / b.count)
        blockRows = max(64, min(65_536, memoryLimit / (2 * (ExternalSort.fanIn + 1)) / rowBytes))
        let f: SpillFile
        if let file { f = file } else { f = try SpillFile(owner: owner) }
        file = f
        var run = SpillStream(file: f, types: types)
        var start = 0
        while start < order.count {
            let end = min(order.count, start + blockRows)
            try run.write(b.gather(Array(order[start..<end])))
            start = end
        }
        runs.append(run)
    }

    /// Every row of every run, in order, in batches of up to `blockRows`, into `emit` (which
    /// returns false to stop).
    func merge(_ emit: (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        guard let file else { return }
        while runs.count > ExternalSort.fanIn {
            var merged: [SpillStream] = []
            var start = 0
            while start < runs.count {
                let group = Array(runs[start..<min(runs.count, start + ExternalSort.fanIn)])
                start += group.count
                var out = SpillStream(file: file, types: types)
                try mergeGroup(group) { b throws(QueryError) in try out.write(b); return true }
                merged.append(out)
            }
            runs = merged
        }
        try mergeGroup(runs, emit)
    }

    /// One position in one run.
    private struct Cursor {
        let stream: SpillStream
        var block = 0
        var batch: Batch
        var keyColumns: [Vector]
        var row = 0
        /// Index of `batch` in the output piece's parts.
        var part = 0
    }

    private func mergeGroup(_ group: [SpillStream], _ emit: (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        let keys = self.keys
        func load(_ s: SpillStream, _ i: Int) throws(QueryError) -> (Batch, [Vector]) {
            let b = try s.read(i)
            return (b, keys.map { b.columns[$0.column].materialized() })
        }
        var cursors: [Cursor] = []
        var parts: [Batch] = []
        var partRows: [[Int32]] = []
        for s in group where !s.blocks.isEmpty {
            let (b, k) = try load(s, 0)
            cursors.append(Cursor(stream: s, batch: b, keyColumns: k, part: parts.count))
            parts.append(b)
            partRows.append([])
        }
        var picks: [(part: Int32, slot: Int32)] = []
        /// Emits the picked rows in pick order; the parts restart from the cursors' blocks.
        func flush() throws(QueryError) -> Bool {
            guard !picks.isEmpty else { return true }
            var offsets: [Int32] = []
            var gathered: [Batch] = []
            var total: Int32 = 0
            for (p, rows) in partRows.enumerated() {
                offsets.append(total)
                total += Int32(rows.count)
                if !rows.isEmpty { gathered.append(parts[p].gather(rows)) }
            }
            let all = try Batch.concatenate(gathered, types: types, label: "ORDER BY (merging spilled runs)")
            let out = all.gather(picks.map { offsets[Int($0.part)] + $0.slot })
            picks.removeAll(keepingCapacity: true)
            parts.removeAll()
            partRows.removeAll()
            for c in cursors.indices {
                cursors[c].part = parts.count
                parts.append(cursors[c].batch)
                partRows.append([])
            }
            return try emit(out)
        }
        while !cursors.isEmpty {
            var best = 0
            for c in 1..<cursors.count {
                var cmp = 0
                for (k, key) in keys.enumerated() {
                    cmp = Sorter.compare(cursors[c].keyColumns[k], cursors[c].row, cursors[best].keyColumns[k], cursors[best].row, by: key)
                    if cmp != 0 { break }
                }
                if cmp < 0 { best = c }   // ties keep the earlier run
            }
            let p = cursors[best].part
            picks.append((Int32(p), Int32(partRows[p].count)))
            partRows[p].append(Int32(cursors[best].row))
            cursors[best].row += 1
            if cursors[best].row == cursors[best].batch.count {
                let next = cursors[best].block + 1
                if next < cursors[best].stream.blocks.count {
                    let (b, k) = try load(cursors[best].stream, next)
                    cursors[best].block = next
                    cursors[best].batch = b
                    cursors[best].keyColumns = k
                    cursors[best].row = 0
                    cursors[best].part = parts.count
                    parts.append(b)
                    partRows.append([])
                } else {
                    cursors.remove(at: best)
                }
            }
            if picks.count >= blockRows, try !flush() { return }
        }
        _ = try flush()
    }
}
