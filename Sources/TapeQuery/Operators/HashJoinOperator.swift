import Synchronization
import TapeCodec

/// Hash join: INNER, LEFT, RIGHT, FULL, SEMI and ANTI, with equi-keys plus an optional residual
/// condition; with no keys every pair is a candidate (CROSS JOIN, or ON without an equality).
///
/// The right input is the build side: it is consumed whole into one batch and a `JoinHashTable`
/// (beyond `memoryLimit`, both inputs are hash-partitioned to disk and joined partition by
/// partition: see `GraceHashJoin`; a join without equality keys cannot spill and fails naming the
/// operator and the limit).
/// The left input then streams: each batch's keys are probed, candidate pairs are checked against
/// `residual` (evaluated over left columns followed by right columns), and matches are emitted in
/// left-row order. LEFT/FULL add unmatched left rows padded with NULLs; RIGHT/FULL emit the
/// unmatched build rows (left side NULL) after the left input ends. Output columns: left then
/// right; SEMI and ANTI output the left columns only (each left row at most once).
final class HashJoinOperator: SpillingOperator, MorselOperator {
    let kind: JoinKind
    let left: any PhysicalOperator
    let right: any PhysicalOperator
    /// Key expressions over the left columns and, pairwise of the same type, over the right columns.
    let leftKeys: [BoundExpr]
    let rightKeys: [BoundExpr]
    let residual: BoundExpr?
    let memoryLimit: Int
    let columns: [OutputColumn]
    /// Spill depth: 0 for the planned join, 1… for the per-partition joins of a grace hash join
    /// (each level hashes with another seed).
    let spillDepth: Int
    /// What the last run spilled (nil: nothing).
    var lastSpill: SpillReport?
    var children: [any PhysicalOperator] { [left, right] }

    init(_ kind: JoinKind, _ left: any PhysicalOperator, _ right: any PhysicalOperator, leftKeys: [BoundExpr], rightKeys: [BoundExpr],
         residual: BoundExpr?, memoryLimit: Int, spillDepth: Int = 0) {
        self.spillDepth = spillDepth
        self.kind = kind
        self.left = left
        self.right = right
        self.leftKeys = leftKeys
        self.rightKeys = rightKeys
        self.residual = residual
        self.memoryLimit = memoryLimit
        columns = kind == .semi || kind == .anti ? left.columns : left.columns + right.columns
    }

    /// The build side: all right rows, their keys and the hash table; nil when it outgrew the
    /// memory limit and was spilled instead (see `GraceHashJoin`).
    private func build() throws(QueryError) -> (Batch, JoinHashTable?)? {
        let limit = memoryLimit, kind = self.kind
        let tooBig = "\(kind.rawValue) JOIN: the hash join's build side (its right input) needs more than \(QueryOptions.describe(bytes: limit)) (--memory-limit)"
        guard !rightKeys.isEmpty else {
            // Without equality keys the build side cannot be partitioned: it must fit.
            return (try right.materialize(memoryLimit: limit, tooBig: tooBig + " and a join without equality keys cannot spill; raise --memory-limit, filter the right side, or put the smaller table on the right"), nil)
        }
        guard let all = try GraceHashJoin.collect(right, memoryLimit: limit) else { return nil }
        var keys: [Vector] = []
        for k in rightKeys { keys.append(try Evaluator.evaluate(k, all)) }
        let table = try JoinHashTable(keys: keys, count: all.count)
        if all.approximateBytes + table.approximateBytes > limit { return nil }
        return (all, table)
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        // Over a Tape scan on several threads: probe on the scan's workers, output in scan order.
        if try MorselPipeline.runOrdered(self, emit) { return }
        lastSpill = nil
        guard let (built, table) = try build() else {
            lastSpill = try GraceHashJoin(self).run(emit)
            return
        }
        var matchedBuild = emitsUnmatchedBuild ? [Bool](repeating: false, count: built.count) : []
        var stopped = false
        try left.run { [self] b throws(QueryError) in
            let go = try probe(b, built, table, matched: { for m in $0 { matchedBuild[Int(m)] = true } }, emit)
            stopped = !go
            return go
        }
        if stopped || matchedBuild.isEmpty { return }
        _ = try emitUnmatched(built, matchedBuild, emit)
    }

    /// RIGHT/FULL: the build rows no left row matched are emitted (left side NULL) after the left
    /// input ends.
    private var emitsUnmatchedBuild: Bool { kind == .right || kind == .full }

