import Foundation
import Synchronization
import Tape
import TapeCodec
import TapeFormat

/// Runs a `QueryPlan` over a `RunSet`.
///
/// Planning picks the chunks to read: runs whose run-constant filter fails and chunks whose zone
/// maps rule out a WHERE conjunct are skipped. Each remaining chunk is a task: decode only the
/// needed columns, filter, then either aggregate into the worker's own group table and states
/// (merged at the end) or project rows that are handed, in chunk order, to the `ResultStage`.
/// With several threads, workers take tasks in order and stay at most a small window ahead of the
/// consumer, so memory stays bounded while a slow output or an early LIMIT holds things up.
final class Executor: Sendable {
    let plan: QueryPlan
    let runs: RunSet
    let options: QueryOptions
    private let needed: [Int]
    /// Slots read after WHERE (by keys, aggregates, outputs); the others are not gathered.
    private let usedAfterFilter: Set<Int>
    let tasks: [ScanTask]
    /// Planning's counts, then the scanning threads' (updated once per chunk).
    private let scanStats: Mutex<ScanStats>
    /// Set when the fused aggregation outgrew `--memory-limit` (it then spills: `Executor+Spill`).
    let budgetExceeded = Mutex(false)
    /// What the last run spilled, for EXPLAIN ANALYZE.
    let spillReport = Mutex<SpillReport?>(nil)
    var stats: ScanStats { scanStats.withLock { $0 } }

    init(plan: QueryPlan, runs: RunSet, options: QueryOptions) throws(QueryError) {
        self.plan = plan
        self.runs = runs
        self.options = options
        needed = plan.neededSlots
        var after = Set<Int>()
        if let keys = plan.keys {
            for k in keys { after.formUnion(k.slots) }
            for a in plan.aggregates { for e in a.inputs { after.formUnion(e.slots) } }
        } else {
            for e in plan.outputs + plan.hidden { after.formUnion(e.slots) }
        }
        after.formUnion(plan.windowInputSlots)
        usedAfterFilter = after
        var stats = ScanStats(table: plan.table ?? "(none)")
        tasks = try Self.planTasks(plan: plan, runs: runs, needed: needed, stats: &stats)
        scanStats = Mutex(stats)
        options.progress?.planned(chunks: tasks.count)
    }

    // MARK: - Planning

    private static func planTasks(plan: QueryPlan, runs: RunSet, needed: [Int], stats: inout ScanStats) throws(QueryError) -> [ScanTask] {
        guard let table = plan.table else { return [] }
        var tasks: [ScanTask] = []
        for (ri, run) in runs.runs.enumerated() {
            stats.runs += 1
            guard let t = run.tables.first(where: { $0.name == table }) else {
                stats.runsWithoutTable += 1
                continue
            }
            let columnIndex: [Int?] = needed.map { s in
                if case .column(let name, _) = plan.slots[s] { return t.schema.index(of: name) }
                return nil
            }
            let readBytes: (Footer.ChunkEntry) -> Int = { c in columnIndex.reduce(0) { $0 + ($1.map { c.blocks[$0].storedLength } ?? 0) } }
            stats.chunks += t.chunks.count
            var skipRun = false
            if let rf = plan.runFilter {
                let v = try Evaluator.evaluate(rf, runConstantBatch(ri, plan: plan, runs: runs))
                skipRun = v.isNull(0) || !v.datumBool(0)
            }
            // A predicate on a column this run lacks compares with NULL: no row can match.
            let predicates: [(Int, ColumnPredicate)] = plan.zonePredicates.compactMap { p in t.schema.index(of: p.column).map { ($0, p) } }
            if predicates.count < plan.zonePredicates.count { skipRun = true }
            if skipRun {
                stats.runsSkipped += 1
                stats.chunksSkipped += t.chunks.count
                stats.bytesSkipped += t.chunks.reduce(0) { $0 + readBytes($1) }
                continue
            }
            for (ci, c) in t.chunks.enumerated() {
                let keep = predicates.allSatisfy { col, p in
                    p.mayMatch(c.blocks[col].stats, rowCount: c.rowCount, nullCount: c.blocks[col].nullCount)
                }
                if keep {
                    tasks.append(ScanTask(run: ri, table: t, chunk: ci, columnIndex: columnIndex, bytes: readBytes(c)))
                } else {
                    stats.chunksSkipped += 1
                    stats.bytesSkipped += readBytes(c)
                }
            }
        }
        return tasks
    }

