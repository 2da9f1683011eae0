import Foundation
import Tape
import TapeCodec
import TapeFormat

/// The downsampled curves `tape plot` draws, read by streaming each run's equity table (and, with
/// trade markers, its trades table) once: memory is a few buckets per pixel column per run.
public struct PlotData {
    /// One run's curve.
    public struct Curve {
        public var label: String
        var buckets: PixelBuckets
    }

    public var curves: [Curve]
    /// Time span of the x axis (union of the runs' equity time ranges, from footers).
    public var start: Int64
    public var end: Int64
    /// Pixel columns of trade entries and exits (one run, `--trades`).
    var entryColumns: Set<Int> = []
    var exitColumns: Set<Int> = []

    /// Reads `paths` into `columns` pixel columns. Table and column names follow the metrics
    /// convention (`equity`/`ts`/`equity`, `trades`/`entry_ts`/`exit_ts`, overridable with
    /// `tape.metrics.*` metadata).
    public init(paths: [String], columns: Int, normalize: Bool, trades: Bool) throws {
        var runs: [(reader: TapeReader, options: MetricsOptions, label: String)] = []
        var lo: Int64?, hi: Int64?
        for path in paths {
            let reader = try TapeReader(path: path)
            var options = try MetricsOptions().applying(metadata: reader.metadata)
            guard let table = reader.tables.first(where: { $0.name == options.equityTable }) else {
                throw TapeError.invalidArgument("\(path): no table '\(options.equityTable)' to plot (name another with metadata tape.metrics.equity_table)")
            }
            for role in [MetricsOptions.Role.time, .equity] where options.column(role, in: table.schema) == nil {
                throw TapeError.invalidArgument("\(path): \(options.missing(role, table: options.equityTable))")
            }
            options = options.resolving([.time, .equity], in: table.schema)
            if let trades = reader.tables.first(where: { $0.name == options.tradesTable }) {
                options = options.resolving([.entry, .exit], in: trades.schema)
            }
            if let r = TimestampRange(of: table) {
                lo = min(lo ?? r.lowerBound, r.lowerBound)
                hi = max(hi ?? r.upperBound, r.upperBound)
            }
            let meta = reader.footer
            let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            runs.append((reader, options, meta.metadataValue("run_id") ?? meta.metadataValue("run") ?? meta.metadataValue("name") ?? stem))
        }
        start = lo ?? 0
        end = hi ?? 0
        curves = []
        for run in runs {
            var b = PixelBuckets(columns: columns, start: start, end: end, normalize: normalize)
            let scan = try run.reader.scan(run.options.equityTable, columns: [run.options.timeColumn, run.options.equityColumn])
            while let batch = try scan.nextBatch() {
                guard case .int64(let ts) = batch.columns[0].storage else { continue }
                let values = batch.columns[1]
                for i in 0..<batch.count where !batch.columns[0].isNull(i) && !values.isNull(i) {
                    switch values.storage {
                    case .float64(let v): b.add(ts: ts[i], equity: v[i])
                    case .int64(let v): b.add(ts: ts[i], equity: Double(v[i]))
                    default: break
                    }
                }
            }
            curves.append(Curve(label: run.label, buckets: b))
        }
        if trades, runs.count == 1, let run = runs.first, let buckets = curves.first?.buckets {
            let o = run.options
            if let t = try? run.reader.table(o.tradesTable), t.schema.index(of: o.entryColumn) != nil, t.schema.index(of: o.exitColumn) != nil {
                let scan = try run.reader.scan(o.tradesTable, columns: [o.entryColumn, o.exitColumn])
                while let batch = try scan.nextBatch() {
                    for (k, column) in batch.columns.enumerated() {
                        guard column.type == .timestamp, case .int64(let ts) = column.storage else { continue }
                        for i in 0..<batch.count where !column.isNull(i) {
                            if k == 0 { entryColumns.insert(buckets.column(of: ts[i])) } else { exitColumns.insert(buckets.column(of: ts[i])) }
                        }
                    }
                }
            }
        }
    }
}
