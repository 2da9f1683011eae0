import TapeCodec
import TapeFormat

/// The functions of one window specification (one PARTITION BY / ORDER BY) evaluated over rows
/// that arrive already sorted by it (a spilled input coming out of `ExternalSort`), with memory
/// bounded by a segment of rows instead of the largest partition.
///
/// Partitions of fewer than `streamRows` rows are gathered and evaluated whole by
/// `WindowEvaluator` (any function, any frame). A partition of `streamRows` rows or more is
/// streamed in pieces the way `StreamingWindow` streams a time-ordered run: ranking functions
/// continue from the rows before the piece; lag/lead and ROWS frames with constant offsets read
/// the last `lookback` rows of the partition kept as context and wait for `lookahead` rows after
/// the piece; cumulative frames (UNBOUNDED PRECEDING to CURRENT ROW) combine the piece's result
/// with the value carried from the partition's earlier rows (`StreamingWindow.combine`);
/// whole-partition frames, percent_rank, cume_dist and ntile take the partition's size and
/// whole-partition values from `totals`, filled by a first pass over the same sorted rows
/// (`SortedWindowSpill`). When a function reads peers (rank, RANGE frames) pieces end at the end
/// of a peer group; a peer group of `streamRows` rows or more (ties on ORDER BY beyond the limit)
/// is found by that first pass, which records where it ends and the running values at its end,
/// and is then streamed in pieces of its own, never held whole (`peerGroups`). Functions of
/// other shapes cannot stream: `shape` returns nil for them.
struct SortedWindowStream {
    /// How one function reads a streamed partition.
    enum Shape: Equatable {
        /// row_number, rank, dense_rank, percent_rank, cume_dist, ntile.
        case ranking
        /// lag/lead or a ROWS frame whose ends are at most `before` rows before and `after` rows
        /// after the current one.
        case bounded(before: Int, after: Int)
        /// UNBOUNDED PRECEDING to CURRENT ROW: count, sum, avg, min, max, stddev/var, first_value.
        case cumulative
        /// The whole partition (UNBOUNDED PRECEDING to UNBOUNDED FOLLOWING, or no ORDER BY):
        /// count, sum, avg, min, max, stddev/var, first_value, last_value.
        case whole
    }

    /// What a first pass found about one streamed partition: its rows, and per function of a
    /// `.whole` shape its value over the whole partition.
    struct Totals {
        var size: Int
        var values: [Datum?]
    }

    /// `w`'s shape when streamed, or nil with the reason it cannot stream.
    static func shape(_ w: BoundWindow) -> Result<Shape, Refusal> {
        if w.ignoreNulls || w.distinct || w.frame.exclude != .noOthers || w.frame.startOffset != nil || w.frame.endOffset != nil {
            return .failure(Refusal("IGNORE NULLS, DISTINCT, EXCLUDE and per-row frame offsets"))
        }
        func constantRows(_ d: Datum) -> Int? {
            guard case .int(let n) = d, n >= 0, n <= 1 << 20 else { return nil }
            return Int(n)
        }
        let simple: Set<AggregateFunction> = [.count, .countStar, .sum, .avg, .min, .max, .stddevSamp, .stddevPop, .varSamp, .varPop]
        switch w.function {
        case .rowNumber, .rank, .denseRank, .percentRank, .cumeDist, .ntile:
            return .success(.ranking)
        case .lag, .lead:
            var k = 1
            if w.args.count > 1 {
                guard let d = w.args[1].constantValue, let n = constantRows(d) else { return .failure(Refusal("an offset that is not a constant")) }
                k = n
            }
            return .success(w.function == .lag ? .bounded(before: k, after: 0) : .bounded(before: 0, after: k))
        case .firstValue, .lastValue, .nthValue, .aggregate:
            break
        }
        let f = w.frame
        if case .unboundedPreceding = f.start {
            let whole: Bool
            switch f.end {
            case .unboundedFollowing: whole = true
            case .currentRow: whole = w.order.isEmpty && f.unit != .rows
            default: whole = false
            }
            if whole {
                if case .aggregate(let a) = w.function, simple.contains(a) { return .success(.whole) }
                if w.function == .firstValue || w.function == .lastValue { return .success(.whole) }
                return .failure(Refusal("a whole-partition frame (only count, sum, avg, min, max, stddev/var, first_value and last_value)"))
            }
            if case .currentRow = f.end {
                if case .aggregate(let a) = w.function, simple.contains(a) { return .success(.cumulative) }
                if w.function == .firstValue { return .success(.cumulative) }
                return .failure(Refusal("a running frame (only count, sum, avg, min, max, stddev/var and first_value)"))
            }
        }
        guard f.unit == .rows else { return .failure(Refusal("a \(f.unit.rawValue) frame that is neither running nor the whole partition")) }
        var before = 0, after = 0
        for (bound, isStart) in [(f.start, true), (f.end, false)] {
            switch bound {
            case .currentRow: break
            case .preceding(let d):
                guard let n = constantRows(d) else { return .failure(Refusal("this frame offset")) }
                if isStart { before = n }
            case .following(let d):
                guard let n = constantRows(d) else { return .failure(Refusal("this frame offset")) }
                if !isStart { after = n }
            case .unboundedPreceding, .unboundedFollowing:
                return .failure(Refusal("a frame reaching to UNBOUNDED FOLLOWING from a row"))
            }
        }
        return .success(.bounded(before: before, after: after))
    }

