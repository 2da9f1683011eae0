import Foundation
import Tape
import TapeFormat

/// What the report draws of one run's equity table, read in one streaming pass over its time,
/// equity and (when present) position columns: pixel buckets of the curve and its drawdown, the
/// last equity of each UTC day, and exposure per pixel column. Memory grows with pixel columns
/// and days, never with bars.
struct RunAnalysis: Sendable {
    var buckets: PixelBuckets
    var daily = DailyCloses()
    /// Nil when the equity table has no position column (`tape.metrics.position_column`).
    var exposure: ExposureBuckets?

    /// Streams the equity table of `reader` (names from `options`) into `columns` pixel columns
    /// spanning `start...end` (nanoseconds); `normalize` divides by the first equity. `selection`
    /// (`--from/--to/--where`) chooses the equity rows read, else every row is.
    init(reader: TapeReader, options: MetricsOptions, columns: Int, start: Int64, end: Int64, normalize: Bool,
         selection: ReportSelection? = nil) throws {
        buckets = PixelBuckets(columns: columns, start: start, end: end, normalize: normalize)
        let table = try RunAnalysis.equityTable(reader, options)
        let hasPosition = table.schema.index(of: options.positionColumn) != nil
        if hasPosition { exposure = ExposureBuckets(columns: columns) }
        var wanted = [options.timeColumn, options.equityColumn]
        if hasPosition, !wanted.contains(options.positionColumn) { wanted.append(options.positionColumn) }
        let next = try selection?.equity(reader, options.equityTable, wanted)
            ?? reader.scan(options.equityTable, columns: wanted).nextBatch
        while let batch = try next() {
            guard case .int64(let ts) = batch.columns[0].storage, let equity = NumericColumn(batch.columns[1]) else { continue }
            let position = hasPosition ? NumericColumn(batch.columns[batch.columns.count - 1]) : nil
            let tsColumn = batch.columns[0]
            for i in 0..<batch.count where !tsColumn.isNull(i) {
                guard let v = equity[i], v.isFinite else { continue }
                buckets.add(ts: ts[i], equity: v)
                daily.add(ts: ts[i], equity: v)
                if let p = position?[i] { exposure?.add(column: buckets.column(of: ts[i]), position: p) }
            }
        }
    }

    /// The equity table of a run, checked to have a timestamp time column and an equity column.
    static func equityTable(_ reader: TapeReader, _ options: MetricsOptions) throws -> Footer.TableEntry {
        guard let table = reader.tables.first(where: { $0.name == options.equityTable }) else {
            throw TapeError.invalidArgument("\(reader.path): no table '\(options.equityTable)' (name another with metadata tape.metrics.equity_table)")
        }
        guard let t = table.schema.index(of: options.timeColumn), table.schema[t].type == .timestamp,
              let e = table.schema.index(of: options.equityColumn), [.int64, .float64].contains(table.schema[e].type) else {
            throw TapeError.invalidArgument("\(reader.path): table '\(options.equityTable)' needs a timestamp column '\(options.timeColumn)' and a numeric column '\(options.equityColumn)' (see tape.metrics.time_column / equity_column)")
        }
        return table
    }
}
