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
    /// One trade marker of `--trades` (one run): where, and what it shows.
    public struct TradeMarker: Hashable, Sendable {
        /// Entry (drawn ▲ for a long, ▼ for a short) or exit (a dot, green for a win, red for a loss).
        public enum Kind: Hashable, Sendable { case entry, exit }
        public var column: Int
        public var kind: Kind
        public var short: Bool
        /// pnl > 0 (exits; false when the trade has no pnl).
        public var win: Bool
    }

    /// Trade markers, one per pixel column and kind of marker (one run, `--trades`).
    public var markers: Set<TradeMarker> = []
    /// The run's `strategy` and `symbol` metadata (single run), for the default title.
    public var subtitle: String?

    /// Reads `paths` into `columns` pixel columns. Table and column names follow the metrics
    /// convention (`equity`/`ts`/`equity`, `trades`/`entry_ts`/`exit_ts`, overridable with
    /// `tape.metrics.*` metadata). `selection` (`--from/--to/--where`) chooses the equity rows
    /// drawn; with `--from/--to` the x axis is cut to that range and so are the trade markers.
    public init(paths: [String], columns: Int, normalize: Bool, trades: Bool, selection: RowSelectionOptions? = nil) throws {
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
        if let from = try selection?.fromNanos() { lo = max(lo ?? from, from) }
        if let to = try selection?.toNanos() { hi = min(hi ?? to, to) }
        if let l = lo, let h = hi, h < l { hi = l }
        start = lo ?? 0
        end = hi ?? 0
        curves = []
        for run in runs {
            var b = PixelBuckets(columns: columns, start: start, end: end, normalize: normalize)
            let columns = [run.options.timeColumn, run.options.equityColumn]
            let scan: () throws -> RecordBatch?
            if let selection {
                let rows = try selection.scan(run.reader, table: run.options.equityTable, columns: columns)
                scan = rows.nextBatch
            } else {
                scan = try run.reader.scan(run.options.equityTable, columns: columns).nextBatch
            }
            while let batch = try scan() {
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
        if runs.count == 1, let run = runs.first {
            let meta = run.reader.footer
            subtitle = [meta.metadataValue("strategy"), meta.metadataValue("symbol"), meta.metadataValue("params")]
                .compactMap { $0 }.joined(separator: " · ")
            if subtitle?.isEmpty == true { subtitle = nil }
        }
        if trades, runs.count == 1, let run = runs.first, let buckets = curves.first?.buckets {
            markers = try Self.tradeMarkers(run.reader, run.options, buckets, within: selection.map { $0.from != nil || $0.to != nil } == true ? start...end : nil)
        }
    }

    /// The trade markers of `reader`'s trades table: entries and exits (when those timestamp
    /// columns exist), long or short from a `side` column (short, sell, s: short) or else the sign
    /// of a `qty`/`size`/`quantity` column, win or loss from the pnl column; only those at times
    /// `within` when given.
    static func tradeMarkers(_ reader: TapeReader, _ o: MetricsOptions, _ buckets: PixelBuckets, within: ClosedRange<Int64>? = nil) throws -> Set<TradeMarker> {
        guard let t = try? reader.table(o.tradesTable), t.schema.index(of: o.entryColumn) != nil || t.schema.index(of: o.exitColumn) != nil else {
            return []
        }
        let sideName = ["side"].first { t.schema.index(of: $0) != nil }
        let qtyName = ["qty", "size", "quantity"].first { t.schema.index(of: $0) != nil }
        let wanted = [o.entryColumn, o.exitColumn, o.pnlColumn, sideName, qtyName].compactMap { $0 }
        var seen = Set<String>()
        let columns = wanted.filter { t.schema.index(of: $0) != nil && seen.insert($0).inserted }
        var out = Set<TradeMarker>()
        let scan = try reader.scan(o.tradesTable, columns: columns)
        while let batch = try scan.nextBatch() {
            func col(_ name: String?) -> ColumnData? { name.flatMap { n in columns.firstIndex(of: n).map { batch.columns[$0] } } }
            let entry = col(o.entryColumn), exit = col(o.exitColumn), pnl = col(o.pnlColumn).flatMap { NumericColumn($0) }
            let side = col(sideName), qty = col(qtyName).flatMap { NumericColumn($0) }
            for i in 0..<batch.count {
                var short = false
                if let side, case .strings(let s) = side.storage, !side.isNull(i) {
                    short = ["short", "sell", "s"].contains(s[i].lowercased())
                } else if let q = qty?[i] {
                    short = q < 0
                }
                let win = (pnl?[i] ?? 0) > 0
                for (c, kind) in [(entry, TradeMarker.Kind.entry), (exit, .exit)] {
                    guard let c, c.type == .timestamp, case .int64(let ts) = c.storage, !c.isNull(i), within?.contains(ts[i]) ?? true else { continue }
                    out.insert(TradeMarker(column: buckets.column(of: ts[i]), kind: kind, short: short, win: kind == .exit && win))
                }
            }
        }
        return out
    }
}