    /// The build rows `matched` does not mark, left side NULL, in build order, in pieces of at
    /// most 65,536 rows. Returns false once `emit` asked to stop.
    private func emitUnmatched(_ built: Batch, _ matched: [Bool], _ emit: (Batch) throws(QueryError) -> Bool) throws(QueryError) -> Bool {
        let unmatched = (0..<Int32(built.count)).filter { !matched[Int($0)] }
        var start = 0
        while start < unmatched.count {
            let piece = Array(unmatched[start..<min(unmatched.count, start + 65_536)])
            start += piece.count
            let nulls = left.columns.map { Vector(type: $0.type, storage: .constant(.null), count: piece.count) }
            if try !emit(Batch(columns: nulls + built.columns.map { $0.gather(piece) }, count: piece.count)) { return false }
        }
        return true
    }

    /// The build side made by `prepareMorsels`, shared by the workers probing it.
    private var morselBuild: (Batch, JoinHashTable?)?
    /// RIGHT/FULL under morsels: the build rows any worker's batch matched (each batch marks its
    /// matches under the lock once); `drainMorsels` emits the others.
    private let morselMatched = Mutex<[Bool]>([])

    /// The probe side streams through `morsel`.
    var streamInput: any PhysicalOperator { left }

    func prepareMorsels() throws(QueryError) -> Bool {
        lastSpill = nil
        guard let b = try build() else { return false }   // spills: run as usual instead
        morselBuild = b
        if emitsUnmatchedBuild { morselMatched.withLock { $0 = [Bool](repeating: false, count: b.0.count) } }
        return true
    }

    func morsel(_ b: Batch, _ emit: (Batch) throws(QueryError) -> Void) throws(QueryError) {
        guard let (built, table) = morselBuild else { return }
        _ = try probe(b, built, table, matched: { rows in
            if !rows.isEmpty { morselMatched.withLock { m in for r in rows { m[Int(r)] = true } } }
        }) { out throws(QueryError) in
            try emit(out)
            return true
        }
    }

    func drainMorsels(_ emit: (Batch) throws(QueryError) -> Void) throws(QueryError) {
        guard emitsUnmatchedBuild, let (built, _) = morselBuild else { return }
        let matched = morselMatched.withLock { $0 }
        _ = try emitUnmatched(built, matched) { out throws(QueryError) in
            try emit(out)
            return true
        }
    }

    func finishMorsels() {
        morselBuild = nil
        morselMatched.withLock { $0 = [] }
    }

