import Foundation
import Tape
import TapeCodec
import TapeFormat

/// The rows `tape summary` prints: one per run (or per group with `--group-by`), as a
/// `RecordBatch` for the TapeIO formatters.
public enum SummaryTable {
    /// Metrics shown when `--columns` is not given.
    public static let defaultMetrics = [
        "total_return", "cagr", "sharpe", "sortino", "calmar", "max_drawdown", "annual_volatility",
        "trades", "win_rate", "profit_factor", "exposure",
    ]
    /// Metadata keys shown by default when some run has them.
    static let defaultMetadata = ["strategy", "symbol", "params"]

    /// The default columns for `records`: run, the usual metadata keys present, start, end and
    /// the default metrics.
    public static func defaultColumns(for records: [RunRecord]) -> [String] {
        ["run"] + defaultMetadata.filter { k in records.contains { $0.metadata[k] != nil } } + ["start", "end"] + defaultMetrics
    }

    /// Sorts by `key` (a metric, or metadata/run text; `-key` for descending). Runs without the
    /// key come last, ties keep path order.
    public static func sort(_ records: inout [RunRecord], by key: String) {
        let descending = key.hasPrefix("-")
        let name = descending ? String(key.dropFirst()) : key
        let keyed = records.enumerated().map { (i: $0.offset, r: $0.element, f: $0.element.field(name)) }
        records = keyed.sorted { a, b in
            switch (a.f, b.f) {
            case (nil, nil): return a.i < b.i
            case (nil, _): return false
            case (_, nil): return true
            case let (x?, y?):
                if x == y { return a.i < b.i }
                let less: Bool
                switch (x, y) {
                case let (.number(p), .number(q)): less = p < q
                case let (.string(p), .string(q)): less = p < q
                case (.number, .string): less = true
                case (.string, .number): less = false
                }
                return descending ? !less : less
            }
        }.map(\.r)
    }

    /// One row per record with `columns`: `run`/`path`/metadata as strings, `start`/`end` and
    /// timestamp metrics as timestamps, counts as int64, other metrics as float64; missing
    /// values are null.
    public static func batch(_ records: [RunRecord], columns: [String]) throws -> RecordBatch {
        var defs: [ColumnDef] = [], data: [ColumnData] = []
        for name in columns {
            let metric = records.compactMap { $0.metrics[name] }.first
            switch metric {
            case .timestamp?:
                defs.append(ColumnDef(name, .timestamp))
                data.append(column(.timestamp, records.map { r -> Value in
                    if case .timestamp(let t)? = r.metrics[name] { return .timestamp(t) } else { return .null }
                }))
            case .int?:
                defs.append(ColumnDef(name, .int64))
                data.append(column(.int64, records.map { r -> Value in
                    if case .int(let v)? = r.metrics[name] { return .int(v) } else { return .null }
                }))
            case .double?:
                defs.append(ColumnDef(name, .float64))
                data.append(column(.float64, records.map { r in r.metrics.number(name).map(Value.float) ?? .null }))
            case nil:
                defs.append(ColumnDef(name, .string))
                data.append(column(.string, records.map { r -> Value in
                    if case .string(let s)? = r.field(name) { return .string(s) } else { return .null }
                }))
            }
        }
        return RecordBatch(schema: try schema(defs), columns: data, count: records.count)
    }

    /// With `--group-by key`: one row per distinct value of `key` (runs without it form the
    /// group null), with `runs` and the mean and median of each numeric column of `columns`.
    public static func grouped(_ records: [RunRecord], by key: String, columns: [String]) throws -> RecordBatch {
        var order: [String?] = [], groups: [String?: [RunRecord]] = [:]
        for r in records {
            var k: String?
            switch r.field(key) {
            case .string(let s)?: k = s
            case .number(let d)?: k = String(d)
            case nil: k = nil
            }
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(r)
        }
        let metrics = columns.filter { name in
            name != key && records.contains { r in
                if let v = r.metrics[name], case .timestamp = v { return false }
                return r.metrics[name] != nil
            }
        }
        var defs = [ColumnDef(key, .string), ColumnDef("runs", .int64)]
        var data = [column(.string, order.map { $0.map(Value.string) ?? .null }),
                    column(.int64, order.map { .int(Int64(groups[$0]!.count)) })]
        for m in metrics {
            let values = order.map { k in groups[k]!.compactMap { $0.metrics.number(m) } }
            defs.append(ColumnDef("mean_" + m, .float64))
            data.append(column(.float64, values.map { v in v.isEmpty ? .null : .float(v.reduce(0, +) / Double(v.count)) }))
            defs.append(ColumnDef("median_" + m, .float64))
            data.append(column(.float64, values.map { v in median(v).map(Value.float) ?? .null }))
        }
        return RecordBatch(schema: try schema(defs), columns: data, count: order.count)
    }

    /// `batch` with every float64 value rounded to `decimals` places, for the human-readable table
    /// (csv, jsonl and json keep full precision).
    public static func rounded(_ batch: RecordBatch, decimals: Int) -> RecordBatch {
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

    /// A nullable column of `type` from values (each `.null` or of that type).
    private static func column(_ type: ColumnType, _ values: [Value]) -> ColumnData {
        var validity = Bitmap(count: values.count, value: false)
        for (i, v) in values.enumerated() where v != .null { validity[i] = true }
        let storage: ColumnData.Storage
        switch type {
        case .float64: storage = .float64(values.map { if case .float(let d) = $0 { return d } else { return 0 } })
        case .int64, .timestamp, .duration:
            storage = .int64(values.map { v -> Int64 in
                switch v {
                case .int(let i), .timestamp(let i): return i
                default: return 0
                }
            })
        case .bool: storage = .bool(values.map { $0 == .bool(true) })
        case .string: storage = .strings(StringArray(values.map { if case .string(let s) = $0 { return s } else { return "" } }))
        }
        return ColumnData(type: type, storage: storage, validity: validity)
    }
}
