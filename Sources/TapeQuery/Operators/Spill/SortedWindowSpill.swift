import TapeFormat

/// A Window operator's input beyond `--memory-limit` that hash partitions cannot split: windows
/// with no common PARTITION BY (e.g. `OVER (ORDER BY ts)`), or one window partition bigger than
/// the limit. The rows go through `ExternalSort` by the first window specification's PARTITION
/// BY and ORDER BY; `SortedWindowStream` evaluates that specification's functions over the sorted
/// stream in pieces. With several specifications the rows, with the results so far, are sorted
/// again by the next one, and so on; the result comes out in the last specification's order (SQL
/// gives no order without ORDER BY). Functions that need the whole partition (percent_rank,
/// cume_dist, ntile, whole-partition frames) get its size and values from a first pass over the
/// same sorted rows. Memory: the sort's runs and merge, and one piece of rows.
///
/// Functions whose frame cannot be bounded this way (`SortedWindowStream.shape` says which) are
/// refused before anything spills: `refusal` names the first, for the caller's error.
final class SortedWindowSpill {
    let windows: [BoundWindow]
    /// Window indices per specification, in order of first appearance.
    let specs: [[Int]]
    let storedTypes: [SQLType]
    let memoryLimit: Int
    /// The batch window expressions read, from the stored columns.
    let expand: (Batch) -> Batch
    private var sort: ExternalSort
    private var buffer: [Batch] = []
    private var bufferBytes = 0
    private var rowBytes = (bytes: 0, rows: 0)
    private var spilledBytes = 0
    private var sortedRuns = 0

    /// The first window that cannot be evaluated over spilled sorted rows, and why.
    static func refusal(_ windows: [BoundWindow]) -> (BoundWindow, String)? {
        for w in windows.map(streamable) {
            if case .failure(let r) = SortedWindowStream.shape(w) { return (w, r.what) }
        }
        return nil
    }

    /// `w` in the form that streams: an aggregate over a suffix frame (CURRENT ROW to UNBOUNDED
    /// FOLLOWING, ROWS, RANGE or GROUPS) is the same aggregate over the running frame (UNBOUNDED
    /// PRECEDING to CURRENT ROW) in the reverse order — every ORDER BY key's direction and NULLS
    /// placement flipped, a sort of its own — folding the rows from the partition's end as the
    /// unlimited evaluation folds a suffix. (With ROWS and ties on ORDER BY, which tied rows come
    /// "after" is arbitrary either way.) Other calls unchanged.
    static func streamable(_ w: BoundWindow) -> BoundWindow {
        guard case .aggregate = w.function, case .currentRow = w.frame.start, case .unboundedFollowing = w.frame.end,
              w.frame.exclude == .noOthers, w.frame.startOffset == nil, w.frame.endOffset == nil else { return w }
        let reversed = w.order.map { BoundWindow.OrderKey(expr: $0.expr, descending: !$0.descending, nullsFirst: !$0.nullsFirst) }
        var r = BoundWindow(function: w.function, args: w.args, partition: w.partition, order: reversed,
                            frame: BoundFrame(unit: w.frame.unit, start: .unboundedPreceding, end: .currentRow),
                            type: w.type, text: w.text, position: w.position)
        r.ignoreNulls = w.ignoreNulls
        r.distinct = w.distinct
        r.fraction = w.fraction
        return r
    }

    /// The error for `windows` when `refusal` names one.
    static func refused(_ windows: [BoundWindow], limit: Int, rows: Int) -> QueryError? {
        guard let (w, why) = refusal(windows) else { return nil }
        return QueryError(.execution, "Window operator needs more than the memory limit of \(QueryOptions.describe(bytes: limit)) (--memory-limit) to hold its input (\(rows) rows so far) and cannot spill \(w.text): it streams over sorted spilled rows only without \(why); filter rows with WHERE, select fewer columns, add a PARTITION BY, or raise --memory-limit", at: w.position)
    }

    /// REQUIRES: `refusal(windows)` is nil.
    init(windows: [BoundWindow], storedTypes: [SQLType], memoryLimit: Int, expand: @escaping (Batch) -> Batch) throws(QueryError) {
        let windows = windows.map(SortedWindowSpill.streamable)
        self.windows = windows
        var order: [String] = [], groups: [String: [Int]] = [:]
        for (i, w) in windows.enumerated() {
            if groups[w.specText] == nil { order.append(w.specText) }
            groups[w.specText, default: []].append(i)
        }
        specs = order.map { groups[$0] ?? [] }
        self.storedTypes = storedTypes
        self.memoryLimit = memoryLimit
        self.expand = expand
        sort = SortedWindowSpill.sorter(spec: windows[specs[0][0]], types: storedTypes, memoryLimit: memoryLimit)
    }