    /// A one-row batch holding only the run-constant slots of run `ri`.
    private static func runConstantBatch(_ ri: Int, plan: QueryPlan, runs: RunSet) -> Batch {
        Batch(columns: plan.slots.indices.map { constantSlot($0, ri, count: 1, plan: plan, runs: runs) }, count: 1)
    }

    private static func constantSlot(_ s: Int, _ ri: Int, count: Int, plan: QueryPlan, runs: RunSet) -> Vector {
        // Fields read in place: copying the whole `Run` per slot per task costs more than the read.
        switch plan.slots[s] {
        case .runID: return .constant(.string(runs.runs[ri].id), type: .string, count: count)
        case .metadata(let key, let type): return .constant(RunSet.metadataValue(runs.runs[ri].metadata, key, type), type: type, count: count)
        case .column(_, let type), .input(_, let type): return .constant(.null, type: type, count: count)
        }
    }

    // MARK: - Reading

    /// A worker's open file: tasks come in run order, so one reader at a time suffices (a
    /// `TapeReader` is not thread-safe; each worker has its own).
    final class Readers {
        private var current: (run: Int, reader: TapeReader)?
        private let runs: RunSet
        private let verify: Bool
        init(runs: RunSet, verify: Bool) {
            self.runs = runs
            self.verify = verify
        }
        func reader(_ run: Int) throws(QueryError) -> TapeReader {
            if let c = current, c.run == run { return c.reader }
            current = nil   // close the previous run's file first
            let r = runs.runs[run]
            let options = ReaderOptions(verifyChecksums: verify, allowUnsealed: !r.isSealed)
            do {
                // Reuse the footer already read when the run set kept its reader.
                let reader = try r.reader.map { try TapeReader(reopening: $0, options: options) } ?? TapeReader(path: r.path, options: options)
                current = (run, reader)
                return reader
            } catch {
                throw QueryError(.execution, "\(error)")
            }
        }
    }

    /// The input batch of a task: needed slots filled, others as NULL constants. With `only`,
    /// just those slots are decoded (into `into`, when given, whose other columns are kept). With
    /// `rows`, only those rows of the chunk (PAGED blocks decode only their pages).
    func load(_ task: ScanTask, _ readers: Readers, rows: Range<Int>? = nil, only: Set<Int>? = nil,
              into: Batch? = nil) throws(QueryError) -> Batch {
        let c = task.table.chunks[task.chunk]
        let count = rows?.count ?? c.rowCount
        var columns = into?.columns ?? plan.slots.indices.map { Self.constantSlot($0, task.run, count: count, plan: plan, runs: runs) }
        let wanted = needed.indices.filter { task.columnIndex[$0] != nil && (only?.contains(needed[$0]) ?? true) }
        let physical = wanted.map { task.columnIndex[$0]! }
        if physical.isEmpty { return Batch(columns: columns, count: count) }
        let data: [ColumnData]
        do {
            data = try readers.reader(task.run).readColumns(task.table, chunk: task.chunk, columns: physical,
                                                            rows: rows == 0..<c.rowCount ? nil : rows)
        } catch let e as QueryError {
            throw e
        } catch {
            throw QueryError(.execution, "\(error)")
        }
        for (k, i) in wanted.enumerated() {
            let s = needed[i]
            var v = Vector(data[k])
            if plan.slots[s].type == .double, case .int64(let a) = v.storage {
                v = Vector(type: .double, storage: .float64(a.map(Double.init)), validity: v.validity, count: v.count)
            }
            columns[s] = v
        }
        return Batch(columns: columns, count: count)
    }

