import Tape
import TapeCodec
import TapeFormat

/// The last steps of a query over projected rows (outputs then hidden ORDER BY keys): DISTINCT,
/// ORDER BY (a bounded top-N buffer when there is a LIMIT, else a full sort within the memory
/// budget), OFFSET and LIMIT. Rows reach `emit` with the visible output columns only.
final class ResultStage {
    /// What the stage does: the columns it receives (`types`, of which the first `visible` are
    /// passed on), DISTINCT over the visible columns, the sort keys, OFFSET and LIMIT.
    struct Spec {
        var types: [SQLType]
        var visible: Int
        var distinct = false
        var order: [SortKey] = []
        var limit: Int?
        var offset = 0
        /// Names the step in memory-limit errors (e.g. "ORDER BY", "SORT").
        var what = ""
    }

    private let spec: Spec
    private let visible: Int
    private let memoryLimit: Int
    private let emit: (Batch) throws -> Bool
    /// DISTINCT over other columns: tuple ids of the rows seen (per-column key codes, as GROUP BY),
    /// which ids were seen, and the distinct rows passed on (for `DistinctSpill`).
    private var seenTuples: KeyTupleIds?
    private var seenIds: [Bool] = []
    private var distinctRows: [Batch] = []
    private var distinctRowBytes = 0
    /// DISTINCT over one VARCHAR column: the values seen, as bytes (and whether NULL was).
    private var seenStrings = ByteDictionary()
    private var seenNull = false
    /// Approximate bytes held by `seen` (DISTINCT), counted against the memory budget.
    private var seenBytes = 0
    private var skipped = 0
    private var emitted = 0
    private var buffer: [VectorBuilder]
    private var finished = false
    /// With ORDER BY … LIMIT, once the buffer has been cut to the rows wanted: the first sort
    /// key of the last row kept (see `TopNBoundary`); rows after it are dropped before buffering.
    private var boundary: TopNBoundary?
    /// Where the cut-off is published for the scan's workers (chunks and rows they may skip).
    let cutoff = TopNCutoff()
    /// The runs written once the rows to sort outgrew the memory limit.
    private var external: ExternalSort?
    /// DISTINCT beyond the memory limit: rows hash-partitioned to disk (see `drainDistinct`).
    private var distinctSpill: DistinctSpill?
    /// What this stage spilled, for EXPLAIN ANALYZE.
    var spillReport: SpillReport? { external?.report ?? distinctReport }
    var distinctReport: SpillReport?

    convenience init(plan: QueryPlan, memoryLimit: Int, emit: @escaping (Batch) throws -> Bool) {
        let spec = Spec(types: (plan.outputs + plan.hidden).map(\.type), visible: plan.outputs.count, distinct: plan.distinct,
                        order: plan.order, limit: plan.limit, offset: plan.offset)
        self.init(spec, memoryLimit: memoryLimit, emit: emit)
    }

    init(_ spec: Spec, memoryLimit: Int, emit: @escaping (Batch) throws -> Bool) {
        self.spec = spec
        visible = spec.visible
        self.memoryLimit = memoryLimit
        self.emit = emit
        buffer = spec.types.map { VectorBuilder(type: $0) }
    }

    /// Rows the query can still use, or nil when unbounded (OFFSET + LIMIT, saturating: both may
    /// be as large as Int64.max).
    private var wanted: Int? {
        spec.limit.map { let (w, o) = spec.offset.addingReportingOverflow($0); return o ? Int.max : w }
    }

    /// Takes a batch; returns false once no more rows can change the result (LIMIT reached
    /// without ORDER BY).
    func push(_ input: Batch) throws(QueryError) -> Bool {
        guard !finished else { return false }
        var b = input
        if spec.distinct { b = try dedupe(b) }
        return try accept(b)
    }

    /// `push` after DISTINCT.
    private func accept(_ input: Batch) throws(QueryError) -> Bool {
        var b = input
        if b.count == 0 { return true }
        if spec.order.isEmpty { return try stream(b) }
        if let boundary {
            let v = b.columns[boundary.key.column]
            let keep = (0..<Int32(b.count)).filter { boundary.mayEnter(v, Int($0)) }
            if keep.isEmpty { return true }
            if keep.count < b.count { b = b.gather(keep) }
        }
        for (i, v) in b.columns.enumerated() { buffer[i].append(v) }
        let n = buffer.first?.count ?? 0
        // Cut back to the rows wanted once the buffer holds over twice as many (and 4,096 more);
        // written without 2 * w, which overflows for LIMIT near Int64.max.
        if let w = wanted, w <= (n - 1) / 2, n - w > 4096 {
            try compact(keep: w)
        } else if n % 8192 < b.count {
            let bytes = buffer.reduce(0) { $0 + $1.approximateBytes }
            if bytes > memoryLimit { try spillRun() }
        }
        return true
    }

