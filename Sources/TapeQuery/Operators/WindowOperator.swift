/// Window functions over its input (the rows after WHERE, or the groups after HAVING): buffers the
/// whole input (beyond `memoryLimit` it spills, hash-partitioned by the windows' common PARTITION
/// BY — see `WindowSpill` — or else sorted by each window specification — `SortedWindowSpill`;
/// a function that cannot stream over sorted rows fails naming the Window operator and the limit), sorts
/// once per distinct PARTITION BY/ORDER BY (skipped when the input already arrives in that order),
/// evaluates every window function, and emits the input's columns followed by one column per
/// window function, in input order. QUALIFY is a Filter above it.
final class WindowOperator: PhysicalOperator {
    let input: any PhysicalOperator
    let windows: [BoundWindow]
    let memoryLimit: Int
    let columns: [OutputColumn]
    /// What the last run spilled (nil: nothing).
    private(set) var lastSpill: SpillReport?
    var children: [any PhysicalOperator] { [input] }

    init(_ input: any PhysicalOperator, windows: [BoundWindow], memoryLimit: Int) {
        self.input = input
        self.windows = windows
        self.memoryLimit = memoryLimit
        columns = input.columns + windows.map { OutputColumn(name: $0.text, type: $0.type) }
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        let types = input.columns.map(\.type), limit = memoryLimit
        let windows = self.windows, base = input.columns.count
        var buffer = WindowInputBuffer(types: types, memoryLimit: limit)
        var spill: WindowSpill?
        var sorted: SortedWindowSpill?
        let keys = WindowSpill.commonPartition(windows)
        lastSpill = nil
        try input.run { b throws(QueryError) in
            if let sorted {
                try sorted.add(b)
                return true
            }
            if spill != nil {
                try spill?.add(b, keyInput: b)
                return true
            }
            buffer.add(b.columns, rows: b.count)
            if buffer.overLimit {
                // Beyond the limit: hash-partition what is held and the rest of the input to disk
                // by the common PARTITION BY, or sort it to disk when there is none.
                let held = Batch(columns: try buffer.build(), count: buffer.count)
                if keys.isEmpty {
                    if let e = SortedWindowSpill.refused(windows, limit: limit, rows: buffer.count) { throw e }
                    let s = try SortedWindowSpill(windows: windows, storedTypes: types, memoryLimit: limit, expand: { $0 })
                    buffer = WindowInputBuffer(types: types, memoryLimit: limit)
                    try s.add(held)
                    sorted = s
                    return true
                }
                var s = try WindowSpill(windows: windows, keys: keys, types: types, memoryLimit: limit, expand: { $0 })
                buffer = WindowInputBuffer(types: types, memoryLimit: limit)
                try s.add(held, keyInput: held)
                spill = s
            }
            return true
        }
        if let sorted {
            lastSpill = try sorted.drain(base: base, emit)
            return
        }
        if var s = spill {
            lastSpill = try s.drain(base: base, emit)
            return
        }
        let rows = Batch(columns: try buffer.build(), count: buffer.count)
        _ = try WindowEvaluator.emitInPieces(try WindowEvaluator.appended(windows, to: rows, base: base), emit)
    }

    func explain(analyzed: Bool) -> [String] {
        let specs = Set(windows.map(\.specText)).count
        let line = "WINDOW \(windows.map(\.text).joined(separator: ", ")) (materialised; \(specs) sort\(specs == 1 ? "" : "s"), skipped when the input is already in order)"
        return [line + SpillReport.suffix(lastSpill, analyzed: analyzed)]
    }
}