    /// Why a function cannot stream (for the error naming it).
    struct Refusal: Error {
        let what: String
        init(_ what: String) { self.what = what }
    }

    /// Whether `w` reads its row's peer group (pieces then end at a peer group's end).
    static func readsPeers(_ w: BoundWindow, _ shape: Shape) -> Bool {
        switch w.function {
        case .rank, .denseRank, .percentRank, .cumeDist: return true
        case .rowNumber, .ntile, .lag, .lead: return false
        default: return shape == .cumulative && w.frame.unit != .rows
        }
    }

    let members: [BoundWindow]
    let shapes: [Shape]
    let lookback: Int
    let lookahead: Int
    let peers: Bool
    /// Partitions with at least this many rows are streamed; smaller ones evaluated whole.
    let streamRows: Int
    let memoryLimit: Int
    /// The batch the window expressions read, from the stream's rows.
    let keyInput: (Batch) -> Batch
    let types: [SQLType]
    /// Streamed partitions' totals by ordinal (partitions counted from the stream's start).
    var totals: [Int: Totals] = [:]
    /// A peer group (rows tied on ORDER BY) of `streamRows` rows or more, found by the first
    /// pass: where it ends (a position in its partition) and each member's result at its last
    /// row (a running frame's value at the group's end is the RANGE value of every row in it).
    struct PeerGroup {
        let end: Int
        let values: [Datum]
    }
    /// Large peer groups by partition ordinal, then by start position: the second pass streams
    /// each in pieces of its own, rows taking their peer-dependent results from here, so a tie
    /// group is never held whole (`SortedWindowSpill.firstPass`).
    var peerGroups: [Int: [Int: PeerGroup]] = [:]
    /// Called (by the first pass) for each peer group of `streamRows` rows or more, with its
    /// partition ordinal and start position.
    var onLargePeerGroup: ((Int, Int, PeerGroup) -> Void)?
    /// Called at the end of each streamed partition with its ordinal, size and the last row's
    /// results (the first pass records whole-partition values this way).
    var onStreamedPartitionEnd: ((Int, Int, [Datum]) -> Void)?

    /// REQUIRES: `members` share one specification and each has a shape.
    init(members: [BoundWindow], shapes: [Shape], types: [SQLType], streamRows: Int, memoryLimit: Int, keyInput: @escaping (Batch) -> Batch) {
        self.members = members
        self.shapes = shapes
        self.types = types
        self.streamRows = max(2, streamRows)
        self.memoryLimit = memoryLimit
        self.keyInput = keyInput
        var back = 0, ahead = 0, peers = false
        for (w, s) in zip(members, shapes) {
            if case .bounded(let b, let a) = s { back = max(back, b); ahead = max(ahead, a) }
            if SortedWindowStream.readsPeers(w, s) { peers = true }
        }
        lookback = back
        lookahead = ahead
        self.peers = peers
    }