    /// Beyond the memory limit: sorts the buffered rows and writes them as one more run of an
    /// external merge sort (see `ExternalSort`), emptying the buffer.
    private func spillRun() throws(QueryError) {
        let what = spec.what.isEmpty ? (spec.limit == nil ? "ORDER BY" : "ORDER BY … LIMIT \(spec.limit ?? 0)") : spec.what
        let sorter = external ?? ExternalSort(types: spec.types, keys: spec.order, owner: what, memoryLimit: memoryLimit)
        external = sorter
        let columns = try buffer.map { (b) throws(QueryError) in try b.build() }
        buffer = spec.types.map { VectorBuilder(type: $0) }
        try sorter.addRun(Batch(columns: columns, count: columns.first?.count ?? 0), keep: wanted)
    }

    /// Ends the input: sorts what was buffered and emits it.
    func finish() throws(QueryError) {
        guard !finished else { return }
        if let partitions = distinctSpill {
            distinctSpill = nil
            try drainDistinct(partitions)
            if finished { return }
        }
        if let external {
            if (buffer.first?.count ?? 0) > 0 { try spillRun() }
            try external.merge { piece throws(QueryError) in try stream(piece) }
        } else if !spec.order.isEmpty {
            let columns = try buffer.map { (b) throws(QueryError) in try b.build() }
            let n = columns.first?.count ?? 0
            var order = Sorter.permutation(columns, keys: spec.order, count: n)
            if let w = wanted, order.count > w { order.removeSubrange(w...) }
            let all = Batch(columns: columns, count: n)
            var start = 0
            while start < order.count {
                let end = min(order.count, start + 65_536)
                let piece = all.gather(Array(order[start..<end]))
                start = end
                if try !stream(piece) { break }
            }
        }
        finished = true
    }

    /// Applies OFFSET/LIMIT to rows in final order and emits them.
    private func stream(_ b: Batch) throws(QueryError) -> Bool {
        // The batch's rows left after OFFSET and before LIMIT: one contiguous range.
        var lo = 0, hi = b.count
        if skipped < spec.offset {
            let s = min(spec.offset - skipped, hi)
            lo = s
            skipped += s
        }
        if let limit = spec.limit, emitted + (hi - lo) > limit { hi -= emitted + (hi - lo) - limit }
        if hi > lo {
            let out = b.slice(lo..<hi)
            emitted += hi - lo
            let cont: Bool
            do { cont = try emit(Batch(columns: Array(out.columns.prefix(visible)), count: out.count)) } catch let e as QueryError {
                throw e
            } catch {
                throw QueryError(.execution, "\(error)")
            }
            if !cont { finished = true; return false }
        }
        if let limit = spec.limit, emitted >= limit { return false }
        return true
    }

    /// Keeps the first `keep` rows in sort order.
    private func compact(keep: Int) throws(QueryError) {
        let columns = try buffer.map { (b) throws(QueryError) in try b.build() }
        let n = columns.first?.count ?? 0
        let order = Array(Sorter.permutation(columns, keys: spec.order, count: n).prefix(keep))
        let kept = Batch(columns: columns, count: n).gather(order)
        buffer = spec.types.map { VectorBuilder(type: $0) }
        for (i, v) in kept.columns.enumerated() { buffer[i].append(v) }
        if kept.count == keep, let key = spec.order.first {
            let b = TopNBoundary(key: key, value: kept.columns[key.column].materialized().gather([Int32(keep - 1)]))
            boundary = b
            cutoff.publish(b)
        }
    }

