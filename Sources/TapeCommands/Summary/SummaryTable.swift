import Foundation
import Synchronization
import Tape
import TapeCodec
import TapeFormat
import TapeIO
import TapeQuery

/// The rows `tape summary` prints: one per run (or per group with `--group-by`), as
/// `RecordBatch`es for the TapeIO formatters.
enum SummaryTable {
    /// Metrics shown when `--columns` is not given: both drawdowns (daily closes and every bar).
    static let defaultMetrics = [
        "total_return", "cagr", "sharpe", "sortino", "calmar", "max_drawdown", "bar_max_drawdown", "annual_volatility",
        "trades", "win_rate", "profit_factor", "exposure",
    ]
    /// Metadata keys shown by default when some run has them.
    static let defaultMetadata = ["strategy", "symbol", "params"]

    /// Every name the default columns may use (materialized before knowing which runs have them).
    static let defaultNames = ["run", "status", "start", "end"] + defaultMetadata + defaultMetrics

    /// The default columns: run, the usual metadata keys some run has, status, start, end and the
    /// default metrics.
    static func defaultColumns(for view: SummaryView) -> [String] {
        ["run"] + defaultMetadata.filter { view.has($0) } + ["status", "start", "end"] + defaultMetrics
    }

    /// Sorts `view.rows` by `key` (a column name; `-key` for descending): numbers numerically
    /// (a numeric metadata key too), text by code points. Runs without the key come last, ties
    /// keep their order. With `limit`, only the first `limit` rows of that order are kept (found
    /// without sorting the rest).
    static func sort(_ view: inout SummaryView, by key: String, limit: Int? = nil) {
        let descending = key.hasPrefix("-")
        let source = view.source(descending ? String(key.dropFirst()) : key)
        if case .column(let c) = source, view.table.isMetric(c), view.types[c] == .double {
            // A DOUBLE metric (the usual sort key): the same order on plain numbers.
            let keys = view.rows.map { view.table.metric(c, Int($0))?.number }
            let order = ordered(keys.count, limit: limit) { a, b in
                guard let x = keys[a] else { return keys[b] == nil && a < b }
                guard let y = keys[b] else { return true }
                let c = compareDoubles(x, y)
                return c == 0 ? a < b : descending ? c > 0 : c < 0
            }
            view.rows = order.map { view.rows[$0] }
            return
        }
        let keys = view.rows.map { view.datum(source, Int($0)) }
        let order = ordered(keys.count, limit: limit) { a, b in
            let x = keys[a], y = keys[b]
            switch (x.isNull, y.isNull) {
            case (true, true): return a < b
            case (true, false): return false
            case (false, true): return true
            case (false, false):
                let c = compare(x, y)
                if c == 0 { return a < b }
                return descending ? c > 0 : c < 0
            }
        }
        view.rows = order.map { view.rows[$0] }
    }

    /// `0..<count` sorted by `less` (a strict total order), only the first `limit` when given:
    /// a small limit keeps a sorted list of the best so far instead of sorting everything.
    static func ordered(_ count: Int, limit: Int?, by less: (Int, Int) -> Bool) -> [Int] {
        guard let k = limit, k < count / 4 else {
            let all = (0..<count).sorted(by: less)
            return limit.map { Array(all.prefix($0)) } ?? all
        }
        var best: [Int] = []
        best.reserveCapacity(k + 1)
        guard k > 0 else { return best }
        for i in 0..<count {
            if best.count == k, !less(i, best[k - 1]) { continue }
            var lo = 0, hi = best.count
            while lo < hi {
                let m = (lo + hi) / 2
                if less(i, best[m]) { hi = m } else { lo = m + 1 }
            }
            best.insert(i, at: lo)
            if best.count > k { best.removeLast() }
        }
        return best
    }

