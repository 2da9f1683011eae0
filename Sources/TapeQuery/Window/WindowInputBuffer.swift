/// The Window operator's materialised input: batches appended column by column, with the bytes
/// they hold counted against the memory budget (`overLimit`).
struct WindowInputBuffer {
    private var builders: [VectorBuilder]
    private let memoryLimit: Int
    private(set) var count = 0

    init(types: [SQLType], memoryLimit: Int) {
        builders = types.map { VectorBuilder(type: $0) }
        self.memoryLimit = memoryLimit
    }

    /// Appends `columns` (one vector per type given at init, each `rows` long); the caller
    /// checks `overLimit` and spills or fails.
    mutating func add(_ columns: [Vector], rows: Int) {
        for (k, v) in columns.enumerated() { builders[k].append(v) }
        count += rows
    }

    /// Held rows plus, per row, the sort permutation and the frame bounds built later.
    var bytes: Int { builders.reduce(0) { $0 + $1.approximateBytes } + count * 24 }

    /// Whether the rows held pass the memory budget.
    var overLimit: Bool { bytes > memoryLimit }

    func build() throws(QueryError) -> [Vector] { try builders.map { (b) throws(QueryError) in try b.build() } }
}

extension WindowEvaluator {
    /// `rows` with one column per window function appended (after the first `base` columns).
    static func appended(_ windows: [BoundWindow], to rows: Batch, base: Int) throws(QueryError) -> Batch {
        var columns = Array(rows.columns.prefix(base))
        columns += try evaluate(windows, over: rows)
        return Batch(columns: columns, count: rows.count)
    }

    /// Hands `b` to `emit` in pieces of at most 65,536 rows; false once `emit` wants no more.
    static func emitInPieces(_ b: Batch, _ emit: (Batch) throws(QueryError) -> Bool) throws(QueryError) -> Bool {
        var start = 0
        while start < b.count {
            let end = min(b.count, start + 65_536)
            let piece = b.slice(start..<end)
            if try !emit(piece) { return false }
            start = end
        }
        return true
    }
}