    /// Joins one left batch with the build side (`built`, `table`), handing the output to `emit`
    /// in left-row order; hands `matched` (RIGHT/FULL only) the build rows that found a partner.
    /// Returns false once `emit` asked to stop.
    private func probe(_ b: Batch, _ built: Batch, _ table: JoinHashTable?, matched: ([Int32]) -> Void,
                       _ emit: (Batch) throws(QueryError) -> Bool) throws(QueryError) -> Bool {
        let kind = self.kind, residual = self.residual
        /// Emits the join of left rows `range` of `b`, given their candidate pairs (in row order).
        func finish(_ range: Range<Int>, _ candidates: ([Int32], [Int32])) throws(QueryError) -> Bool {
            var (lrows, rrows) = candidates
            if let residual, !lrows.isEmpty {
                let pairs = Batch(columns: b.columns.map { $0.gather(lrows) } + built.columns.map { $0.gather(rrows) }, count: lrows.count)
                if let keep = try FilterOperator.selection(residual, pairs) {
                    lrows = keep.map { lrows[Int($0)] }
                    rrows = keep.map { rrows[Int($0)] }
                }
            }
            if emitsUnmatchedBuild { matched(rrows) }
            var hit = [Bool](repeating: false, count: range.count)
            for r in lrows { hit[Int(r) - range.lowerBound] = true }
            switch kind {
            case .semi, .anti:
                let keep = range.map { Int32($0) }.filter { hit[Int($0) - range.lowerBound] == (kind == .semi) }
                if keep.isEmpty { return true }
                return try emit(keep.count == b.count ? b : b.gather(keep))
            case .left where hit.contains(false), .full where hit.contains(false):
                // Merge in the unmatched left rows (right side -1 = NULL), keeping left order.
                var l2: [Int32] = [], r2: [Int32] = []
                var i = 0
                for r in range {
                    if hit[r - range.lowerBound] {
                        while i < lrows.count && lrows[i] == Int32(r) { l2.append(lrows[i]); r2.append(rrows[i]); i += 1 }
                    } else {
                        l2.append(Int32(r))
                        r2.append(-1)
                    }
                }
                lrows = l2
                rrows = r2
            default:
                break
            }
            if lrows.isEmpty { return true }
            // Every left row matched exactly once (a unique build key): the left columns as they are.
            let identity = lrows.count == b.count && range.count == b.count && !hit.contains(false)
            let same = HashJoinOperator.singleRow(rrows)
            return try emit(Batch(columns: (identity ? b.columns : b.columns.map { $0.gather(lrows) }) + built.columns.map { HashJoinOperator.gatherBuild($0, rrows, single: same) }, count: lrows.count))
        }
        var first: [Int32] = []
        if let table {
            var keys: [Vector] = []
            for k in leftKeys { keys.append(try Evaluator.evaluate(k, b)) }
            first = table.firstMatches(keys, count: b.count)
            // Every left row matching one and the same build row (a batch of one run probing a
            // table keyed by run): the pairs without a walk per row.
            // Constant keys (a run's id) give every row the first row's match: no scan for it.
            let constantKeys = Evaluator.allConstant(keys)
            if let h = constantKeys ? first.first.flatMap({ $0 >= 0 ? $0 : nil }) : HashJoinOperator.singleRow(first), table.nextMatch(h) < 0 {
                if residual == nil {
                    // Each left row once, beside build row h (a constant): nothing to pair or merge.
                    if emitsUnmatchedBuild { matched([h]) }
                    switch kind {
                    case .semi: return try emit(b)
                    case .anti: return true
                    default: return try emit(Batch(columns: b.columns + built.columns.map { .constant($0.datum(Int(h)), type: $0.type, count: b.count) }, count: b.count))
                    }
                }
                if b.count <= 65_536 {
                    return try finish(0..<b.count, ((0..<Int32(b.count)).map { $0 }, [Int32](repeating: h, count: b.count)))
                }
            }
        }
        // Candidate pairs in left-row order, finished in pieces of about 64K pairs so a
        // many-to-many or keyless join never holds more than that at once.
        var start = 0
        var lrows: [Int32] = [], rrows: [Int32] = []
        lrows.reserveCapacity(min(b.count, 65_536))
        rrows.reserveCapacity(min(b.count, 65_536))
        let chains = table?.chains ?? []
        for r in 0..<b.count {
            if table != nil {
                var m = first[r]
                while m >= 0 {
                    lrows.append(Int32(r))
                    rrows.append(m)
                    m = chains[Int(m)]
                }
            } else {
                for m in 0..<built.count {
                    lrows.append(Int32(r))
                    rrows.append(Int32(m))
                }
            }
            if lrows.count >= 65_536 || r == b.count - 1 {
                if try !finish(start..<(r + 1), (lrows, rrows)) { return false }
                start = r + 1
                lrows.removeAll(keepingCapacity: true)
                rrows.removeAll(keepingCapacity: true)
            }
        }
        return true
    }

    /// The build row every output row takes, when they all take one (not NULL).
    static func singleRow(_ rows: [Int32]) -> Int32? {
        guard let r0 = rows.first, r0 >= 0 else { return nil }
        return rows.withUnsafeBufferPointer { p in
            for r in p where r != r0 { return nil }
            return r0
        }
    }

    /// Build rows `rows` of a build column (-1: NULL), without copying per row where it can: a
    /// single build row repeated (a probe batch whose rows share one key, e.g. a run's id) becomes
    /// a constant, and plain strings become a dictionary over the build side's strings (indexed
    /// by `rows`) when there are no more of them than output rows.
    /// `single` is `singleRow(rows)`.
    static func gatherBuild(_ v: Vector, _ rows: [Int32], single: Int32?) -> Vector {
        if let r = single { return .constant(v.datum(Int(r)), type: v.type, count: rows.count) }
        if case .constant = v.storage { return v.gatherPadded(rows) }
        if case .strings(let s) = v.storage, s.count <= rows.count, !rows.contains(where: { $0 < 0 }) {
            var g = Vector(type: v.type, storage: .dictionary(entries: s, indices: rows.map { UInt32(truncatingIfNeeded: $0) }), count: rows.count)
            if let valid = v.validity {
                var b = Bitmap(count: rows.count, value: false)
                for (i, r) in rows.enumerated() where valid[Int(r)] { b[i] = true }
                g.validity = b
            }
            return g
        }
        return v.gatherPadded(rows)
    }

    func explain(analyzed: Bool) -> [String] {
        var s = "HASH JOIN \(kind.rawValue)"
        if !leftKeys.isEmpty {
            s += " on " + zip(leftKeys, rightKeys).map { "\($0.0.text) = \($0.1.text)" }.joined(separator: " AND ")
        } else {
            s += " (no equality keys: every pair is checked)"
        }
        if let residual { s += ", residual \(residual.text)" }
        s += " (build: right input)" + SpillReport.suffix(lastSpill, analyzed: analyzed)
        if lastSpill == nil, let n = MorselPipeline.threads(below: self) { s += "; probed per scan thread on \(n) threads" }
        return [s]
    }
}
