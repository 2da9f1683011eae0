import ArgumentParser
import Foundation
import Tape
import TapeCodec
import TapeIO
import TapeQuery

/// The row-selection options, one group for every command that reads a table's rows (`cat`,
/// `export`, `trades`, `plot`; other commands adopt it with `@OptionGroup var selection:
/// RowSelectionOptions`): `--columns`, `--from`/`--to` (with `--time-column`) and `--where`, a SQL
/// condition in `tape sql`'s expression language whose errors point a caret into the option's text.
public struct RowSelectionOptions: ParsableArguments, Sendable {
    @Option(help: "Comma-separated columns to print, in this order (default: all).") var columns: String?
    @Option(help: "Only rows at or after this time (ISO-8601 or nanoseconds).") var from: String?
    @Option(help: "Only rows before this time.") var to: String?
    @Option(help: "The timestamp column --from/--to apply to (default: the table's first).") var timeColumn: String?
    @Option(name: .customLong("where"), help: "Only rows for which this SQL condition is true, e.g. \"pnl < 0 AND side = 'long'\".")
    var condition: String?

    public init() {}

    /// The column names of `--columns`, nil for all.
    var columnNames: [String]? {
        columns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    /// `--from` as nanoseconds (nil when not given).
    func fromNanos() throws -> Int64? { try from.map { try parseTimestampArgument($0, option: "--from") } }
    /// `--to` as nanoseconds (nil when not given).
    func toNanos() throws -> Int64? { try to.map { try parseTimestampArgument($0, option: "--to") } }

    /// The timestamp column `--from/--to` apply to in `schema` (nil when neither is given).
    func timeColumnName(in schema: Schema, table: String) throws -> String? {
        guard from != nil || to != nil else { return nil }
        let tc = try timeColumn ?? schema.columns.first(where: { $0.type == .timestamp })?.name ?? {
            throw ValidationError("table '\(table)' has no timestamp column for --from/--to")
        }()
        guard let def = schema.columns.first(where: { $0.name == tc }) else {
            throw ValidationError("--time-column: table '\(table)' has no column '\(tc)'")
        }
        if def.type != .timestamp {
            throw ValidationError("--time-column: column '\(tc)' of table '\(table)' is \(def.type), not timestamp")
        }
        return tc
    }

    /// A scan of `table` with the selected columns (or `columns`, when the command chooses them),
    /// the --from/--to predicates and the --where condition (whose `column OP constant` conjuncts,
    /// like --from/--to, skip chunks and format 1.4 pages by their zone maps).
    func scan(_ reader: TapeReader, table: String, columns: [String]? = nil) throws -> SelectedRows {
        let entry = try reader.table(table)
        var predicates: [ColumnPredicate] = []
        if let tc = try timeColumnName(in: entry.schema, table: table) {
            if let f = try fromNanos() { predicates.append(ColumnPredicate(tc, .ge, .timestamp(f))) }
            if let t = try toNanos() { predicates.append(ColumnPredicate(tc, .lt, .timestamp(t))) }
        }
        let filter = try condition.map { try Self.filter($0, schema: entry.schema) }
        var names = columns ?? columnNames
        var outputCount: Int?
        if let chosen = names, let filter {
            // Read the columns the condition needs too, then drop them after filtering.
            let extra = filter.referencedColumns.filter { !chosen.contains($0) }
            outputCount = chosen.count
            names = chosen + extra
        }
        // The condition's `column OP constant` conjuncts skip chunks and pages by their zone maps too.
        let scan = try reader.scan(table, columns: names, where: predicates, skipBy: filter?.zonePredicates ?? [])
        return SelectedRows(scan: scan, filter: filter, outputCount: outputCount)
    }

    /// `--where`'s condition over `schema`; a syntax or type error shows a caret in the option's text.
    private static func filter(_ text: String, schema: Schema) throws -> RowFilter {
        do { return try RowFilter(text, schema: schema) } catch {
            throw CommandFailure("--where: " + error.render(query: text))
        }
    }
}

/// The rows a `RowSelectionOptions` selects from one table: its scan, filtered by `--where` and
/// cut to the `--columns` asked for. Memory is one batch.
final class SelectedRows {
    /// The schema of the batches returned.
    let schema: Schema
    private let scan: TableScan
    private let filter: RowFilter?
    private let outputCount: Int?

    init(scan: TableScan, filter: RowFilter?, outputCount: Int?) {
        self.scan = scan
        self.filter = filter
        self.outputCount = outputCount
        if let outputCount, let s = try? Schema(Array(scan.schema.columns.prefix(outputCount))) {
            schema = s
        } else {
            schema = scan.schema
        }
    }

    /// The next non-empty batch, nil at the end.
    func nextBatch() throws -> RecordBatch? {
        while let batch = try scan.nextBatch() {
            var b = batch
            if let filter {
                let rows = try Self.matchingRows(filter, batch)
                if rows.isEmpty { continue }
                if rows.count < batch.count { b = RecordBatch(schema: batch.schema, columns: batch.columns.map { $0.gather(rows) }, count: rows.count) }
            }
            if let outputCount, outputCount < b.schema.count {
                b = RecordBatch(schema: schema, columns: Array(b.columns.prefix(outputCount)), count: b.count)
            }
            if b.count > 0 { return b }
        }
        return nil
    }

    /// The rows of `batch` that `filter` keeps; an evaluation error is reported against --where.
    private static func matchingRows(_ filter: RowFilter, _ batch: RecordBatch) throws -> [Int32] {
        do { return try filter.matchingRows(batch) } catch {
            throw CommandFailure("--where: " + error.render(query: filter.text))
        }
    }
}

/// Streams at most `limit` rows of `rows` through `formatter` into `target`, then finishes and
/// commits it; a closed output pipe ends quietly.
func writeRows(_ rows: SelectedRows, formatter: RecordFormatter, target: OutputTarget, limit: Int? = nil) throws {
    try quietOnBrokenPipe {
        var remaining = limit ?? Int.max
        while remaining > 0, let batch = try rows.nextBatch() {
            let b = batch.count <= remaining ? batch : batch.prefix(remaining)
            try formatter.write(b)
            remaining -= b.count
        }
        try formatter.finish()
        try target.commit()
    }
}
