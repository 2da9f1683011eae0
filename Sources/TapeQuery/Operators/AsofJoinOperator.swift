/// ASOF JOIN (DuckDB syntax): `a ASOF JOIN b ON a.run = b.run AND a.ts >= b.ts` pairs each left
/// row with the one right row of equal keys whose time is the closest on the allowed side
/// (`>=`: the latest right time at or before the left time; `>`: strictly before; `<=` / `<`:
/// the earliest at or after / strictly after). INNER drops left rows without a match; LEFT
/// ASOF keeps them with the right side NULL. NULL keys or times never match.
///
/// The right input is consumed whole: rows are grouped by key with a `JoinHashTable` and each group's row list ordered by
/// time. A group already in time order (a run's table read in storage order, the usual case) is
/// not sorted; EXPLAIN ANALYZE says how many groups needed a sort. Left rows then stream, each
/// answered by a binary search in its group, in left order — on the scan's worker threads when
/// the join is part of a `MorselPipeline` (each batch probes the shared right side alone).
/// Output: left columns then right.
///
/// Beyond `memoryLimit` (the right input's rows), both inputs are hash-partitioned by their
/// equality keys into a temporary file (a key's rows share a partition) and each pair of
/// partitions is joined alone by an `AsofJoinOperator` one level deeper (output then comes
/// partition by partition), split again with another seed up to `maxDepth` levels. Without
/// equality keys, or when one key's right rows alone outgrow the limit, the query fails naming
/// the operator and the limit.
final class AsofJoinOperator: SpillingOperator, MorselOperator {
    static let maxDepth = 3
    let kind: JoinKind
    let left: any PhysicalOperator
    let right: any PhysicalOperator
    let leftKeys: [BoundExpr]
    let rightKeys: [BoundExpr]
    let op: BinaryOp
    let leftTime: BoundExpr
    let rightTime: BoundExpr
    let memoryLimit: Int
    /// 0 for the planned operator; 1, 2, … for the per-partition operators of a spilled run.
    let spillDepth: Int
    let columns: [OutputColumn]
    var children: [any PhysicalOperator] { [left, right] }
    /// Groups of the last run: all, and those that had to be sorted.
    private var groups = (total: 0, sorted: 0)
    /// What the last run spilled (nil: nothing).
    private(set) var lastSpill: SpillReport?

    init(_ kind: JoinKind, _ left: any PhysicalOperator, _ right: any PhysicalOperator, leftKeys: [BoundExpr], rightKeys: [BoundExpr],
         op: BinaryOp, leftTime: BoundExpr, rightTime: BoundExpr, memoryLimit: Int, spillDepth: Int = 0) {
        self.kind = kind
        self.left = left
        self.right = right
        self.leftKeys = leftKeys
        self.rightKeys = rightKeys
        self.op = op
        self.leftTime = leftTime
        self.rightTime = rightTime
        self.memoryLimit = memoryLimit
        self.spillDepth = spillDepth
        columns = left.columns + right.columns
    }

    /// Times as one comparable scale: BIGINT/TIMESTAMP exactly, DOUBLE through a total order
    /// key that keeps `<` (NaN last, as Tape sorts it).
    private static func times(_ v: Vector) -> [Int64] {
        let m = v.materialized()
        switch m.storage {
        case .int64(let a): return a
        case .float64(let a):
            return a.map { d in
                if d.isNaN { return Int64.max }
                let bits = Int64(bitPattern: (d == 0 ? 0.0 : d).bitPattern)
                return bits < 0 ? -(bits & Int64.max) : bits
            }
        default: return [Int64](repeating: 0, count: m.count)
        }
    }

    private var tooBig: String { "ASOF JOIN: its right input needs more than \(QueryOptions.describe(bytes: memoryLimit)) (--memory-limit)" }

    /// The right input as one batch; nil when it outgrew the memory limit and can spill (there
    /// are equality keys), else beyond the limit the query fails naming the operator.
    private func collectRight() throws(QueryError) -> Batch? {
        rightKeys.isEmpty
            ? try right.materialize(memoryLimit: memoryLimit, tooBig: tooBig + " and an ASOF join without equality keys cannot spill; raise --memory-limit or filter the right side")
            : try GraceHashJoin.collect(right, memoryLimit: memoryLimit)
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        // Over a Tape scan on several threads: probe on the scan's workers, output in scan order.
        if try MorselPipeline.runOrdered(self, emit) { return }
        lastSpill = nil
        guard let built = try collectRight() else {
            guard spillDepth < AsofJoinOperator.maxDepth else {
                throw QueryError(.execution, tooBig + " for one key even after spilling (too many right rows share the equality keys); raise --memory-limit or filter the right side")
            }
            lastSpill = try runPartitioned(emit)
            return
        }
        let side = try prepare(built)
        try left.run { [self] b throws(QueryError) in
            guard let out = try probe(b, side) else { return true }
            return try emit(out)
        }
    }

    /// The right side ready for probing: its rows, grouped by key (a constant key when there are
    /// no equalities), each group's rows in time order.
    private struct BuildSide {
        let built: Batch
        let table: JoinHashTable
        let groupOf: [Int32]
        let members: [[Int32]]
        let rt: [Int64]
    }

