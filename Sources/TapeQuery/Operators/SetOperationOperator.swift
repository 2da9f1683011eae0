import TapeFormat

/// INTERSECT [ALL] and EXCEPT [ALL] with DuckDB's semantics: rows compare as whole tuples, NULL
/// equal to NULL (and NaN to NaN). Without ALL the result is a set (each qualifying left row
/// once); with ALL it is a bag (INTERSECT ALL keeps min(m, n) copies, EXCEPT ALL m - n).
/// A pipeline breaker on the right input: the right rows are counted in a hash table, then the
/// left input streams through it (without ALL, into a DISTINCT stage, which spills as DISTINCT
/// does). When the right side's table outgrows `memoryLimit`, both inputs are hash-partitioned by
/// the whole row into a temporary file and each pair of partitions is answered alone (equal rows
/// share a partition); output then comes partition by partition. A partition that still does not
/// fit is split again with another seed, up to `maxDepth` levels, then the query fails naming the
/// operator and the limit.
/// Inputs have the same column types (the planner casts them); output names are the left's.
final class SetOperationOperator: SpillingOperator {
    static let maxDepth = 3
    let left: any PhysicalOperator
    let right: any PhysicalOperator
    let op: SetOperator
    let all: Bool
    let memoryLimit: Int
    /// 0 for the planned operator; 1, 2, … for the per-partition operators of a spilled run.
    let spillDepth: Int
    let columns: [OutputColumn]
    var children: [any PhysicalOperator] { [left, right] }
    /// What the last run spilled (nil: nothing).
    private(set) var lastSpill: SpillReport?

    init(_ op: SetOperator, all: Bool, _ left: any PhysicalOperator, _ right: any PhysicalOperator, memoryLimit: Int, spillDepth: Int = 0) {
        precondition(op != .union, "UNION is UnionAll (+ Distinct)")
        self.op = op
        self.all = all
        self.left = left
        self.right = right
        self.memoryLimit = memoryLimit
        self.spillDepth = spillDepth
        columns = left.columns.map { OutputColumn(name: $0.name, type: $0.type) }
    }

    private var name: String { "\(op.rawValue)\(all ? " ALL" : "")" }

    /// How often each distinct right row occurs; nil once the table outgrew `memoryLimit`.
    private func countRight() throws(QueryError) -> RowCounts? {
        let counts = RowCounts(columns: right.columns.count)
        let limit = memoryLimit
        var over = false
        try right.run { b throws(QueryError) in
            counts.add(b)
            over = counts.approximateBytes > limit
            return !over
        }
        return over ? nil : counts
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        lastSpill = nil
        guard let counts = try countRight() else {
            lastSpill = try runPartitioned(emit)
            return
        }
        let probe = SetOperationProbe(left, counts: counts, intersect: op == .intersect, all: all)
        if all {
            try probe.run(emit)
        } else {
            let spec = ResultStage.Spec(types: columns.map(\.type), visible: columns.count, distinct: true, what: name)
            lastSpill = try ResultStage.drive(probe, spec, memoryLimit: memoryLimit, emit)
        }
    }

    /// Both inputs hash-partitioned by the whole row; each pair of partitions answered by a
    /// `SetOperationOperator` one level deeper.
    private func runPartitioned(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) -> SpillReport {
        guard spillDepth < SetOperationOperator.maxDepth else {
            throw QueryError(.execution, "\(name) needs more than \(QueryOptions.describe(bytes: memoryLimit)) (--memory-limit) for the distinct rows of its right side even after spilling them to hash partitions; raise --memory-limit")
        }
        let file = try SpillFile(owner: name)
        let rightParts = try SpillPartitions.partition(right, keys: [], file: file, memoryLimit: memoryLimit, seed: spillDepth)
        let leftParts = try SpillPartitions.partition(left, keys: [], file: file, memoryLimit: memoryLimit, seed: spillDepth)
        var report = SpillReport(bytes: 0, pieces: rightParts.count, what: "hash partitions per side")
        for (l, r) in zip(leftParts, rightParts) where l.rows > 0 {
            let part = SetOperationOperator(op, all: all, SpilledSourceOperator(l, columns: left.columns), SpilledSourceOperator(r, columns: right.columns),
                                            memoryLimit: memoryLimit, spillDepth: spillDepth + 1)
            guard try report.run(partition: part, emit) else { break }
        }
        report.bytes += file.size
        return report
    }

    func explain(analyzed: Bool) -> [String] {
        ["\(name) (hash table of the right side)" + SpillReport.suffix(lastSpill, analyzed: analyzed)]
    }
}

/// The right side's rows of a set operation, with how often each occurs: rows as tuple ids of
/// per-column key codes (`KeyTupleIds`, as GROUP BY: NULL equals NULL, NaN equals NaN), and a
/// count per id.
final class RowCounts {
    private var tuples: KeyTupleIds
    private var counts: [Int] = []

    init(columns: Int) { tuples = KeyTupleIds(columns: columns) }

    var approximateBytes: Int { tuples.approximateBytes + counts.count * 8 }

    func add(_ b: Batch) {
        guard b.count > 0 else { return }
        let ids = tuples.ids(b.columns, count: b.count)
        if counts.count < tuples.count { counts.append(contentsOf: repeatElement(0, count: tuples.count - counts.count)) }
        for id in ids { counts[Int(id)] += 1 }
    }

    /// The id of each row of `b` among the counted rows (nil: a row the right side lacks).
    func ids(_ b: Batch) -> [Int?] {
        tuples.existingIds(b.columns, count: b.count).map { $0 == .max ? nil : Int($0) }
    }

    subscript(id: Int) -> Int {
        get { counts[id] }
        set { counts[id] = newValue }
    }
}

/// The left input of a set operation filtered by the right side's counts: INTERSECT keeps rows
/// present on the right, EXCEPT rows absent; with ALL each right copy cancels one left copy
/// (the counts are used up as the left streams). Without ALL, duplicates are left for the
/// DISTINCT stage above.
private final class SetOperationProbe: PhysicalOperator {
    let left: any PhysicalOperator
    let counts: RowCounts
    let intersect: Bool
    let all: Bool
    var columns: [OutputColumn] { left.columns }
    var children: [any PhysicalOperator] { [left] }

    init(_ left: any PhysicalOperator, counts: RowCounts, intersect: Bool, all: Bool) {
        self.left = left
        self.counts = counts
        self.intersect = intersect
        self.all = all
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        let counts = self.counts, intersect = self.intersect, all = self.all
        try left.run { b throws(QueryError) in
            var keep: [Int32] = []
            for (r, id) in counts.ids(b).enumerated() {
                let n = id.map { counts[$0] } ?? 0
                if all, n > 0, let id { counts[id] = n - 1 }
                if (n > 0) == intersect { keep.append(Int32(r)) }
            }
            if keep.isEmpty { return true }
            return try emit(keep.count == b.count ? b : b.gather(keep))
        }
    }

    func explain(analyzed: Bool) -> [String] { [] }
}

/// Rows as tuples of values (spilled DISTINCT partitions, correlated subquery answers).
enum RowKey {
    /// Rough bytes a tuple occupies in a hash table.
    static func approximateBytes(_ row: [Datum]) -> Int {
        64 + row.reduce(0) { acc, d in if case .string(let s) = d { return acc + 32 + s.utf8.count } else { return acc + 32 } }
    }
}