    /// The streamed partition in progress.
    private struct PartitionState {
        var before = 0
        var dense: Int64 = 0
        var carry: [Datum?]
        var intSums: [Int128?]
        /// Running avg: the partition's sum (compensated for DOUBLE, exact for BIGINT) and count so far.
        var averages: [RunningAverage]
        /// Running stddev/var: the partition's moments so far.
        var moments: [RunningMoments]
        var context: Batch?
        /// First pass: where the peer group in progress started, and the piece's last row (to
        /// see whether the next piece goes on with its group).
        var groupStart: Int?
        var lastRow: Batch?
        /// Second pass: the large peer group the next piece goes on with.
        var big: (start: Int, group: PeerGroup)?
    }

    /// A running avg carried from piece to piece.
    struct RunningAverage {
        var sum = 0.0, comp = 0.0, exact: Int128 = 0, count: Int64 = 0

        /// avg(x) over a running frame of `rows` (one piece, starting at a peer group), from the
        /// partition's earlier rows; RANGE/GROUPS frames take each peer group's last value.
        mutating func evaluate(_ w: BoundWindow, _ rows: Batch, _ local: WindowLayout) throws(QueryError) -> Vector {
            let v = try Evaluator.evaluate(w.args[0], rows).materialized()
            let n = rows.count, allNull = Evaluator.isNullConstant(v)
            var out = [Double](repeating: 0, count: n)
            var valid = Bitmap(count: n, value: true)
            var anyNull = false
            for r in 0..<n {
                if !allNull, !v.isNull(r) {
                    count += 1
                    switch v.storage {
                    case .int64(let a): exact += Int128(a[r])
                    case .float64(let a): SumDoubleState.add(a[r], to: &sum, &comp)
                    default: break
                    }
                }
                if count == 0 { valid[r] = false; anyNull = true; continue }
                if case .int64 = v.storage { out[r] = Double(exact) / Double(count) } else { out[r] = (sum + comp) / Double(count) }
            }
            let result = Vector(type: .double, storage: .float64(out), validity: anyNull ? valid : nil, count: n)
            return w.frame.unit == .rows ? result : result.gather(local.peerEnd.map { $0 - 1 })
        }
    }

    private var pending: [Batch] = []
    private var pendingRows = 0
    private var nextProcess = 0
    private var ordinal = 0
    private var state: PartitionState?

    /// Adds sorted rows; `emit` gets finished rows with one result per member, in stream order.
    mutating func add(_ b: Batch, _ emit: (Batch, [Vector]) throws(QueryError) -> Void) throws(QueryError) {
        guard b.count > 0 else { return }
        pending.append(b)
        pendingRows += b.count
        if pendingRows >= nextProcess + streamRows { try process(final: false, emit) }
    }

    /// Finishes the rows still held.
    mutating func finish(_ emit: (Batch, [Vector]) throws(QueryError) -> Void) throws(QueryError) {
        try process(final: true, emit)
    }

    private func layout(_ rows: Batch, partitioned: Bool) throws(QueryError) -> WindowLayout {
        let input = keyInput(rows), spec = members[0]
        var part: [Vector] = [], ord: [Vector] = []
        if partitioned { for e in spec.partition { part.append(try Evaluator.evaluate(e, input)) } }
        for k in spec.order { ord.append(try Evaluator.evaluate(k.expr, input)) }
        return WindowLayout(partitionKeys: part, orderKeys: ord, order: spec.order.map { ($0.descending, $0.nullsFirst) }, count: rows.count)
    }

