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
    @OptionGroup var selection: RowSelectionOptions
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
        let scan = try selection.scan(reader, table: table)
        let sink = try output.makeSink()
        try writeRows(scan, formatter: output.makeFormatter(schema: scan.schema, sink: sink), sink: sink, limit: limit)
    }
}

extension RecordBatch {
    /// The first `n` rows.
    func prefix(_ n: Int) -> RecordBatch {
        RecordBatch(schema: schema, columns: columns.map { $0.slice(0..<n) }, count: n)
    }
}
