import TapeFormat

/// INTERSECT [ALL] and EXCEPT [ALL] with DuckDB's semantics: rows compare as whole tuples, NULL
/// equal to NULL (and NaN to NaN). Without ALL the result is a set (each qualifying left row
/// once); with ALL it is a bag (INTERSECT ALL keeps min(m, n) copies, EXCEPT ALL m - n).
/// A pipeline breaker on the right input: the right rows are counted in a hash table (within
/// `memoryLimit`, else the query fails naming the operator), then the left input streams.
/// Inputs have the same column types (the planner casts them); output names are the left's.
final class SetOperationOperator: PhysicalOperator {
    let left: any PhysicalOperator
    let right: any PhysicalOperator
    let op: SetOperator
    let all: Bool
    let memoryLimit: Int
    let columns: [OutputColumn]
    var children: [any PhysicalOperator] { [left, right] }

    init(_ op: SetOperator, all: Bool, _ left: any PhysicalOperator, _ right: any PhysicalOperator, memoryLimit: Int) {
        precondition(op != .union, "UNION is UnionAll (+ Distinct)")
        self.op = op
        self.all = all
        self.left = left
        self.right = right
        self.memoryLimit = memoryLimit
        columns = left.columns.map { OutputColumn(name: $0.name, type: $0.type) }
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        var counts: [[Datum]: Int] = [:]
        var bytes = 0
        let limit = memoryLimit, name = "\(op.rawValue)\(all ? " ALL" : "")"
        try right.run { b throws(QueryError) in
            for r in 0..<b.count {
                let key = b.columns.map { $0.datum(r) }
                if counts[key, default: 0] == 0 { bytes += RowKey.approximateBytes(key) }
                counts[key, default: 0] += 1
            }
            if bytes > limit {
                throw QueryError(.execution, "\(name) needs more than \(QueryOptions.describe(bytes: limit)) (--memory-limit) for the rows of its right side; raise --memory-limit")
            }
            return true
        }
        let intersect = op == .intersect, all = self.all
        var emitted = Set<[Datum]>()
        try left.run { b throws(QueryError) in
            var keep: [Int32] = []
            for r in 0..<b.count {
                let key = b.columns.map { $0.datum(r) }
                let n = counts[key] ?? 0
                switch (intersect, all) {
                case (true, true):
                    if n > 0 { counts[key] = n - 1; keep.append(Int32(r)) }
                case (true, false):
                    if n > 0, emitted.insert(key).inserted { keep.append(Int32(r)) }
                case (false, true):
                    if n > 0 { counts[key] = n - 1 } else { keep.append(Int32(r)) }
                case (false, false):
                    if n == 0, emitted.insert(key).inserted { keep.append(Int32(r)) }
                }
            }
            if keep.isEmpty { return true }
            return try emit(keep.count == b.count ? b : b.gather(keep))
        }
    }

    func explain(analyzed: Bool) -> [String] { ["\(op.rawValue)\(all ? " ALL" : "") (hash table of the right side)"] }
}

/// Rows as tuples of values, for set operations and DISTINCT.
enum RowKey {
    /// Rough bytes a tuple occupies in a hash table.
    static func approximateBytes(_ row: [Datum]) -> Int {
        64 + row.reduce(0) { acc, d in if case .string(let s) = d { return acc + 32 + s.utf8.count } else { return acc + 32 } }
    }
}
