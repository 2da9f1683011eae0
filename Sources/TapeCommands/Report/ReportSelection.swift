import Foundation
import Tape
import TapeFormat

/// `--from/--to/--where` of `tape report` (the shared `RowSelectionOptions`): the rows a report of
/// one run or a comparison reads. `--from` (inclusive) and `--to` (exclusive) cut both the equity
/// and the trades table, each on its first timestamp column or `--time-column`, as `tape cat`
/// would; `--where` filters the equity rows, as in `tape plot`. The run's metrics are computed
/// again over exactly those rows (the stored ones describe the whole run).
struct ReportSelection: Sendable {
    let rows: RowSelectionOptions
    let from: Int64?
    let to: Int64?

    /// Nil when no row option is given.
    init?(_ rows: RowSelectionOptions) throws {
        guard rows.from != nil || rows.to != nil || rows.condition != nil else { return nil }
        self.rows = rows
        from = try rows.fromNanos()
        to = try rows.toNanos()
    }

    /// The selected rows of the equity table `table` (`--from/--to` and `--where`), `columns` only.
    func equity(_ reader: TapeReader, _ table: String, _ columns: [String]) throws -> () throws -> RecordBatch? {
        try rows.scan(reader, table: table, columns: columns).nextBatch
    }

    /// The rows of the trades table `table` in the period (`--from/--to` only), `columns` only.
    func trades(_ reader: TapeReader, _ table: String, _ columns: [String]) throws -> () throws -> RecordBatch? {
        var period = rows
        period.condition = nil
        return try period.scan(reader, table: table, columns: columns).nextBatch
    }

    /// The timestamp column `--from/--to` cut `table` on (nil when neither is given).
    func timeColumn(of table: Footer.TableEntry) throws -> String? {
        try rows.timeColumnName(in: table.schema, table: table.name)
    }

    /// Whether a row at `ts` is in the period.
    func contains(_ ts: Int64) -> Bool { (from.map { ts >= $0 } ?? true) && (to.map { ts < $0 } ?? true) }

    /// `lo...hi` (a run's time range) cut to the period; nil bounds stay nil.
    func period(_ lo: Int64?, _ hi: Int64?) -> (Int64?, Int64?) {
        var lo = lo, hi = hi
        if let from { lo = max(lo ?? from, from) }
        if let to { hi = min(hi ?? to, to) }
        if let l = lo, let h = hi, h < l { hi = l }
        return (lo, hi)
    }

    /// `record` with its metrics computed over the selected rows (`metricsStored` false).
    func reselect(_ record: RunRecord) throws -> RunRecord {
        let reader = try TapeReader(path: record.path)
        var acc = MetricsAccumulator(options: try MetricsOptions().applying(metadata: reader.metadata))
        let o = acc.options
        try acc.feed(from: reader) { table, columns in
            table == o.equityTable ? try equity(reader, table, columns) : try trades(reader, table, columns)
        }
        var r = record
        r.metrics = acc.finish()
        r.metricsStored = false
        return r
    }
}