    /// Drops rows already seen (DISTINCT; NaN equals NaN and -0.0 equals 0.0, as in GROUP BY).
    /// Throws when the set of distinct rows outgrows the memory budget.
    private func dedupe(_ b: Batch) throws(QueryError) -> Batch {
        if distinctSpill != nil {
            try distinctSpill?.add(b)
            return Batch(columns: b.columns.map { $0.gather([]) }, count: 0)
        }
        var keep: [Int32] = []
        let cols = b.columns.prefix(visible)
        if visible == 1, cols[0].type == .string {
            let v = cols[0]
            for r in 0..<b.count {
                if v.isNull(r) {
                    if !seenNull { seenNull = true; keep.append(Int32(r)) }
                    continue
                }
                let before = seenStrings.count
                guard v.withUTF8(r, { seenStrings.index(of: $0) }) != nil else {
                    throw .stringsTooLarge(StringArrayOverflow(bytes: StringArray.maxBytes + 1, limit: StringArray.maxBytes), in: "DISTINCT")
                }
                if seenStrings.count > before { keep.append(Int32(r)) }
            }
            seenBytes = seenStrings.entries.approximateBytes + seenStrings.count * 24
        } else {
            var tuples = seenTuples ?? KeyTupleIds(columns: visible)
            let ids = tuples.ids(Array(cols), count: b.count)
            if seenIds.count < tuples.count { seenIds.append(contentsOf: repeatElement(false, count: tuples.count - seenIds.count)) }
            for r in 0..<b.count where !seenIds[Int(ids[r])] {
                seenIds[Int(ids[r])] = true
                keep.append(Int32(r))
            }
            seenTuples = tuples
            if !keep.isEmpty {
                let rows = Batch(columns: Array(cols), count: b.count).gather(keep)
                distinctRows.append(rows)
                distinctRowBytes += rows.approximateBytes
            }
            seenBytes = tuples.approximateBytes + seenIds.count + distinctRowBytes
        }
        if seenBytes > memoryLimit {
            let what = spec.what.isEmpty ? "SELECT DISTINCT" : spec.what
            var spill = try DistinctSpill(types: spec.types, visible: visible, owner: what, memoryLimit: memoryLimit)
            // Rows emitted so far, whichever set holds them (one VARCHAR column keeps its own).
            var emitted = distinctRows
            if seenStrings.count > 0 || seenNull {
                var strings = VectorBuilder(type: .string)
                for i in 0..<seenStrings.count { strings.append(.string(seenStrings.entries[i])) }
                if seenNull { strings.append(.null) }
                emitted.append(Batch(columns: [try strings.build()], count: seenStrings.count + (seenNull ? 1 : 0)))
            }
            try spill.addEmitted(emitted)
            seenTuples = nil
            seenIds = []
            distinctRows = []
            distinctRowBytes = 0
            seenStrings = ByteDictionary()
            seenNull = false
            seenBytes = 0
            distinctSpill = spill
            return keep.count == b.count ? b : b.gather(keep)
        }
        return keep.count == b.count ? b : b.gather(keep)
    }

    /// DISTINCT after spilling: each partition's new distinct rows, then on as usual.
    private func drainDistinct(_ spill: DistinctSpill) throws(QueryError) {
        var s = spill
        distinctReport = try s.drain { b throws(QueryError) in try accept(b) }
    }
}

/// Sort permutations over result columns.
enum Sorter {
    /// Row order for `keys` (ties keep arrival order).
    static func permutation(_ columns: [Vector], keys: [SortKey], count: Int) -> [Int32] {
        let cols = keys.map { columns[$0.column].materialized() }
        var idx = (0..<Int32(count)).map { $0 }
        idx.sort { a, b in
            for (k, key) in keys.enumerated() {
                let c = compare(cols[k], Int(a), cols[k], Int(b), by: key)
                if c != 0 { return c < 0 }
            }
            return a < b
        }
        return idx
    }

    /// -1/0/1: whether row `i` of `a` comes before, level with or after row `j` of `b` (vectors
    /// of one type) in `key`'s order — its direction, with NULLs placed by `nullsFirst` whatever
    /// the direction.
    @inline(__always) static func compare(_ a: Vector, _ i: Int, _ b: Vector, _ j: Int, by key: SortKey) -> Int {
        let an = a.isNull(i), bn = b.isNull(j)
        if an || bn {
            if an && bn { return 0 }
            return an == key.nullsFirst ? -1 : 1
        }
        let c: Int
        switch (a.storage, b.storage) {
        case (.int64(let x), .int64(let y)): c = x[i] < y[j] ? -1 : (x[i] == y[j] ? 0 : 1)
        case (.float64(let x), .float64(let y)): c = compareDoubles(x[i], y[j])
        case (.bool(let x), .bool(let y)): c = x[i] == y[j] ? 0 : (!x[i] ? -1 : 1)
        case (.strings(let x), .strings(let y)): c = x.compare(i, y, j)
        case (.dictionary(let x, let xi), .dictionary(let y, let yi)): c = x.compare(Int(xi[i]), y, Int(yi[j]))
        case (.strings, .dictionary), (.dictionary, .strings):
            c = a.withUTF8(i) { p in b.withUTF8(j) { q in StringArray.compare(p, q) } }
        default: c = Datum.compare(a.datum(i), b.datum(j))
        }
        return key.descending ? -c : c
    }
}

extension ResultStage {
    /// Runs `input` through a stage built from `spec` into `emit` (the body of the Sort, TopN,
    /// Limit and Distinct operators).
    @discardableResult
    static func drive(_ input: any PhysicalOperator, _ spec: Spec, memoryLimit: Int,
                      _ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) -> SpillReport? {
        let stage = ResultStage(spec, memoryLimit: memoryLimit, emit: { b in try emit(b) })
        try input.run { b throws(QueryError) in try stage.push(b) }
        try stage.finish()
        return stage.spillReport
    }
}

extension SortKey {
    /// `a DESC, b NULLS FIRST` for EXPLAIN.
    static func describe(_ keys: [SortKey], _ columns: [OutputColumn]) -> String {
        keys.map { k in
            let name = k.column < columns.count ? columns[k.column].name : "#\(k.column + 1)"
            return "\(name)\(k.descending ? " DESC" : "")\(k.nullsFirst ? " NULLS FIRST" : "")"
        }.joined(separator: ", ")
    }
}