    private mutating func process(final: Bool, _ emit: (Batch, [Vector]) throws(QueryError) -> Void) throws(QueryError) {
        var held = try Batch.concatenate(pending, types: types, label: "a spilled window input")
        pending = []
        defer {
            pendingRows = pending.reduce(0) { $0 + $1.count }
            nextProcess = pendingRows
        }
        while held.count > 0 {
            let layout = try layout(held, partitioned: true)
            let parts = layout.partitions
            if state == nil {
                // Small complete partitions first, evaluated whole.
                var end = 0, k = 0
                while k < parts.count, parts[k].count < streamRows, final || k < parts.count - 1 { end = parts[k].upperBound; k += 1 }
                if end > 0 {
                    let sub = held.slice(0..<end)
                    try emit(sub, try WindowEvaluator.evaluate(members, over: keyInput(sub)))
                    ordinal += k
                    held = held.slice(end..<held.count)
                    continue
                }
                guard parts[0].count >= streamRows else { pending = [held]; return }
                state = PartitionState(carry: Array(repeating: nil, count: members.count), intSums: Array(repeating: nil, count: members.count),
                                       averages: Array(repeating: RunningAverage(), count: members.count),
                                       moments: Array(repeating: RunningMoments(), count: members.count))
            }
            let p0 = parts[0], complete = parts.count > 1 || final
            var e = complete ? p0.count : p0.count - lookahead
            var big: (start: Int, group: PeerGroup)?
            if peers, let s = state {
                let groups = peerGroups[ordinal] ?? [:]
                let start = s.big?.start ?? s.before
                if let g = groups[start] {
                    // Within a large peer group: a piece of its rows only.
                    big = (start, g)
                    e = min(e, g.end - s.before)
                } else {
                    // The last peer group may go on in rows not yet here.
                    if !complete { e = min(e, Int(layout.peerStart[p0.count - 1])) }
                    if e > 0, e < p0.count { e = Int(layout.peerStart[e]) }
                    // A large peer group starts a piece of its own.
                    if e > 1, !groups.isEmpty {
                        for k in 1..<e where layout.peerStart[k] == Int32(k) && groups[s.before + k] != nil { e = k; break }
                    }
                }
            }
            if e <= 0 {
                if held.approximateBytes > memoryLimit {
                    throw QueryError(.execution, "Window operator needs more than the memory limit of \(QueryOptions.describe(bytes: memoryLimit)) (--memory-limit) for one group of rows tied on ORDER BY \(members[0].order.map(\.expr.text).joined(separator: ", ")) (\(held.count) rows) even after spilling its input; add ORDER BY keys that break the ties or raise --memory-limit")
                }
                pending = [held]
                return
            }
            try piece(held, rows: e, ahead: min(p0.count, e + lookahead), big: big, emit)
            held = held.slice(e..<held.count)
            if complete && e == p0.count {
                endPartition()
                continue
            }
            if !complete { pending = [held]; return }
        }
        // The streamed partition's last piece may have left no row behind.
        if final, state != nil { endPartition() }
    }

    /// Reports the streamed partition's end (and a large peer group closing with it).
    private mutating func endPartition() {
        guard let s = state else { return }
        if let g = s.groupStart, s.before - g >= streamRows { onLargePeerGroup?(ordinal, g, PeerGroup(end: s.before, values: lastResults)) }
        onStreamedPartitionEnd?(ordinal, s.before, lastResults)
        state = nil
        ordinal += 1
    }

    /// Whether `b`'s first row ties with `a`'s (one row) on every ORDER BY key.
    private func sameOrder(_ a: Batch, _ b: Batch) throws(QueryError) -> Bool {
        let two = try StreamingWindow.concat(a, b.slice(0..<1))
        return try layout(two, partitioned: false).peerStart[1] == 0
    }

    private var lastResults: [Datum] = []

