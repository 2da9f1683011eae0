import Tape
import TapeCodec

/// Windows evaluated while scanning, in storage order, with memory bounded by the frame instead
/// of the table: DataFusion's "input already ordered" case, for Tape's runs stored in time order.
///
/// Applies when every window shares one specification `[PARTITION BY run] ORDER BY ts` (ts: the
/// table's first TIMESTAMP column, ascending; without PARTITION BY only over a single run) and
/// every function is one of: row_number; lag(x[, k[, default]]) with a constant k; count, sum, min
/// or max over a cumulative frame (UNBOUNDED PRECEDING to CURRENT ROW); any framed aggregate over
/// a `ROWS BETWEEN n PRECEDING AND CURRENT ROW|m PRECEDING` frame. Before streaming, a pass
/// decoding only ts checks that it strictly increases within each run (so ORDER BY has no ties
/// and storage order is the window order); otherwise the query takes the materialising path.
///
/// Per chunk: the last K rows of the run (K = the largest lookback) are kept as context; windows
/// with a lookback are evaluated over context + chunk, cumulative ones over the chunk and
/// combined with the state carried from the run's earlier chunks.
struct StreamingWindow {
    let tsSlot: Int
    let lookback: Int

    /// The plan's streaming shape, or nil when it must materialise.
    init?(_ plan: QueryPlan, runs: RunSet, tasks: [ScanTask]) {
        guard !plan.isAggregate, let table = plan.table, let first = plan.windows.first,
              plan.windows.allSatisfy({ $0.specText == first.specText }),
              first.order.count == 1, !first.order[0].descending,
              case .column(let slot, _) = first.order[0].expr.kind, slot < plan.slots.count,
              case .column(let name, .timestamp) = plan.slots[slot] else { return nil }
        // ts must be each run's first TIMESTAMP column, and never NULL.
        for run in runs.runs {
            guard let t = run.tables.first(where: { $0.name == table }) else { continue }
            guard t.schema.columns.first(where: { $0.type == .timestamp })?.name == name else { return nil }
        }
        for task in tasks {
            guard let i = task.table.schema.index(of: name), task.table.chunks[task.chunk].blocks[i].nullCount == 0 else { return nil }
        }
        switch first.partition.count {
        case 0: guard Set(tasks.map(\.run)).count <= 1 else { return nil }
        case 1:
            guard case .column(let p, _) = first.partition[0].kind, p < plan.slots.count, case .runID = plan.slots[p] else { return nil }
        default: return nil
        }
        var k = 0
        for w in plan.windows {
            guard !w.ignoreNulls, !w.distinct, w.frame.exclude == .noOthers, w.frame.startOffset == nil, w.frame.endOffset == nil, let need = StreamingWindow.lookback(w) else { return nil }
            k = max(k, need)
        }
        tsSlot = slot
        lookback = k
    }

    /// Rows before the current one that `w` reads (0 for cumulative forms), or nil when `w`
    /// cannot stream.
    static func lookback(_ w: BoundWindow) -> Int? {
        switch w.function {
        case .rowNumber: return 0
        case .lag:
            if w.args.count < 2 { return 1 }
            guard case .int(let k)? = w.args[1].constantValue, k >= 0, k <= 1 << 20 else { return nil }
            return Int(k)
        case .aggregate(let f):
            if isCumulative(w.frame) { return [.count, .countStar, .sum, .min, .max].contains(f) ? 0 : nil }
            guard w.frame.unit == .rows, case .preceding(.int(let n)) = w.frame.start, n <= 1 << 20 else { return nil }
            switch w.frame.end {
            case .currentRow, .preceding: return Int(n)
            default: return nil
            }
        default: return nil
        }
    }

    static func isCumulative(_ f: BoundFrame) -> Bool {
        guard case .unboundedPreceding = f.start, case .currentRow = f.end else { return false }
        return true
    }
}

