/// Grace hash join: a hash join whose build side (right input) outgrows `--memory-limit`. Both
/// inputs are hash-partitioned on their equality keys into a temporary file (`SpillPartitions`;
/// rows with equal keys share a partition), then each pair of partitions is joined by an ordinary
/// `HashJoinOperator` over `SpilledSourceOperator`s — which spills again, hashing with another
/// seed, if a build partition still does not fit, up to `maxDepth` levels. Every join kind works
/// per partition: a match never crosses partitions, so unmatched rows (LEFT/RIGHT/FULL/ANTI) are
/// found within theirs. Output comes partition by partition, not in left-row order.
struct GraceHashJoin {
    static let maxDepth = 3
    let join: HashJoinOperator

    init(_ join: HashJoinOperator) { self.join = join }

    /// The right input as one batch, or nil once it passes `memoryLimit` (the input is then run
    /// again to be partitioned; it is not held).
    static func collect(_ input: any PhysicalOperator, memoryLimit: Int) throws(QueryError) -> Batch? {
        var batches: [Batch] = []
        var bytes = 0
        var over = false
        try input.run { b throws(QueryError) in
            batches.append(b)
            bytes += b.approximateBytes
            over = bytes > memoryLimit
            return !over
        }
        return over ? nil : try Batch.concatenate(batches, types: input.columns.map(\.type), label: "HASH JOIN build")
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) -> SpillReport {
        let j = join
        guard j.spillDepth < GraceHashJoin.maxDepth else {
            throw QueryError(.execution, "\(j.kind.rawValue) JOIN: the hash join's build side (its right input) needs more than \(QueryOptions.describe(bytes: j.memoryLimit)) (--memory-limit) for one key even after spilling (too many right rows share a join key); raise --memory-limit or filter the right side")
        }
        let file = try SpillFile(owner: "\(j.kind.rawValue) JOIN")
        let rightParts = try SpillPartitions.partition(j.right, keys: j.rightKeys, file: file, memoryLimit: j.memoryLimit, seed: j.spillDepth)
        let leftParts = try SpillPartitions.partition(j.left, keys: j.leftKeys, file: file, memoryLimit: j.memoryLimit, seed: j.spillDepth)
        var report = SpillReport(bytes: 0, pieces: rightParts.count, what: "hash partitions per side")
        for (l, r) in zip(leftParts, rightParts) {
            // Nothing can come out of a partition with no rows on the sides that produce output.
            switch j.kind {
            case .inner, .semi: if l.rows == 0 || r.rows == 0 { continue }
            case .left, .anti: if l.rows == 0 { continue }
            case .right: if r.rows == 0 { continue }
            default: if l.rows == 0 && r.rows == 0 { continue }
            }
            let part = HashJoinOperator(j.kind, SpilledSourceOperator(l, columns: j.left.columns), SpilledSourceOperator(r, columns: j.right.columns),
                                        leftKeys: j.leftKeys, rightKeys: j.rightKeys, residual: j.residual, memoryLimit: j.memoryLimit,
                                        spillDepth: j.spillDepth + 1)
            guard try report.run(partition: part, emit) else { break }
        }
        report.bytes += file.size
        return report
    }
}
