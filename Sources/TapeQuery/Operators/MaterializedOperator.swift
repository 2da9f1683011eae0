/// A WITH query (CTE) read by name: the query runs once, the first time any reference to it
/// runs, and its batches are kept and replayed for every reference (DuckDB's materialised CTE):
/// in memory up to `--memory-limit`, beyond it written to a temporary spill file (held until the
/// query ends) and read back block by block for each reference. Output columns: the query's,
/// renamed by the CTE's column list and qualified by the name it is referenced as.
final class MaterializedOperator: PhysicalOperator {
    /// The shared result of one CTE.
    final class Shared {
        let query: any PhysicalOperator
        let name: String
        let memoryLimit: Int
        /// The result: batches in memory, or (beyond the limit) a spilled stream.
        private enum Stored {
            case memory([Batch])
            case spilled(SpillStream)
        }
        private var stored: Stored?
        /// What the query's run spilled (nil: nothing).
        private(set) var spillReport: SpillReport?
        /// Set by planning once a reference shows the query in EXPLAIN.
        var referenced = false
        init(_ query: any PhysicalOperator, name: String, memoryLimit: Int) {
            self.query = query
            self.name = name
            self.memoryLimit = memoryLimit
        }

        /// Runs the query on first use, keeping its batches (spilling them once they outgrow
        /// `memoryLimit`).
        private func result() throws(QueryError) -> Stored {
            if let stored { return stored }
            let limit = memoryLimit, owner = "WITH \(name)", types = query.columns.map(\.type)
            var held: [Batch] = []
            var bytes = 0
            var spilled: SpillStream?
            try query.run { b throws(QueryError) in
                guard b.count > 0 else { return true }
                if spilled != nil {
                    try spilled?.write(b)
                    return true
                }
                held.append(b)
                bytes += b.approximateBytes
                if bytes > limit {
                    var s = SpillStream(file: try SpillFile(owner: owner), types: types)
                    for h in held { try s.write(h) }
                    held = []
                    spilled = s
                }
                return true
            }
            let r: Stored
            if let spilled {
                r = .spilled(spilled)
                spillReport = SpillReport(bytes: spilled.file.size, pieces: spilled.blocks.count, what: "blocks")
            } else {
                r = .memory(held)
            }
            stored = r
            return r
        }

        /// The result's batches, in the order the query produced them, into `emit` (false stops).
        func replay(_ emit: (Batch) throws(QueryError) -> Bool) throws(QueryError) {
            switch try result() {
            case .memory(let batches):
                for b in batches where try !emit(b) { return }
            case .spilled(let stream):
                try stream.forEach(emit)
            }
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
        try shared.replay(emit)
    }

    func explain(analyzed: Bool) -> [String] {
        ["CTE SCAN \(shared.name) (materialised\(showsQuery ? "" : " above"))" + SpillReport.suffix(shared.spillReport, analyzed: analyzed)]
    }
}