    /// Reads a task's chunk and applies WHERE, decoding first only the columns the filter (and,
    /// for ORDER BY … LIMIT, the first sort key) reads: when no row survives, or none can still
    /// enter the top N (`cutoff`, read from any thread), the other columns are never decoded.
    /// Returns the rows scanned and the surviving batch and the stored bytes decoded.
    func scanTask(_ t: ScanTask, _ readers: Readers, cutoff: TopNCutoff? = nil) throws(QueryError) -> (Int, Batch, Int) {
        guard let f = plan.filter else {
            let b = try load(t, readers)
            return (b.count, b, t.bytes)
        }
        var first = f.slots
        let sortSlot = cutoff != nil ? topNSortSlot() : nil
        if let sortSlot { first.insert(sortSlot) }
        // The stored columns still to decode: needed, present in this run, not read for the filter.
        let rest = needed.indices.compactMap { i in first.contains(needed[i]) ? nil : t.columnIndex[i] }
        let chunk = t.table.chunks[t.chunk]
        let firstBytes = t.bytes - rest.reduce(0) { $0 + chunk.blocks[$1].storedLength }
        let pageRows = try candidateRows(t, readers)
        if let r = pageRows, r.isEmpty {
            return (0, keep([], of: try load(t, readers, rows: r, only: [])), firstBytes)
        }
        var b = try load(t, readers, rows: pageRows, only: first)
        let scanned = b.count
        var rows = try selection(f, b)
        if let boundary = cutoff?.current, let sortSlot {
            let v = b.columns[sortSlot]
            rows = (rows ?? (0..<Int32(b.count)).map { $0 }).filter { boundary.mayEnter(v, Int($0)) }
        }
        if let r = rows, r.isEmpty { return (scanned, keep([], of: b), firstBytes) }
        if !rest.isEmpty { b = try load(t, readers, rows: pageRows, only: Set(needed).subtracting(first), into: b) }
        return (scanned, rows.map { keep($0, of: b) } ?? b, t.bytes)
    }

    /// The rows of task `t`'s chunk that the page zone maps of its PAGED predicate columns leave
    /// (format 1.4); nil (every row) when the plan has no zone predicate. Counts the pages.
    private func candidateRows(_ t: ScanTask, _ readers: Readers) throws(QueryError) -> Range<Int>? {
        let predicates = plan.zonePredicates.compactMap { p in t.table.schema.index(of: p.column).map { (column: $0, predicate: p) } }
        guard !predicates.isEmpty else { return nil }
        let chunk = t.table.chunks[t.chunk]
        guard predicates.contains(where: { chunk.blocks[$0.column].encoding == PageDirectory.encodingID }) else { return nil }
        let selection: PageSelection
        do { selection = try readers.reader(t.run).candidateRows(t.table, chunk: t.chunk, where: predicates) } catch let e as QueryError {
            throw e
        } catch {
            throw QueryError(.execution, "\(error)")
        }
        scanStats.withLock { stats in
            stats.pages += selection.pages
            stats.pagesRead += selection.pagesKept
        }
        return selection.rows
    }

    /// The rows of `b` for which `f` is true, or nil when every row is.
    private func selection(_ f: BoundExpr, _ b: Batch) throws(QueryError) -> [Int32]? {
        try FilterOperator.selection(f, b)
    }

    /// Applies WHERE; returns the surviving rows.
    private func filtered(_ b: Batch) throws(QueryError) -> Batch {
        guard let f = plan.filter, let rows = try selection(f, b) else { return b }
        return keep(rows, of: b)
    }