    /// The external sort of rows with `types` followed by `spec`'s PARTITION BY and ORDER BY keys.
    private static func sorter(spec: BoundWindow, types: [SQLType], memoryLimit: Int) -> ExternalSort {
        var keys: [SortKey] = [], all = types
        for e in spec.partition {
            keys.append(SortKey(column: all.count, descending: false, nullsFirst: false))
            all.append(e.type)
        }
        for k in spec.order {
            keys.append(SortKey(column: all.count, descending: k.descending, nullsFirst: k.nullsFirst))
            all.append(k.expr.type)
        }
        return ExternalSort(types: all, keys: keys, owner: "Window operator", memoryLimit: memoryLimit)
    }

    /// `rows` with `spec`'s key columns appended (evaluated over `stored`, the stored columns).
    private func keyed(_ rows: Batch, stored: Batch, spec: BoundWindow) throws(QueryError) -> Batch {
        let input = expand(stored)
        var cols = rows.columns
        for e in spec.partition { cols.append(try Evaluator.evaluate(e, input)) }
        for k in spec.order { cols.append(try Evaluator.evaluate(k.expr, input)) }
        return Batch(columns: cols, count: rows.count)
    }

    /// Adds rows of the stored columns.
    func add(_ rows: Batch) throws(QueryError) {
        guard rows.count > 0 else { return }
        let b = try keyed(rows, stored: rows, spec: windows[specs[0][0]])
        rowBytes.bytes += rows.approximateBytes
        rowBytes.rows += rows.count
        try buffer(b, into: sort)
    }

    private func buffer(_ b: Batch, into s: ExternalSort) throws(QueryError) {
        buffer.append(b)
        bufferBytes += b.approximateBytes
        if bufferBytes > memoryLimit / 2 { try flush(into: s) }
    }

    private func flush(into s: ExternalSort) throws(QueryError) {
        guard !buffer.isEmpty else { return }
        try s.addRun(try Batch.concatenate(buffer, types: s.types, label: "a spilled window input"))
        buffer = []
        bufferBytes = 0
    }

    /// Every row with the window results appended (the first `base` columns of its expanded
    /// batch, then one column per window in `windows` order) into `emit`, which returns false
    /// to stop. Returns what spilled.
    func drain(base: Int, _ emit: (Batch) throws(QueryError) -> Bool) throws(QueryError) -> SpillReport {
        try flush(into: sort)
        let stored = storedTypes.count
        // Columns of the stream between passes: stored, then finished windows' results.
        var done: [Int] = []
        var doneTypes: [SQLType] = []
        let perRow = max(1, rowBytes.bytes / max(1, rowBytes.rows))
        let streamRows = max(256, memoryLimit / 8 / (perRow + 16 * windows.count))
        var stopped = false
        for (p, members) in specs.enumerated() {
            let width = stored + done.count
            let types = storedTypes + doneTypes
            let memberWindows = members.map { windows[$0] }
            var shapes: [SortedWindowStream.Shape] = []
            for w in memberWindows { if case .success(let s) = SortedWindowStream.shape(w) { shapes.append(s) } }
            let expand = self.expand
            let keyInput: (Batch) -> Batch = { b in expand(Batch(columns: Array(b.columns.prefix(stored)), count: b.count)) }
            var stream = SortedWindowStream(members: memberWindows, shapes: shapes, types: types, streamRows: streamRows, memoryLimit: memoryLimit, keyInput: keyInput)
            (stream.totals, stream.peerGroups) = try firstPass(memberWindows, shapes, types: types, width: width, streamRows: streamRows, keyInput: keyInput)
            let last = p == specs.count - 1
            let next = last ? nil : SortedWindowSpill.sorter(spec: windows[specs[p + 1][0]], types: types + members.map { windows[$0].type }, memoryLimit: memoryLimit)
            let nextSpec = last ? nil : windows[specs[p + 1][0]]
            let order = done + members
            func finished(_ rows: Batch, _ results: [Vector]) throws(QueryError) {
                guard !stopped else { return }
                if let next, let nextSpec {
                    let out = Batch(columns: rows.columns + results, count: rows.count)
                    try self.buffer(try self.keyed(out, stored: Batch(columns: Array(rows.columns.prefix(stored)), count: rows.count), spec: nextSpec), into: next)
                    return
                }
                // The final columns in `windows` order.
                var byWindow = [Vector?](repeating: nil, count: self.windows.count)
                let all = Array(rows.columns[stored...]) + results
                for (k, w) in order.enumerated() { byWindow[w] = all[k] }
                let input = keyInput(rows)
                let cols = Array(input.columns.prefix(base)) + byWindow.map { $0 ?? .constant(.null, count: rows.count) }
                if try !emit(Batch(columns: cols, count: rows.count)) { stopped = true }
            }
            try sort.merge { b throws(QueryError) in
                try stream.add(Batch(columns: Array(b.columns.prefix(width)), count: b.count), finished)
                return !stopped
            }
            if !stopped { try stream.finish(finished) }
            spilledBytes += sort.report.bytes
            sortedRuns += sort.report.pieces
            if stopped { break }
            if let next {
                try flush(into: next)
                sort = next
                done = order
                doneTypes = Array(types[stored...]) + members.map { windows[$0].type }
            }
        }
        return SpillReport(bytes: spilledBytes, pieces: sortedRuns, what: "sorted runs\(specs.count > 1 ? " over \(specs.count) sorts" : "")")
    }