extension Executor {
    /// Whether ts strictly increases within every run (decoding only ts, chunk by chunk).
    func timeOrdered(_ s: StreamingWindow) throws(QueryError) -> Bool {
        let readers = Readers(runs: runs, verify: options.verifyChecksums)
        var last: (run: Int, ts: Int64)?
        for t in tasks {
            let b = try load(t, readers, only: [s.tsSlot])
            guard case .int64(let ts) = b.columns[s.tsSlot].storage else { return false }
            for v in ts {
                if let l = last, l.run == t.run, v <= l.ts { return false }
                last = (t.run, v)
            }
        }
        return true
    }

    /// Runs the windows chunk by chunk (see `StreamingWindow`) into `stage`.
    func streamWindows(_ s: StreamingWindow, _ stage: ResultStage) throws(QueryError) {
        let readers = Readers(runs: runs, verify: options.verifyChecksums)
        let base = plan.windowBase
        var context = Batch(columns: [], count: 0)
        var carry: [Datum?] = Array(repeating: nil, count: plan.windows.count)
        /// Cumulative sums of BIGINT: the exact sum of the run's rows so far (nil before a non-NULL one).
        var intSums: [Int128?] = Array(repeating: nil, count: plan.windows.count)
        var rowsSoFar = 0
        var run = -1
        for t in tasks {
            let (scanned, b, bytes) = try scanTask(t, readers)
            record(bytes: bytes, scanned: scanned, matched: b.count)
            if t.run != run {
                run = t.run
                context = Batch(columns: [], count: 0)
                carry = Array(repeating: nil, count: plan.windows.count)
                intSums = Array(repeating: nil, count: plan.windows.count)
                rowsSoFar = 0
            }
            guard b.count > 0 else { continue }
            let local = Batch(columns: Array(b.columns.prefix(base)), count: b.count)
            let withContext = context.count == 0 ? local : try StreamingWindow.concat(context, local)
            var results: [Vector] = []
            for (i, w) in plan.windows.enumerated() {
                let cumulative = StreamingWindow.lookback(w) == 0 && w.function != .lag
                if cumulative, w.function == .aggregate(.sum), w.type == .int {
                    results.append(try StreamingWindow.cumulativeIntSum(w, local, sum: &intSums[i]))
                } else if cumulative {
                    let v = try StreamingWindow.evaluateOrdered(w, local)
                    let (out, last) = try StreamingWindow.combine(w, v, carry[i], rowsSoFar)
                    carry[i] = last
                    results.append(out)
                } else {
                    let v = try StreamingWindow.evaluateOrdered(w, withContext)
                    results.append(v.slice(context.count..<withContext.count))
                }
            }
            rowsSoFar += b.count
            var out = Batch(columns: local.columns + results, count: b.count)
            if let q = plan.qualify, let keep = try FilterOperator.selection(q, out) { out = out.gather(keep) }
            if out.count > 0, try !stage.push(try project(out)) { return }
            if s.lookback > 0 {
                let keep = min(s.lookback, withContext.count)
                context = withContext.slice(withContext.count - keep..<withContext.count)
            }
        }
    }
}

extension StreamingWindow {
    /// `w` over rows of one run in strictly increasing time order (no sort, no peers to find).
    static func evaluateOrdered(_ w: BoundWindow, _ rows: Batch) throws(QueryError) -> Vector {
        var args: [Vector] = []
        for a in w.args { args.append(try Evaluator.evaluate(a, rows).materialized()) }
        return try WindowEvaluator.kernel(w, args, WindowLayout(orderedDistinct: rows.count), nil)
    }

    /// `a`'s rows then `b`'s.
    static func concat(_ a: Batch, _ b: Batch) throws(QueryError) -> Batch {
        var cols: [Vector] = []
        for (x, y) in zip(a.columns, b.columns) {
            var builder = VectorBuilder(type: x.type)
            builder.reserveCapacity(a.count + b.count)
            builder.append(x)
            builder.append(y)
            cols.append(try builder.build())
        }
        return Batch(columns: cols, count: a.count + b.count)
    }