    /// The rows `rows` of the columns read after WHERE; columns only the filter used become NULL
    /// placeholders instead of being gathered.
    private func keep(_ rows: [Int32], of b: Batch) -> Batch {
        var columns: [Vector] = []
        columns.reserveCapacity(b.columns.count)
        for (slot, v) in b.columns.enumerated() {
            if usedAfterFilter.contains(slot) { columns.append(v.gather(rows)) } else {
                columns.append(.constant(.null, type: v.type, count: rows.count))
            }
        }
        return Batch(columns: columns, count: rows.count)
    }

    // MARK: - Running

    /// Executes the plan, handing result batches (visible columns) to `emit` until it returns
    /// false or the result ends.
    func run(_ emit: @escaping (Batch) throws -> Bool) throws(QueryError) {
        let stage = ResultStage(plan: plan, memoryLimit: options.memoryLimit, emit: emit)
        spillReport.withLock { $0 = nil }
        budgetExceeded.withLock { $0 = false }
        if plan.table == nil {
            // SELECT without FROM: one empty row.
            let one = Batch(columns: [], count: 1)
            let b = try filtered(one)
            if plan.isAggregate {
                let agg = Aggregation(keys: plan.keys ?? [], aggregates: plan.aggregates)
                try agg.add(b, position: 0)
                try finishAggregate(agg, stage)
            } else if !plan.windows.isEmpty {
                try finishWindowed(b, stage)
            } else {
                _ = try stage.push(try project(b))
            }
            try stage.finish()
            return
        }
        let threads = max(1, min(options.threads, tasks.count))
        if plan.isAggregate, let answer = footerAnswer() {
            scanStats.withLock { stats in
                stats.chunksSkipped += tasks.count
                stats.bytesSkipped += tasks.reduce(0) { $0 + $1.bytes }
                stats.answeredFromStatistics = true
            }
            options.progress?.done(chunks: tasks.count)
            try finishPost(answer, stage)
        } else if plan.isAggregate {
            let agg: Aggregation
            do {
                agg = try runAggregate(threads: threads)
            } catch let e where canSpillAggregate && budgetExceeded.withLock({ $0 }) {
                _ = e
                try runSpilledAggregate(stage)
                try stage.finish()
                return
            }
            try finishAggregate(agg, stage)
        } else if !plan.windows.isEmpty {
            if let s = StreamingWindow(plan, runs: runs, tasks: tasks), try timeOrdered(s) {
                try streamWindows(s, stage)
            } else {
                try collectRows(threads: threads) { rows throws(QueryError) in try finishAppended(rows, stage) }
            }
        } else {
            try runProjection(threads: threads, stage)
        }
        try stage.finish()
        if let r = stage.spillReport { spillReport.withLock { $0 = r } }
    }

    /// The input slot of the stored column the first ORDER BY key reads directly, when the query
    /// has a LIMIT (and no DISTINCT, which dedupes before the top N).
    private func topNSortSlot() -> Int? {
        guard plan.limit != nil, !plan.distinct, !plan.isAggregate, let key = plan.order.first else { return nil }
        let e = (plan.outputs + plan.hidden)[key.column]
        guard case .column(let slot, _) = e.kind, case .column = plan.slots[slot] else { return nil }
        return slot
    }

    /// The stored column the first ORDER BY key reads directly, when the query has a LIMIT.
    private func topNSortColumn() -> String? {
        guard let slot = topNSortSlot(), case .column(let name, _) = plan.slots[slot] else { return nil }
        return name
    }

    func project(_ b: Batch) throws(QueryError) -> Batch {
        var cols: [Vector] = []
        for e in plan.outputs + plan.hidden { cols.append(try Evaluator.evaluate(e, b)) }
        return Batch(columns: cols, count: b.count)
    }

    func finishAggregate(_ agg: Aggregation, _ stage: ResultStage) throws(QueryError) {
        try finishPost(try agg.result(), stage)
    }