    /// -1, 0 or 1: numbers (and timestamps) numerically, before text; text by code points.
    static func compare(_ x: Datum, _ y: Datum) -> Int {
        func number(_ d: Datum) -> Double? {
            switch d {
            case .int(let i), .timestamp(let i): return Double(i)
            case .double(let v): return v
            case .bool(let b): return b ? 1 : 0
            default: return nil
            }
        }
        switch (x, y) {
        case let (.int(a), .int(b)), let (.timestamp(a), .timestamp(b)): return a < b ? -1 : a > b ? 1 : 0
        case let (.string(a), .string(b)): return a < b ? -1 : a > b ? 1 : 0
        default:
            switch (number(x), number(y)) {
            case let (a?, b?): return compareDoubles(a, b)
            case (_?, nil): return -1
            case (nil, _?): return 1
            case (nil, nil): return x.sqlLiteral < y.sqlLiteral ? -1 : x.sqlLiteral > y.sqlLiteral ? 1 : 0
            }
        }
    }

    /// The rows of `view` with `columns`, `batchRows` at a time: run/path/status and metadata
    /// keys as their SQL type, timestamp metrics as timestamps, counts as int64, other metrics as
    /// float64; missing values are null.
    static func batches(_ view: SummaryView, columns: [String], batchRows: Int = 8192,
                        _ body: (RecordBatch) throws -> Void) throws {
        let sources = columns.map { view.source($0) }
        let schema = try self.schema(zip(columns, sources).map { ColumnDef($0, view.type($1).columnType) })
        var start = 0
        repeat {
            let rows = view.rows[start..<min(start + batchRows, view.rows.count)]
            start += rows.count
            try body(try batch(view, rows, sources: sources, schema: schema))
        } while start < view.rows.count
    }

    /// The batch of `rows` of `view` for `sources` (the columns of `schema`).
    static func batch(_ view: SummaryView, _ rows: ArraySlice<Int32>, sources: [SummaryView.Source], schema: Schema) throws -> RecordBatch {
        let data = try zip(schema.columns, sources).map { def, source in
            try view.column(source, rows: rows)
        }
        return RecordBatch(schema: schema, columns: data, count: rows.count)
    }

    /// Writes the rows of `view` with `columns` as CSV (after its header) or JSON lines to
    /// `sink`, as `batches` + that format's formatter would, but with `workers` threads building
    /// and rendering batches of `batchRows` rows side by side (each into memory, a few batches
    /// at a time), written in order. `lines(schema, sink)` makes a formatter of the format that
    /// writes rows only (no header), `header` one that writes the header (if any) and flushes.
    static func writeLines(_ view: SummaryView, columns: [String], workers: Int, batchRows: Int = 8192,
                           lines: @escaping (Schema, ByteSink) -> RecordFormatter, header: RecordFormatter.Type,
                           to sink: ByteSink) throws {
        let sources = columns.map { view.source($0) }
        let schema = try self.schema(zip(columns, sources).map { ColumnDef($0, view.type($1).columnType) })
        let first = header.init(schema: schema, sink: sink)
        try first.write(try batch(view, view.rows[0..<0], sources: sources, schema: schema))
        let batches = (view.rows.count + batchRows - 1) / batchRows
        let wave = max(1, workers) * 2
        let shared = SharedForRendering(view: view, lines: lines)
        var next = 0
        while next < batches {
            let range = next..<min(batches, next + wave)
            next = range.upperBound
            let rendered = Mutex([Result<[UInt8], Error>?](repeating: nil, count: range.count))
            DispatchQueue.concurrentPerform(iterations: range.count) { k in
                let b = range.lowerBound + k
                let rows = shared.view.rows[(b * batchRows)..<min(shared.view.rows.count, (b + 1) * batchRows)]
                let result = Result { () throws -> [UInt8] in
                    let memory = ByteSink.inMemory(flushThreshold: Int.max)
                    let f = shared.lines(schema, memory)
                    try f.write(try batch(shared.view, rows, sources: sources, schema: schema))
                    return memory.contents
                }
                rendered.withLock { $0[k] = result }
            }
            for r in rendered.withLock({ $0 }) {
                guard let r else { continue }
                sink.write(try r.get())
                try sink.flushIfNeeded()
            }
        }
        try first.finish()
    }

