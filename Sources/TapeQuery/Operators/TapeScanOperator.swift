/// The leaf that reads one Tape table across every run: Tape's single-table fast path.
///
/// It runs a whole `QueryPlan` fused into the scan (`Executor`): the optimizer decisions made while
/// binding — WHERE conjuncts pushed to zone maps, run-constant conjuncts pruning whole runs, only
/// the needed columns decoded (filter columns first), aggregates computed per worker thread or
/// answered from footer statistics, ORDER BY … LIMIT as a top-N buffer whose boundary skips
/// chunks, LIMIT stopping the scan early — all happen here, and EXPLAIN lists them on this
/// operator. Under a join or a set operation the plan is just the columns the query uses (unused
/// ones are NULL constants) plus the WHERE conjuncts that concern this table alone.
///
/// Output: `plan.outputs` (named `plan.outputNames`, qualified by the table's alias or name).
/// Batches arrive in storage order (run by run, chunk by chunk) unless the plan aggregates or sorts.
final class TapeScanOperator: PhysicalOperator {
    let plan: QueryPlan
    let runs: RunSet
    private let executor: Executor
    let columns: [OutputColumn]
    var children: [any PhysicalOperator] { [] }
    /// What the last run read and skipped.
    var stats: ScanStats { executor.stats }

    init(plan: QueryPlan, runs: RunSet, options: QueryOptions, qualifier: String? = nil, hidden: Set<Int> = []) throws(QueryError) {
        self.plan = plan
        self.runs = runs
        executor = try Executor(plan: plan, runs: runs, options: options)
        columns = zip(plan.outputNames, plan.outputs).enumerated().map { i, c in
            OutputColumn(name: c.0, type: c.1.type, qualifier: qualifier, hiddenFromStar: hidden.contains(i))
        }
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        try executor.run { b in try emit(b) }
    }

    /// Whether the scan is a plain filtered projection whose chunks a pipeline above it may
    /// consume in any order, on the scan's workers (`MorselPipeline`).
    var streamsUnordered: Bool { executor.isUnorderedStreamable }

    /// The scan on `threads` workers, unordered (see `Executor.runUnordered`).
    func runUnordered<W>(threads: Int, makeState: @escaping @Sendable (Int) -> W,
                         _ body: @escaping @Sendable (W, Int, Batch) throws(QueryError) -> Void) throws(QueryError) -> [W] {
        try executor.runUnordered(threads: threads, makeState: makeState, body)
    }

    /// The scan on `threads` workers, each chunk's projected rows through `transform` on its
    /// worker, consumed in storage order (see `Executor.runProjected`).
    func runOrdered(threads: Int, _ transform: @escaping @Sendable (Batch) throws(QueryError) -> [Batch],
                    _ consume: (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        try executor.runProjected(threads: threads, transform, consume)
    }

    /// Worker threads the scan uses.
    var threads: Int { executor.options.threads }

    func explain(analyzed: Bool) -> [String] {
        var lines = Explain.scanLines(plan, runs: runs)
        if !lines.isEmpty { lines[0] += SpillReport.suffix(executor.spillReport.withLock { $0 }, analyzed: analyzed) }
        return lines
    }
}
