import ArgumentParser
import Foundation
import Tape
import TapeIO

/// `--columns`, `--from`, `--to` and `--time-column`, shared by the commands that read rows of a
/// table (`cat`, `export`).
struct RowSelectionOptions: ParsableArguments {
    @Option(help: "Comma-separated columns to print, in this order (default: all).") var columns: String?
    @Option(help: "Only rows at or after this time (ISO-8601 or nanoseconds).") var from: String?
    @Option(help: "Only rows before this time.") var to: String?
    @Option(help: "The timestamp column --from/--to apply to.") var timeColumn: String?

    /// A scan of `table` with the selected columns and the --from/--to predicates on the table's
    /// first timestamp column (or --time-column).
    func scan(_ reader: TapeReader, table: String) throws -> TableScan {
        let entry = try reader.table(table)
        var predicates: [ColumnPredicate] = []
        if from != nil || to != nil {
            let tc = try timeColumn ?? entry.schema.columns.first(where: { $0.type == .timestamp })?.name ?? {
                throw ValidationError("table '\(table)' has no timestamp column for --from/--to")
            }()
            if let def = entry.schema.columns.first(where: { $0.name == tc }), def.type != .timestamp {
                throw ValidationError("--time-column: column '\(tc)' of table '\(table)' is \(def.type), not timestamp")
            }
            if let from { predicates.append(ColumnPredicate(tc, .ge, .timestamp(try parseTimestampArgument(from, option: "--from")))) }
            if let to { predicates.append(ColumnPredicate(tc, .lt, .timestamp(try parseTimestampArgument(to, option: "--to")))) }
        }
        let names = columns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        return try reader.scan(table, columns: names, where: predicates)
    }
}

/// Streams at most `limit` rows of `scan` through `formatter` into `sink`, then finishes and closes
/// the sink; a closed output pipe ends quietly.
func writeRows(_ scan: TableScan, formatter: RecordFormatter, sink: ByteSink, limit: Int? = nil) throws {
    try quietOnBrokenPipe {
        var remaining = limit ?? Int.max
        try scan.forEach { batch in
            guard remaining > 0 else { return false }
            let b = batch.count <= remaining ? batch : batch.prefix(remaining)
            try formatter.write(b)
            remaining -= b.count
            return remaining > 0
        }
        try formatter.finish()
        try sink.close()
    }
}