    /// HAVING and the output expressions over the aggregated rows (keys, then aggregates).
    func finishPost(_ aggregated: Batch, _ stage: ResultStage) throws(QueryError) {
        var post = aggregated
        if let h = plan.having {
            let v = try Evaluator.evaluate(h, post)
            let rows = (0..<Int32(post.count)).filter { !v.isNull(Int($0)) && v.datumBool(Int($0)) }
            post = post.gather(rows)
        }
        if !plan.windows.isEmpty { return try finishWindowed(post, stage) }
        _ = try stage.push(try project(post))
    }

    /// count(*), count(x), min(x) and max(x) of stored columns with no WHERE and no GROUP BY,
    /// answered from the footer's per-block row counts, null counts and zone maps without reading
    /// a block. nil when any aggregate needs the data (other functions, expressions, a string
    /// extreme that was truncated in the statistics, a NaN the statistics only flag).
    private func footerAnswer() -> Batch? {
        guard plan.filter == nil, plan.keys?.isEmpty == true, !plan.aggregates.isEmpty,
              plan.aggregates.allSatisfy({ $0.filter == nil }) else { return nil }
        var values: [Datum] = []
        for call in plan.aggregates {
            var column: String?
            if call.function != .countStar {
                guard call.args.count == 1, case .column(let slot, _) = call.args[0].kind,
                      case .column(let name, _) = plan.slots[slot] else { return nil }
                column = name
            }
            var total: Int64 = 0
            var best: Datum = .null
            var sawNaN = false, onlyNaN = false
            for task in tasks {
                let c = task.table.chunks[task.chunk]
                guard let column else { total += Int64(c.rowCount); continue }
                guard let i = task.table.schema.index(of: column) else { continue }
                let b = c.blocks[i]
                let nonNull = c.rowCount - b.nullCount
                switch call.function {
                case .count:
                    total += Int64(nonNull)
                case .min, .max:
                    guard nonNull > 0 else { continue }
                    if b.stats.hasNaN { sawNaN = true }
                    let stat = call.function == .min ? b.stats.min : b.stats.max
                    guard let stat else {
                        if b.stats.hasNaN { onlyNaN = true; continue }   // every value NaN
                        return nil   // e.g. a truncated string maximum
                    }
                    if case .string(let text) = stat, call.function == .min, text.utf8.count >= ColumnStats.maxStringBytes - 4 {
                        return nil   // may be a truncated prefix
                    }
                    guard let d = FooterStatistics.datum(stat, as: call.type) else { return nil }
                    if best == .null { best = d } else {
                        let cmp = Datum.compare(d, best)
                        if call.function == .min ? cmp < 0 : cmp > 0 { best = d }
                    }
                default:
                    return nil
                }
            }
            switch call.function {
            case .countStar, .count: values.append(.int(total))
            case .max where sawNaN: values.append(.double(.nan))
            case .min where best == .null && onlyNaN: values.append(.double(.nan))
            default: values.append(best)
            }
        }
        var columns: [Vector] = []
        for (d, call) in zip(values, plan.aggregates) {
            var b = VectorBuilder(type: call.type)
            b.append(d)
            // A footer statistic is a short value: a failure here only means "scan instead".
            guard let v = try? b.build() else { return nil }
            columns.append(v)
        }
        return Batch(columns: columns, count: 1)
    }

    func record(bytes: Int, scanned: Int, matched: Int) {
        scanStats.withLock { stats in
            stats.chunksRead += 1
            stats.bytesRead += bytes
            stats.rowsScanned += scanned
            stats.rowsMatched += matched
        }
        options.progress?.done(chunks: 1)
    }

    private func runAggregate(threads: Int) throws(QueryError) -> Aggregation {
        if threads == 1 {
            let agg = Aggregation(keys: plan.keys ?? [], aggregates: plan.aggregates)
            let readers = Readers(runs: runs, verify: options.verifyChecksums)
            for (i, t) in tasks.enumerated() {
                try aggregateTask(t, index: i, agg, readers)
            }
            return agg
        }
        let keys = plan.keys ?? [], aggregates = plan.aggregates
        let states = try forEachTask(threads: threads, makeState: { _ in Aggregation(keys: keys, aggregates: aggregates) }) { [self] agg, i, readers throws(QueryError) in
            try aggregateTask(tasks[i], index: i, agg, readers)
        }
        var merged: Aggregation?
        for a in states {
            if let m = merged { try m.merge(a); try checkBudget(m) } else { merged = a }
        }
        return merged ?? Aggregation(keys: plan.keys ?? [], aggregates: plan.aggregates)
    }