    /// A cumulative sum of BIGINT over `rows` (one chunk of a run) going on from `sum`, the exact
    /// sum of the run's earlier rows (nil before its first non-NULL value), which it advances.
    /// Added in 128 bits, as the materialising path does: only a running total outside BIGINT is an
    /// error, never a partial sum of one chunk that the rest of the run brings back in range.
    static func cumulativeIntSum(_ w: BoundWindow, _ rows: Batch, sum: inout Int128?) throws(QueryError) -> Vector {
        let n = rows.count
        let v = try Evaluator.evaluate(w.args[0], rows)
        let x = Evaluator.ints(v), allNull = Evaluator.isNullConstant(v)
        var out = [Int64](repeating: 0, count: n)
        var valid = Bitmap(count: n, value: true)
        var anyNull = false
        for r in 0..<n {
            if !allNull, !v.isNull(r) { sum = (sum ?? 0) + Int128(x.at(r)) }
            guard let s = sum else { valid[r] = false; anyNull = true; continue }
            guard let value = Int64(exactly: s) else {
                throw QueryError(.execution, "\(w.text) = \(s) overflows BIGINT; use sum(CAST(x AS DOUBLE))", at: w.position)
            }
            out[r] = value
        }
        return Vector(type: .int, storage: .int64(out), validity: anyNull ? valid : nil, count: n)
    }

    /// A cumulative result over one chunk combined with what the run's earlier chunks carried;
    /// returns it and the value to carry on (the last row's; first_value's: the first row's).
    static func combine(_ w: BoundWindow, _ v: Vector, _ carry: Datum?, _ before: Int) throws(QueryError) -> (Vector, Datum?) {
        let n = v.count
        guard n > 0 else { return (v, carry) }
        var b = VectorBuilder(type: w.type)
        switch w.function {
        case .rowNumber, .aggregate(.count), .aggregate(.countStar):
            let add: Int64
            if w.function == .rowNumber { add = Int64(before) } else if case .int(let c)? = carry { add = c } else { add = 0 }
            guard case .int64(let a) = v.materialized().storage else { return (v, carry) }
            let out = Vector(type: .int, storage: .int64(a.map { $0 + add }), count: n)
            return (out, out.datum(n - 1))
        case .firstValue:
            // Running first_value: the partition's first row, carried (NULL included) once seen.
            if let c = carry { return (.constant(c, type: w.type, count: n), c) }
            return (v, v.datum(0))
        case .aggregate(let f):
            let m = v.materialized()
            // Typed fast path: min/max of DOUBLE without NULLs (the drawdown curve's running peak).
            if f == .min || f == .max, m.validity == nil, case .float64(let a) = m.storage {
                var best: Double? = nil
                if case .double(let c)? = carry { best = c }
                var out = [Double](repeating: 0, count: n)
                for r in 0..<n {
                    if let c = best {
                        let cmp = compareDoubles(a[r], c)
                        best = (f == .max ? cmp >= 0 : cmp <= 0) ? a[r] : c
                    } else {
                        best = a[r]
                    }
                    out[r] = best ?? a[r]
                }
                return (Vector(type: .double, storage: .float64(out), count: n), best.map(Datum.double))
            }
            for r in 0..<n {
                let x = m.datum(r)
                guard let c = carry, c != .null else { b.append(x); continue }
                if x == .null { b.append(c); continue }
                switch f {
                case .sum:
                    // BIGINT sums go through `cumulativeIntSum`.
                    if case (.double(let p), .double(let q)) = (x, c) { b.append(.double(p + q)) } else { b.append(x) }
                case .min: b.append(Datum.compare(x, c) <= 0 ? x : c)
                case .max: b.append(Datum.compare(x, c) >= 0 ? x : c)
                default: b.append(x)
                }
            }
            let out = try b.build()
            let last = out.datum(n - 1)
            return (out, last == .null ? carry : last)
        default:
            return (v, carry)
        }
    }
}