    private func prepare(_ built: Batch) throws(QueryError) -> BuildSide {
        var keys: [Vector] = []
        for k in rightKeys { keys.append(try Evaluator.evaluate(k, built)) }
        let rtv = try Evaluator.evaluate(rightTime, built)
        let rt = Self.times(rtv)
        let constKey = [Vector.constant(.int(0), type: .int, count: built.count)]
        let table = try JoinHashTable(keys: keys.isEmpty ? constKey : keys, count: built.count)
        var groupOf = [Int32](repeating: -1, count: built.count)
        var members: [[Int32]] = []
        let heads = table.firstMatches(keys.isEmpty ? constKey : keys, count: built.count)
        let chains = table.chains, nullable = rtv.mayHaveNulls
        groupOf.withUnsafeMutableBufferPointer { gp in
            chains.withUnsafeBufferPointer { cp in
                for r in 0..<built.count where gp[r] < 0 && heads[r] >= 0 && !(nullable && rtv.isNull(r)) {
                    var list: [Int32] = []
                    var m = heads[r]
                    while m >= 0 {
                        gp[Int(m)] = Int32(members.count)
                        if !nullable || !rtv.isNull(Int(m)) { list.append(m) }
                        m = cp[Int(m)]
                    }
                    members.append(list)
                }
            }
        }
        var sortedGroups = 0
        for g in members.indices {
            let list = members[g]
            if zip(list, list.dropFirst()).contains(where: { rt[Int($0.0)] > rt[Int($0.1)] }) {
                members[g].sort { (rt[Int($0)], $0) < (rt[Int($1)], $1) }
                sortedGroups += 1
            }
        }
        groups = (members.count, sortedGroups)
        return BuildSide(built: built, table: table, groupOf: groupOf, members: members, rt: rt)
    }

    /// One left batch joined with the right side, in left-row order; nil when no row comes out.
    /// Reads only `side`: safe from several threads at once.
    private func probe(_ b: Batch, _ side: BuildSide) throws(QueryError) -> Batch? {
        var lk: [Vector] = []
        for k in leftKeys { lk.append(try Evaluator.evaluate(k, b)) }
        let probe = side.table.firstMatches(lk.isEmpty ? [Vector.constant(.int(0), type: .int, count: b.count)] : lk, count: b.count)
        let ltv = try Evaluator.evaluate(leftTime, b)
        let lt = Self.times(ltv)
        let rt = side.rt
        var lrows: [Int32] = [], rrows: [Int32] = []
        for r in 0..<b.count {
            var match: Int32 = -1
            if probe[r] >= 0, !ltv.isNull(r), case let g = side.groupOf[Int(probe[r])], g >= 0 {
                let list = side.members[Int(g)]
                let t = lt[r]
                // First index whose time is > t (for >=, <) or >= t (for >, <=).
                var lo = 0, hi = list.count
                let strictAbove = op == .ge || op == .lt
                while lo < hi {
                    let mid = (lo + hi) / 2
                    let v = rt[Int(list[mid])]
                    if strictAbove ? v <= t : v < t { lo = mid + 1 } else { hi = mid }
                }
                if op == .ge || op == .gt {
                    if lo > 0 { match = list[lo - 1] }
                } else if lo < list.count {
                    match = list[lo]
                }
            }
            if match >= 0 || kind == .leftAsof {
                lrows.append(Int32(r))
                rrows.append(match)
            }
        }
        if lrows.isEmpty { return nil }
        return Batch(columns: b.columns.map { $0.gather(lrows) } + side.built.columns.map { $0.gatherPadded(rrows) }, count: lrows.count)
    }

    /// The right side made by `prepareMorsels`, shared by the workers probing it.
    private var morselSide: BuildSide?

    /// The left side streams through `morsel`.
    var streamInput: any PhysicalOperator { left }

    func prepareMorsels() throws(QueryError) -> Bool {
        lastSpill = nil
        guard let built = try collectRight() else { return false }   // spills: run as usual instead
        morselSide = try prepare(built)
        return true
    }

    func morsel(_ b: Batch, _ emit: (Batch) throws(QueryError) -> Void) throws(QueryError) {
        guard let side = morselSide, let out = try probe(b, side) else { return }
        try emit(out)
    }

    func finishMorsels() { morselSide = nil }

    /// Both inputs hash-partitioned by their equality keys; each pair of partitions joined by an
    /// `AsofJoinOperator` one level deeper.
    private func runPartitioned(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) -> SpillReport {
        let file = try SpillFile(owner: "ASOF JOIN")
        let rightParts = try SpillPartitions.partition(right, keys: rightKeys, file: file, memoryLimit: memoryLimit, seed: spillDepth)
        let leftParts = try SpillPartitions.partition(left, keys: leftKeys, file: file, memoryLimit: memoryLimit, seed: spillDepth)
        var report = SpillReport(bytes: 0, pieces: rightParts.count, what: "hash partitions per side")
        for (l, r) in zip(leftParts, rightParts) where l.rows > 0 && (r.rows > 0 || kind == .leftAsof) {
            let part = AsofJoinOperator(kind, SpilledSourceOperator(l, columns: left.columns), SpilledSourceOperator(r, columns: right.columns),
                                        leftKeys: leftKeys, rightKeys: rightKeys, op: op, leftTime: leftTime, rightTime: rightTime,
                                        memoryLimit: memoryLimit, spillDepth: spillDepth + 1)
            guard try report.run(partition: part, emit) else { break }
        }
        report.bytes += file.size
        return report
    }

    func explain(analyzed: Bool) -> [String] {
        var s = "ASOF JOIN \(kind == .leftAsof ? "LEFT" : "INNER") on "
        s += (zip(leftKeys, rightKeys).map { "\($0.0.text) = \($0.1.text)" } + ["\(leftTime.text) \(op.rawValue) \(rightTime.text)"]).joined(separator: " AND ")
        s += " (right side grouped by key, binary search per left row; groups already in time order are not sorted)"
        if analyzed && lastSpill == nil { s += "; last run: \(groups.total) groups, \(groups.sorted) sorted" }
        s += SpillReport.suffix(lastSpill, analyzed: analyzed)
        if lastSpill == nil, let n = MorselPipeline.threads(below: self) { s += "; probed per scan thread on \(n) threads" }
        return [s]
    }
}