    private func aggregateTask(_ t: ScanTask, index: Int, _ agg: Aggregation, _ readers: Readers) throws(QueryError) {
        let (scanned, b, bytes) = try scanTask(t, readers)
        record(bytes: bytes, scanned: scanned, matched: b.count)
        try agg.add(b, position: Int64(index) << 32)
        try checkBudget(agg)
    }

    private func checkBudget(_ agg: Aggregation) throws(QueryError) {
        if agg.approximateBytes > options.memoryLimit { budgetExceeded.withLock { $0 = true } }
        try agg.checkBudget(options.memoryLimit)
    }

    /// Whether task `t` can be skipped because ORDER BY … LIMIT's cut-off puts every row of its
    /// chunk after the top N (counted as skipped). Safe from any thread: see `TopNBoundary`.
    private func cutOff(_ t: ScanTask, _ sortColumn: String?, _ cutoff: TopNCutoff) -> Bool {
        guard let name = sortColumn, let i = t.table.schema.index(of: name), let boundary = cutoff.current else { return false }
        let c = t.table.chunks[t.chunk]
        guard boundary.excludes(c.blocks[i].stats, nullCount: c.blocks[i].nullCount, rowCount: c.rowCount) else { return false }
        scanStats.withLock { stats in
            stats.chunksSkipped += 1
            stats.bytesSkipped += t.bytes
        }
        options.progress?.done(chunks: 1)
        return true
    }

    private func runProjection(threads: Int, _ stage: ResultStage) throws(QueryError) {
        let sortColumn = topNSortColumn()
        let cutoff = sortColumn != nil ? stage.cutoff : nil
        if threads == 1 {
            let readers = Readers(runs: runs, verify: options.verifyChecksums)
            for t in tasks {
                // ORDER BY … LIMIT: skip chunks whose zone map puts every row after the cut-off.
                if let cutoff, cutOff(t, sortColumn, cutoff) { continue }
                let (scanned, b, bytes) = try scanTask(t, readers, cutoff: cutoff)
                record(bytes: bytes, scanned: scanned, matched: b.count)
                if b.count > 0, try !stage.push(try project(b)) { return }
            }
            return
        }
        try runOrdered(threads: threads, { [self] i, readers throws(QueryError) in
            if let cutoff, cutOff(tasks[i], sortColumn, cutoff) { return [] }
            let (scanned, b, bytes) = try scanTask(tasks[i], readers, cutoff: cutoff)
            record(bytes: bytes, scanned: scanned, matched: b.count)
            return b.count > 0 ? [try project(b)] : []
        }, stage.push)
    }
}

/// One result slot per worker, written under a lock.
/// `@unchecked`: `T` (a worker's `Aggregation`) is not Sendable, so `Mutex` cannot take it in;
/// each worker creates its value, stops touching it once it has `set` it, and `values` is read
/// only after `DispatchQueue.concurrentPerform` has returned, so no value is shared while in use.
final class ResultSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<T, QueryError>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<T, QueryError>) {
        lock.lock()
        values[i] = r
        lock.unlock()
    }
}

/// A shared task counter for worker threads.
final class Counter: Sendable {
    private let state = Mutex((value: 0, stopped: false))

    /// The next index below `limit`, or nil when done or stopped.
    func take(below limit: Int) -> Int? {
        state.withLock { s in
            guard !s.stopped, s.value < limit else { return nil }
            s.value += 1
            return s.value - 1
        }
    }

    func stop() {
        state.withLock { $0.stopped = true }
    }
}