    /// With `--group-by k1,k2,…`: one row per distinct combination of the keys' values (in order
    /// of first appearance; runs without a key form its null group), with `runs` and the mean and
    /// median of each metric of `columns` (timestamps excepted).
    static func grouped(_ view: SummaryView, by keys: [String], columns: [String]) throws -> RecordBatch {
        let keySources = keys.map { view.source($0) }
        var order: [[Datum]] = [], groups: [[Datum]: [Int32]] = [:]
        for r in view.rows {
            let k = keySources.map { view.datum($0, Int(r)) }
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(r)
        }
        let metrics = columns.filter { name in
            !keys.contains(name) && view.isMetric(name) && view.type(view.source(name)) != .timestamp
        }
        var defs = zip(keys, keySources).map { ColumnDef($0, view.type($1).columnType) } + [ColumnDef("runs", .int64)]
        var data = try keys.indices.map { i in try column(defs[i].type, order.map { $0[i] }) }
        data.append(try column(.int64, order.map { .int(Int64(groups[$0]?.count ?? 0)) }))
        for m in metrics {
            let source = view.source(m)
            let values = order.map { k in
                (groups[k] ?? []).compactMap { r -> Double? in
                    switch view.datum(source, Int(r)) {
                    case .double(let d): return d
                    case .int(let i): return Double(i)
                    default: return nil
                    }
                }
            }
            defs.append(ColumnDef("mean_" + m, .float64))
            data.append(try column(.float64, values.map { v in v.isEmpty ? .null : .double(v.reduce(0, +) / Double(v.count)) }))
            defs.append(ColumnDef("median_" + m, .float64))
            data.append(try column(.float64, values.map { v in median(v).map(Datum.double) ?? .null }))
        }
        return RecordBatch(schema: try schema(defs), columns: data, count: order.count)
    }

    /// `batch` with every float64 value rounded to `decimals` places, for the human-readable table
    /// (csv, jsonl and json keep full precision).
    static func rounded(_ batch: RecordBatch, decimals: Int) -> RecordBatch {
        let scale = pow(10, Double(decimals))
        var out = batch
        for i in out.columns.indices {
            guard case .float64(let v) = out.columns[i].storage else { continue }
            out.columns[i].storage = .float64(v.map { x in
                let r = (x * scale).rounded() / scale
                return r.isFinite ? r : x
            })
        }
        return out
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    private static func schema(_ defs: [ColumnDef]) throws -> Schema {
        do { return try Schema(defs) } catch { throw TapeError.invalidArgument("--columns: \(error)") }
    }

    /// A nullable column of `type` from data of the matching SQL type (or null).
    private static func column(_ type: ColumnType, _ values: [Datum]) throws -> ColumnData {
        var validity = Bitmap(count: values.count, value: false)
        for (i, v) in values.enumerated() where !v.isNull { validity[i] = true }
        let storage: ColumnLayout
        switch type {
        case .float64:
            storage = .float64(values.map { v -> Double in
                switch v {
                case .double(let d): return d
                case .int(let i): return Double(i)
                default: return 0
                }
            })
        case .int64, .timestamp, .duration:
            storage = .int64(values.map { v -> Int64 in
                switch v {
                case .int(let i), .timestamp(let i): return i
                default: return 0
                }
            })
        case .bool: storage = .bool(Bitmap(values.lazy.map { $0 == .bool(true) }))
        case .string: storage = .strings(try StringArray(values.map { if case .string(let s) = $0 { return s } else { return "" } }))
        }
        return ColumnData(type: type, storage: storage, validity: validity)
    }
}

/// What `SummaryTable.writeLines`' threads share: read only while they run.
private struct SharedForRendering: @unchecked Sendable {
    let view: SummaryView
    let lines: (Schema, ByteSink) -> RecordFormatter
}
