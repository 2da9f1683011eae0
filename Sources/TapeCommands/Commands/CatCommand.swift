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
            timestamp column unless --time-column names another. --where keeps the rows for which \
            a SQL condition (tape sql's expression language) is true. Timestamps print as ISO-8601 \
            UTC; CSV follows RFC 4180. With -o the file is written atomically: complete, or left \
            as it was when the command fails.

            Examples:
              tape cat run.tape trades --format csv
              tape cat run.tape equity --columns ts,equity --from 2024-06-01 --to 2024-07-01 -f csv
              tape cat run.tape trades --where "pnl < 0 AND side = 'long'" -o losers.csv -f csv
            """)

    @Argument(help: "The .tape file (or a directory or quoted glob naming exactly one).") var file: String
    @Argument(help: "The table to print.") var table: String
    @OptionGroup var selection: RowSelectionOptions
    @Option(help: "Print at most this many rows.") var limit: Int?
    @Flag(help: "Read a file that is still being written (or whose writer died): only its complete chunks.")
    var unsealed = false
    @OptionGroup var output: RowOutputOptions
    @OptionGroup var messages: MessageOptions

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be ≥ 0") }
    }

    func run() throws {
        let path = try RunPaths.single(file)
        let reader = try TapeReader(path: path, options: ReaderOptions(verifyChecksums: true, allowUnsealed: unsealed))
        if !reader.isSealed { messages.warn("\(path) has no footer yet; showing its complete chunks only") }
        let rows = try selection.scan(reader, table: table)
        let target = try output.makeTarget()
        try writeRows(rows, formatter: output.makeFormatter(schema: rows.schema, sink: target.sink), target: target, limit: limit)
    }
}

extension RecordBatch {
    /// The first `n` rows.
    func prefix(_ n: Int) -> RecordBatch {
        RecordBatch(schema: schema, columns: columns.map { $0.slice(0..<n) }, count: n)
    }
}
