import ArgumentParser
import Tape
import TapeIO
import Foundation

/// `tape cat`: stream a table's rows.
struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print the rows of a table, optionally only some columns and a time range.",
        discussion: """
            Reads only the requested columns, and skips chunks whose time range lies outside \
            --from/--to. --from is inclusive, --to exclusive; both apply to the table's first \
            timestamp column unless --time-column names another. Timestamps print as ISO-8601 UTC; \
            CSV follows RFC 4180.

            Examples:
              tape cat run.tape trades --format csv
              tape cat run.tape equity --columns ts,equity --from 2024-06-01 --to 2024-07-01 -f csv
            """)

    @Argument(help: "The .tape file.") var file: String
    @Argument(help: "The table to print.") var table: String
    @Option(help: "Comma-separated columns to print, in this order (default: all).") var columns: String?
    @Option(help: "Only rows at or after this time (ISO-8601 or nanoseconds).") var from: String?
    @Option(help: "Only rows before this time.") var to: String?
    @Option(help: "The timestamp column --from/--to apply to.") var timeColumn: String?
    @Option(help: "Print at most this many rows.") var limit: Int?
    @Flag(help: "Read a file that is still being written (or whose writer died): only its complete chunks.")
    var unsealed = false
    @OptionGroup var output: RowOutputOptions

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be ≥ 0") }
    }

    func run() throws {
        let reader = try TapeReader(path: file, options: ReaderOptions(verifyChecksums: true, allowUnsealed: unsealed))
        if !reader.isSealed { printError("warning: \(file) has no footer yet; showing its complete chunks only") }
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
        let scan = try reader.scan(table, columns: names, where: predicates)
        let sink = try output.makeSink()
        let formatter = output.makeFormatter(schema: scan.schema, sink: sink)
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
}

extension RecordBatch {
    /// The first `n` rows.
    func prefix(_ n: Int) -> RecordBatch {
        RecordBatch(schema: schema, columns: columns.map { $0.slice(0..<n) }, count: n)
    }
}