    /// The first `e` rows of `held` (all of the streamed partition), with `ahead` rows of it
    /// readable after them; `big`: they all belong to this large peer group.
    private mutating func piece(_ held: Batch, rows e: Int, ahead: Int, big: (start: Int, group: PeerGroup)?, _ emit: (Batch, [Vector]) throws(QueryError) -> Void) throws(QueryError) {
        guard var s = state else { return }
        let rows = held.slice(0..<e)
        let local = try layout(rows, partitioned: false)
        let input = keyInput(rows)
        var windowed: Batch?
        var results: [Vector] = []
        let total = totals[ordinal]
        for (i, w) in members.enumerated() {
            switch shapes[i] {
            case .ranking:
                let needsSize = w.function == .percentRank || w.function == .cumeDist || w.function == .ntile
                guard !needsSize || total != nil else {
                    throw QueryError(.execution, "internal: no first-pass size for \(w.text) in spilled partition \(ordinal)")
                }
                let buckets = try w.args.first.map { (a) throws(QueryError) in try Evaluator.evaluate(a, input).materialized() }
                do {
                    results.append(try RankingKernels.evaluate(w.function, local, ntileBuckets: buckets, continuing: (s.before, s.dense, total?.size ?? 0)))
                } catch {
                    throw QueryError(.execution, error.message, at: w.position)
                }
            case .bounded:
                if windowed == nil {
                    let next = held.slice(0..<ahead)
                    windowed = try s.context.map { (c) throws(QueryError) in try StreamingWindow.concat(c, next) } ?? next
                }
                guard let all = windowed else { continue }
                let v = try StreamingWindow.evaluateOrdered(w, keyInput(all))
                let offset = all.count - ahead
                results.append(v.slice(offset..<offset + e))
            case .cumulative:
                if w.function == .aggregate(.avg) {
                    results.append(try s.averages[i].evaluate(w, input, local))
                    continue
                }
                if case .aggregate(let f) = w.function, [.stddevSamp, .stddevPop, .varSamp, .varPop].contains(f) {
                    results.append(try s.moments[i].evaluate(f, w, input, local))
                    continue
                }
                if w.function == .aggregate(.sum), w.type == .int {
                    var v = try StreamingWindow.cumulativeIntSum(w, input, sum: &s.intSums[i])
                    if w.frame.unit != .rows { v = v.gather(local.peerEnd.map { $0 - 1 }) }
                    results.append(v)
                    continue
                }
                var args: [Vector] = []
                for a in w.args { args.append(try Evaluator.evaluate(a, input).materialized()) }
                let v = try WindowEvaluator.kernel(w, args, local, nil)
                let (out, last) = try StreamingWindow.combine(w, v, s.carry[i], s.before)
                s.carry[i] = last
                results.append(out)
            case .whole:
                guard let d = total?.values[i] else {
                    throw QueryError(.execution, "internal: no first-pass total for \(w.text) in spilled partition \(ordinal)")
                }
                results.append(.constant(d, type: w.type, count: e))
            }
        }
        if let b = big {
            // Peer-dependent results of a large group: from its start, its end (first pass) and
            // the partition's size; the rest (row_number, lag, ROWS frames) as computed.
            if s.before == b.start { s.dense += 1 }
            let size = total?.size ?? 0
            for (i, w) in members.enumerated() where SortedWindowStream.readsPeers(w, shapes[i]) {
                let d: Datum
                switch w.function {
                case .rank: d = .int(Int64(b.start + 1))
                case .denseRank: d = .int(s.dense)
                case .percentRank: d = .double(size > 1 ? Double(b.start) / Double(size - 1) : 0)
                case .cumeDist: d = .double(Double(b.group.end) / Double(max(1, size)))
                default: d = b.group.values[i]
                }
                results[i] = .constant(d, type: w.type, count: e)
            }
            s.big = s.before + e < b.group.end ? b : nil
        } else if peers {
            for k in 0..<e where local.peerStart[k] == Int32(k) { s.dense += 1 }
        }
        if let record = onLargePeerGroup {
            let continues = try s.lastRow.map { (prev) throws(QueryError) in try sameOrder(prev, rows) } ?? false
            for k in 0..<e where local.peerStart[k] == Int32(k) && !(k == 0 && continues) {
                if let g = s.groupStart, s.before + k - g >= streamRows {
                    record(ordinal, g, PeerGroup(end: s.before + k, values: k == 0 ? lastResults : results.map { $0.datum(k - 1) }))
                }
                s.groupStart = s.before + k
            }
            s.lastRow = rows.slice(e - 1..<e)
        }
        s.before += e
        if lookback > 0 {
            let withContext = try s.context.map { (c) throws(QueryError) in try StreamingWindow.concat(c, rows) } ?? rows
            let keep = min(lookback, withContext.count)
            s.context = withContext.slice(withContext.count - keep..<withContext.count)
        }
        state = s
        lastResults = results.map { $0.datum(e - 1) }
        try emit(rows, results)
    }
}
