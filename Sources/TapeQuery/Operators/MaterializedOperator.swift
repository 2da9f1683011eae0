/// A WITH query (CTE) read by name: the query runs once, the first time any reference to it
/// runs, and its batches are kept in memory and replayed for every reference (DuckDB's
/// materialised CTE). Output columns: the query's, renamed by the CTE's column list and qualified
/// by the name it is referenced as.
final class MaterializedOperator: PhysicalOperator {
    /// The shared result of one CTE.
    final class Shared {
        let query: any PhysicalOperator
        let name: String
        let memoryLimit: Int
        private var batches: [Batch]?
        /// Set by planning once a reference shows the query in EXPLAIN.
        var referenced = false
        init(_ query: any PhysicalOperator, name: String, memoryLimit: Int) {
            self.query = query
            self.name = name
            self.memoryLimit = memoryLimit
        }
        /// The query's batches (run on first use), failing when they outgrow `memoryLimit`.
        func result() throws(QueryError) -> [Batch] {
            if let batches { return batches }
            let name = self.name, limit = memoryLimit
            let b = try query.materialize(memoryLimit: limit, tooBig: "WITH \(name): its result needs more than \(QueryOptions.describe(bytes: limit)) (--memory-limit); raise --memory-limit or select fewer rows or columns")
            batches = [b]
            return [b]
        }
    }

    let shared: Shared
    let columns: [OutputColumn]
    /// Only the first reference shows the query in EXPLAIN.
    let showsQuery: Bool
    var children: [any PhysicalOperator] { showsQuery ? [shared.query] : [] }

    init(_ shared: Shared, columns: [OutputColumn], showsQuery: Bool) {
        self.shared = shared
        self.columns = columns
        self.showsQuery = showsQuery
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        for b in try shared.result() where b.count > 0 {
            if try !emit(b) { return }
        }
    }

    func explain(analyzed: Bool) -> [String] {
        ["CTE SCAN \(shared.name) (materialised\(showsQuery ? "" : " above"))"]
    }
}
