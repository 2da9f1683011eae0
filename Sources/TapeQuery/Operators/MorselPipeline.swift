import Synchronization

/// A streaming operator that can transform its input's batches on the scan's worker threads
/// (Filter, Project, the probe of a hash join of any kind, the probe of an ASOF join).
protocol MorselOperator: PhysicalOperator {
    /// The input whose batches it transforms (a hash join's probe side).
    var streamInput: any PhysicalOperator { get }
    /// Makes shared state ready on the calling thread (a hash join's build side). false when the
    /// operator cannot run per batch after all (the build side outgrew the memory limit and must
    /// spill); the pipeline then runs as usual.
    func prepareMorsels() throws(QueryError) -> Bool
    /// Transforms one batch, handing the output to `emit` in row order. After `prepareMorsels`
    /// returned true this may be called from several threads at once: it reads only state that
    /// `prepareMorsels` made and no call changes.
    func morsel(_ b: Batch, _ emit: (Batch) throws(QueryError) -> Void) throws(QueryError)
    /// Rows to emit once every batch went through `morsel` (a RIGHT/FULL join's unmatched build
    /// rows), on the calling thread. Default: none.
    func drainMorsels(_ emit: (Batch) throws(QueryError) -> Void) throws(QueryError)
    /// Drops what `prepareMorsels` made.
    func finishMorsels()
}

extension MorselOperator {
    func drainMorsels(_ emit: (Batch) throws(QueryError) -> Void) throws(QueryError) {}
}

/// Streaming operators over a Tape scan, run per chunk on the scan's worker threads — the part of
/// a pipeline (DuckDB's source → operators → sink) below a sink that merges per-thread states,
/// such as `HashAggregateOperator`'s partial aggregations.
///
/// Each chunk's rows go through every stage on the worker that read the chunk; the sink gets
/// them with their position in row order (chunk index << 32 + rows before them in the chunk's
/// output), so order-sensitive aggregates (first, last, arg_min/arg_max ties) give the answer
/// a single thread gives.
/// `@unchecked Sendable`: the operators are used from the workers only through `morsel`, which
/// after `prepare` reads shared state that nothing changes until `finish`.
final class MorselPipeline: @unchecked Sendable {
    let scan: TapeScanOperator
    /// Bottom (next to the scan) to top.
    let stages: [any MorselOperator]

    private init(scan: TapeScanOperator, stages: [any MorselOperator]) {
        self.scan = scan
        self.stages = stages
    }

    /// The pipeline feeding a sink whose input is `op`: morsel operators down to a Tape scan that
    /// streams unordered. nil when `op` is anything else.
    static func find(_ op: any PhysicalOperator) -> MorselPipeline? {
        var stages: [any MorselOperator] = []
        var cur = op
        while let m = cur as? any MorselOperator {
            stages.insert(m, at: 0)
            cur = m.streamInput
        }
        guard let scan = cur as? TapeScanOperator, scan.streamsUnordered else { return nil }
        return MorselPipeline(scan: scan, stages: stages)
    }

    /// Prepares every stage (bottom up); false when one cannot run per batch.
    func prepare() throws(QueryError) -> Bool {
        for (i, s) in stages.enumerated() where try !s.prepareMorsels() {
            for p in stages[...i] { p.finishMorsels() }
            return false
        }
        return true
    }

    func finish() {
        for s in stages { s.finishMorsels() }
    }

    /// Runs the scan on `threads` workers and each chunk's rows through the stages; the sink
    /// `body(state, position, batch)` gets every output batch on the worker's thread, with its
    /// worker's state from `makeState`. Then, on the calling thread, what each stage emits at the
    /// end (`drainMorsels`, bottom up) goes through the stages above it into the first worker's
    /// state, positioned after every chunk's rows (as one thread emits it last). Returns the
    /// states. REQUIRES: `prepare()` returned true.
    func run<W>(threads: Int, makeState: @escaping @Sendable (Int) -> W,
                _ body: @escaping @Sendable (W, Int64, Batch) throws(QueryError) -> Void) throws(QueryError) -> [W] {
        var states = try scan.runUnordered(threads: threads, makeState: makeState) { [self] state, task, batch throws(QueryError) in
            var offset: Int64 = 0
            let base = Int64(task) << 32
            try push(batch, stage: 0) { out throws(QueryError) in
                try body(state, base + offset, out)
                offset += Int64(out.count)
            }
        }
        for i in stages.indices {
            var offset = Int64(1) << 62 + Int64(i) << 48
            try stages[i].drainMorsels { out throws(QueryError) in
                if states.isEmpty { states.append(makeState(0)) }
                let state = states[0]
                try push(out, stage: i + 1) { b throws(QueryError) in
                    try body(state, offset, b)
                    offset += Int64(b.count)
                }
            }
        }
        return states
    }

    /// Runs the scan's tasks on `threads` workers, each task's rows through every stage on the
    /// worker that read them, and hands the output to `emit` on the calling thread in task order
    /// — what one thread produces — then what each stage emits at the end (`drainMorsels`, bottom
    /// up, e.g. a RIGHT/FULL join's unmatched build rows, once) through the stages above it.
    /// Stops once `emit` returns false. REQUIRES: `prepare()` returned true.
    func runOrdered(threads: Int, _ emit: (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        var more = true
        try scan.runOrdered(threads: threads, { [self] b throws(QueryError) in
            var out: [Batch] = []
            try push(b, stage: 0) { out.append($0) }
            return out
        }) { b throws(QueryError) in
            more = try emit(b)
            return more
        }
        for i in stages.indices where more {
            try stages[i].drainMorsels { out throws(QueryError) in
                guard more else { return }
                try push(out, stage: i + 1) { b throws(QueryError) in if more { more = try emit(b) } }
            }
        }
    }

    /// Runs `op` (a join that no sink above drives per batch) with its probe side's pipeline on
    /// the scan's worker threads, in order (`runOrdered`). false when it cannot — no unordered
    /// Tape scan below, one thread, or a stage must spill — and the caller runs as usual.
    static func runOrdered(_ op: any MorselOperator, _ emit: (Batch) throws(QueryError) -> Bool) throws(QueryError) -> Bool {
        guard let pipe = find(op), pipe.scan.threads > 1, try pipe.prepare() else { return false }
        defer { pipe.finish() }
        try pipe.runOrdered(threads: pipe.scan.threads, emit)
        return true
    }

    /// The scan threads `op`'s probe side would run on per batch (nil: one thread, or no
    /// unordered Tape scan below), for EXPLAIN.
    static func threads(below op: any MorselOperator) -> Int? {
        guard let pipe = find(op), pipe.scan.threads > 1 else { return nil }
        return pipe.scan.threads
    }

    private func push(_ b: Batch, stage: Int, _ sink: (Batch) throws(QueryError) -> Void) throws(QueryError) {
        guard stage < stages.count else { return try sink(b) }
        try stages[stage].morsel(b) { out throws(QueryError) in
            if out.count > 0 { try push(out, stage: stage + 1, sink) }
        }
    }
}

/// A flag set once from any thread (e.g. "a worker's state outgrew the memory limit").
final class BudgetFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
