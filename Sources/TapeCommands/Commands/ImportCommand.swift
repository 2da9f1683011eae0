import ArgumentParser
import Foundation
import Tape
import TapeIO

/// `tape import`: load CSV or NDJSON into a table of a new or existing file.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load rows from CSV or NDJSON into a table (creating the file, or adding to a closed one).",
        discussion: """
            Streams the input with bounded memory. Column types are inferred from the first \
            --infer-rows records (int64, float64, bool — true/false/True/False —, timestamp — \
            2019-01-01T00:00:00Z, 2019-01-01 00:00:00, 2019-01-01 … — else string; empty, NULL, \
            null, NA and NaN-free blanks are null) unless --schema gives them. A malformed line stops \
            the import with its line number and nothing is added to the file; with --skip-malformed \
            such lines are skipped and counted. Adding a table to an existing file keeps its other \
            tables; importing into an existing table appends rows when the schemas are identical.

            Examples:
              tape import run.tape trades --csv trades.csv
              cat equity.ndjson | tape import run.tape equity --ndjson - --schema ts:timestamp,equity:float64
            """)

    @Argument(help: "The .tape file (created if missing).") var file: String
    @Argument(help: "The table to load into.") var table: String
    @Option(help: "CSV input path, or - for standard input.") var csv: String?
    @Option(help: "NDJSON input path (one JSON object per line), or - for standard input.") var ndjson: String?
    @Option(help: "Column types, e.g. ts:timestamp,px:float64,sym:string (types: int64, float64, timestamp, duration, bool, string; append ! for not-null).")
    var schema: String?
    @Option(help: "Records read to infer types.") var inferRows = 1000
    @Flag(help: "Skip and count malformed lines instead of stopping.") var skipMalformed = false
    @Option(help: "CSV field delimiter (one ASCII character).") var delimiter = ","
    @Option(help: "Compression: zstd, lz4 or none.") var codec: CodecChoice = .zstd
    @Option(help: "zstd level (1-22).") var level: Int32 = 3
    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        guard (csv == nil) != (ndjson == nil) else { throw ValidationError("give exactly one of --csv or --ndjson") }
        guard delimiter.utf8.count == 1, let d = delimiter.utf8.first, d < 128 else {
            throw ValidationError("--delimiter must be one ASCII character")
        }
        guard inferRows > 0 else { throw ValidationError("--infer-rows must be > 0") }
    }

    func run() throws {
        let parsedSchema = try schema.map(parseSchema)
        let options = ImportOptions(schema: parsedSchema, inferRows: inferRows, skipMalformed: skipMalformed,
                                    delimiter: delimiter.utf8.first ?? UInt8(ascii: ","))
        let source: TextSource = {
            let p = csv ?? ndjson ?? "-"
            return p == "-" ? .standardInput : .path(p)
        }()
        let writerOptions = WriterOptions(codec: codec.codec(level: level))
        let writer = try openWriter(options: writerOptions)
        let progress = progressOptions.reporter("import", unit: "rows")
        defer { progress.finish() }
        do {
            let report: ImportReport
            if csv != nil {
                let importer = try CSVImporter(source, options: options)
                let sink = try TableSink(writer: writer, table: table, schema: try importer.inferSchema(), progress: progress)
                report = try importer.run(into: sink)
            } else {
                let importer = try NDJSONImporter(source, options: options)
                let sink = try TableSink(writer: writer, table: table, schema: try importer.inferSchema(), progress: progress)
                report = try importer.run(into: sink)
            }
            try writer.close()
            progress.finish()
            var msg = "imported \(report.rowsImported) rows into \(file):\(table)"
            if report.linesSkipped > 0 {
                msg += ", skipped \(report.linesSkipped) malformed line(s)"
                for e in report.skipped { msg += "\n  \(e)" }
            }
            printError(msg)
        } catch {
            try? writer.abandon()
            throw error
        }
    }

    /// A writer appending to `file`, or creating it when missing. Creation never replaces a file:
    /// when another import created it meanwhile, this one appends to it (under its writer lock).
    private func openWriter(options: WriterOptions) throws -> TapeWriter {
        if FileManager.default.fileExists(atPath: file) { return try TapeWriter(appendingTo: file, options: options) }
        do { return try TapeWriter(newRunAt: file, replacing: false, options: options) } catch TapeError.io(_, _, EEXIST) {
            return try TapeWriter(appendingTo: file, options: options)
        }
    }

    /// Parses `name:type[!],…`.
    func parseSchema(_ text: String) throws -> Schema {
        var defs: [ColumnDef] = []
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count == 2 else { throw ValidationError("--schema: '\(part)' is not name:type") }
            guard let def = ColumnDef(name: pieces[0], spec: pieces[1]) else {
                throw ValidationError("--schema: unknown type '\(pieces[1])' for column '\(pieces[0])' (use int64, float64, timestamp, duration, bool, string)")
            }
            defs.append(def)
        }
        do { return try Schema(defs) } catch { throw ValidationError("--schema: \(error)") }
    }
}

/// Compression choices on the command line.
enum CodecChoice: String, ExpressibleByArgument, CaseIterable {
    case zstd, lz4, none
    func codec(level: Int32) -> Codec {
        switch self {
        case .zstd: return .zstd(level: level)
        case .lz4: return .lz4
        case .none: return .none
        }
    }
}

/// Adapts a table writer to the importer's row sink.
final class TableSink: RowSink {
    let table: TableWriter
    let progress: ProgressReporter?

    init(writer: TapeWriter, table name: String, schema: Schema, progress: ProgressReporter? = nil) throws {
        table = try writer.declareTable(name, schema: schema)
        self.progress = progress
    }

    func appendRow(_ values: [Value]) throws {
        try table.append(values: values)
        progress?.advance()
    }
}