    /// The sizes (and whole-partition values) of the partitions `SortedWindowStream` will stream,
    /// and their large peer groups (with running values at each one's end), from a pass over the
    /// sorted rows; empty when no member needs them.
    private func firstPass(_ members: [BoundWindow], _ shapes: [SortedWindowStream.Shape], types: [SQLType], width: Int,
                           streamRows: Int, keyInput: @escaping (Batch) -> Batch) throws(QueryError) -> ([Int: SortedWindowStream.Totals], [Int: [Int: SortedWindowStream.PeerGroup]]) {
        let needsSize: [WindowFunction] = [.percentRank, .cumeDist, .ntile]
        let peers = zip(members, shapes).contains { SortedWindowStream.readsPeers($0, $1) }
        guard peers || zip(members, shapes).contains(where: { $1 == .whole || needsSize.contains($0.function) }) else { return ([:], [:]) }
        // Whole-partition values as the last row's result of a running (or, for last_value,
        // current-row) frame; a RANGE running frame as its ROWS form (its value at a peer
        // group's last row is the group's); the other members as row_number (cheap, streams alike).
        var derived: [BoundWindow] = [], derivedShapes: [SortedWindowStream.Shape] = []
        for (w, s) in zip(members, shapes) {
            if s == .cumulative, SortedWindowStream.readsPeers(w, s) {
                derived.append(w.with(function: w.function, frame: BoundFrame(unit: .rows, start: .unboundedPreceding, end: .currentRow)))
                derivedShapes.append(.cumulative)
                continue
            }
            guard s == .whole else {
                derived.append(w.with(function: .rowNumber, frame: w.frame))
                derivedShapes.append(.ranking)
                continue
            }
            let last = w.function == .lastValue
            let frame = BoundFrame(unit: .rows, start: last ? .currentRow : .unboundedPreceding, end: .currentRow)
            derived.append(w.with(function: w.function, frame: frame))
            derivedShapes.append(last ? .bounded(before: 0, after: 0) : .cumulative)
        }
        var totals: [Int: SortedWindowStream.Totals] = [:]
        var groups: [Int: [Int: SortedWindowStream.PeerGroup]] = [:]
        var pass = SortedWindowStream(members: derived, shapes: derivedShapes, types: types, streamRows: streamRows, memoryLimit: memoryLimit, keyInput: keyInput)
        pass.onStreamedPartitionEnd = { ordinal, size, values in
            totals[ordinal] = SortedWindowStream.Totals(size: size, values: zip(values, shapes).map { $1 == .whole ? $0 : nil })
        }
        if peers { pass.onLargePeerGroup = { ordinal, start, g in groups[ordinal, default: [:]][start] = g } }
        let ignore: (Batch, [Vector]) throws(QueryError) -> Void = { _, _ in }
        try sort.merge { b throws(QueryError) in
            try pass.add(Batch(columns: Array(b.columns.prefix(width)), count: b.count), ignore)
            return true
        }
        try pass.finish(ignore)
        return (totals, groups)
    }
}
