import ArgumentParser
import Foundation
import Tape
import TapeCodec
import TapeIO

/// `tape ingest`: write a run from a stream of tagged NDJSON records (see `IngestSession` for the
/// framing), the way a backtest in another language (Python) streams into a `.tape` file.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Write a run from tagged NDJSON records (what the Python client sends) or Arrow IPC streams.",
        discussion: """
            Every line is one flat JSON object whose first key is a directive:
              {"$schema":"trades","ts":"timestamp!","pnl":"float64","side":"string"}   declare a table (optional)
              {"$table":"equity","ts":"2024-01-02T09:30:00Z","equity":100000.0}        one row of a table
              {"$metadata":true,"strategy":"sma","fast":10}                            run metadata
              {"$expect_bars":525600,"table":"equity"}                                 expected bars (progress)
              {"$close":true,"final_equity":101234.5}                                  last record: close the run
              {"$cancel":"reason"}                                                     last record: run stopped early
            Types: int64, float64, timestamp, duration, bool, string (append ! for not null). A \
            duration value is an integer of nanoseconds, DuckDB/pandas text (2 days 03:00:00) or \
            ISO-8601 (P2DT3H). A table without \
            $schema gets its types inferred from its first --infer-rows rows, as tape import does. A \
            row's missing columns are null; a key that is not a column is an error. Timestamps are \
            ISO-8601 strings (2024-01-02T09:30:00Z, fractions and offsets allowed).

            Memory is bounded by one chunk per table (plus the rows held for inference). On $close \
            or $cancel the file is sealed and the run summary JSON is printed on standard output. If \
            the input ends without them, or a line is malformed (reported with its line and column; \
            --skip-malformed skips and counts such lines instead), the file is still sealed with \
            every row accepted before that point, its metadata gets tape.incomplete=true and \
            tape.incomplete_reason, the summary is printed, and the exit status is 1. $close or \
            $cancel must be the last record: a record after it is such an error (naming its line). \
            If the file cannot be written (a full disk), the error says so and that `tape recover \
            FILE` keeps its complete chunks.

            --format arrow reads Arrow IPC streams instead (the streaming format, or an Arrow IPC \
            file), one table each: --table NAME reads standard input (or --input), --table \
            NAME=PATH reads PATH; repeat --table for more tables. Each stream's schema declares its \
            table (every column nullable): int8...uint64 -> int64 (uint64 above int64's maximum is \
            refused), float32/float64 -> float64, bool, utf8/large_utf8 and dictionaries of them -> \
            string, timestamp (any unit and zone: the UTC instant) and date -> timestamp, duration \
            (any unit) -> duration. Other types, compressed bodies and big-endian streams are \
            refused by name. The end-of-stream marker closes the table; a stream cut short, or \
            bytes that break the format (reported with the message and byte offset), end the run \
            as an incomplete one, exactly as above.

            Examples:
              python backtest.py | tape ingest run.tape --metadata strategy=sma
              tape ingest run.tape --input records.ndjson --expect-bars 525600
              tape ingest run.tape --format arrow --table equity=equity.arrows --table trades=trades.arrows
              python -c '...pyarrow.ipc.new_stream(sys.stdout.buffer, schema)...' | tape ingest run.tape --format arrow --table equity
            """)

    @Argument(help: "The .tape file to create.") var file: String
    @Option(help: "Input format: ndjson (tagged records) or arrow (Arrow IPC streams, one table each).")
    var format: IngestFormat = .ndjson
    @Option(help: ArgumentHelp("With --format arrow: a table and its stream (repeatable); without =PATH the stream is --input.", valueName: "name[=path]"))
    var table: [String] = []
    @Option(help: "Read records from this file instead of standard input (- for standard input).")
    var input = "-"
    @Option(help: "Run metadata key=value (repeatable).") var metadata: [String] = []
    @Option(help: "Expected number of bars (rows of the equity table), for progress.") var expectBars: Int?
    @Flag(help: "Skip and count malformed lines instead of stopping.") var skipMalformed = false
    @Option(help: "Rows of an undeclared table read to infer its types.") var inferRows = 1000
    @Option(help: "Compression: zstd, lz4 or none.") var codec: CodecChoice = .zstd
    @Option(help: "zstd level (1-22).") var level: Int32 = 3
    @Flag(help: "Replace FILE if it exists.") var force = false
    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        for m in metadata where !m.contains("=") { throw ValidationError("--metadata '\(m)' is not key=value") }
        if let expectBars, expectBars < 0 { throw ValidationError("--expect-bars must be ≥ 0") }
        guard inferRows > 0 else { throw ValidationError("--infer-rows must be > 0") }
        guard (1...22).contains(level) else { throw ValidationError("--level must be 1...22") }
        switch format {
        case .ndjson:
            guard table.isEmpty else { throw ValidationError("--table is for --format arrow (NDJSON records name their tables)") }
        case .arrow:
            guard !table.isEmpty else { throw ValidationError("--format arrow needs --table NAME (or NAME=PATH) for each stream") }
            guard !skipMalformed else { throw ValidationError("--skip-malformed is for --format ndjson") }
            guard arrowStreams.filter({ $0.path == nil }).count <= 1 else {
                throw ValidationError("only one --table may read --input (\(input == "-" ? "standard input" : input)); give the others =PATH")
            }
            guard Set(arrowStreams.map(\.table)).count == arrowStreams.count else { throw ValidationError("--table names a table twice") }
        }
    }

    func run() throws {
        if !force && FileManager.default.fileExists(atPath: file) {
            throw ValidationError("\(file) exists; tape ingest writes a new run (use --force to replace it)")
        }
        if input != "-" && !FileManager.default.isReadableFile(atPath: input) {
            throw ValidationError("--input: cannot read \(input)")
        }
        for (_, path) in arrowStreams where format == .arrow {
            if let path, path != "-", !FileManager.default.isReadableFile(atPath: path) { throw ValidationError("--table: cannot read \(path)") }
        }
        var meta: [String: String] = [:]
        for m in metadata {
            let parts = m.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            meta[String(parts[0])] = String(parts[1])
        }
        // Without --force a file created meanwhile (by another ingest or import) is never replaced.
        let writer: TapeWriter
        do {
            writer = try TapeWriter(newRunAt: file, replacing: force, options: WriterOptions(codec: codec.codec(level: level)), metadata: meta)
        } catch TapeError.io(_, _, EEXIST) where !force {
            throw ValidationError("\(file) exists; tape ingest writes a new run (use --force to replace it)")
        } catch {
            throw IngestFailure("\(file) could not be created: \(error); nothing was read from the input")
        }
        if let expectBars { writer.expectBars(expectBars) }
        let progress = progressOptions.reporter("ingest", unit: "bars", total: writer.progress.total)
        let target = WriterIngestTarget(writer, progress: progress)
        var failure: Error?
        var ending = IngestSession.Ending.endOfInput
        var line = 0
        switch format {
        case .arrow:
            do {
                try ingestArrowStreams(into: target)
                ending = .closed
            } catch {
                failure = error
            }
        case .ndjson:
            do {
                let session = try IngestSession(input == "-" ? .standardInput : .path(input), target: target,
                                                options: .init(skipMalformed: skipMalformed, inferRows: inferRows))
                do {
                    ending = try session.run()
                } catch {
                    failure = error
                }
                line = session.line
                if session.linesSkipped > 0 {
                    printError("skipped \(session.linesSkipped) malformed line(s)" + session.skipped.map { "\n  \($0)" }.joined())
                }
            } catch {
                failure = error  // the input could not be opened after all
            }
        }

        progress.finish()
        let summary: RunSummary
        switch (failure, ending) {
        case (nil, .closed):
            summary = try sealing { try writer.close() }
        case (nil, .cancelled(let reason)):
            summary = try sealing { try writer.cancel(reason: reason) }
        default:
            let reason = failure.map { "\($0)" } ?? "input ended without a $close record after line \(line)"
            try writer.setMetadata("tape.incomplete", "true")
            try writer.setMetadata("tape.incomplete_reason", reason)
            summary = try sealing(after: reason) { try writer.close() }
            print(try summary.json())
            let rows = NameList.bounded(summary.tables.map { "\($0.name) \($0.rows)" })
            throw IngestFailure("\(reason); \(file) is sealed with the rows before that (\(rows.isEmpty ? "no tables" : rows)) and marked tape.incomplete=true")
        }
        print(try summary.json())
    }

    /// Runs `seal` (the writer's close). When it fails (a full disk, or a write error earlier) the
    /// file is left unsealed: the error says what happened (`reason`, the input problem if any,
    /// then the write error) and that `tape recover` keeps its complete chunks.
    private func sealing(after reason: String? = nil, _ seal: () throws -> RunSummary) throws -> RunSummary {
        do { return try seal() } catch {
            let first = reason.map { "\($0); then " } ?? ""
            throw IngestFailure("\(first)\(error); \(file) could not be sealed and is left unsealed: run `tape recover \(file)` to keep its complete chunks")
        }
    }
}

/// The error `tape ingest` exits with after sealing an incomplete run.
struct IngestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TableWriter: ColumnBatchSink {}

/// Adapts a `TapeWriter` to `IngestTarget`.
final class WriterIngestTarget: IngestTarget {
    let writer: TapeWriter
    let progress: ProgressReporter?
    init(_ writer: TapeWriter, progress: ProgressReporter? = nil) {
        self.writer = writer
        self.progress = progress
    }

    func declareTable(_ name: String, schema: Schema) throws -> ColumnBatchSink {
        let table = try writer.declareTable(name, schema: schema)
        guard let progress, progress.style != .off else { return table }
        return ProgressSink(table: table, writer: writer, progress: progress)
    }
    func setMetadata(_ key: String, _ value: String) throws { try writer.setMetadata(key, value) }
    func expectBars(_ count: Int, table: String) { writer.expectBars(count, table: table) }
}

/// A table's sink that reports the writer's bar progress (`$expect_bars`, clamped by
/// `TapeWriter.progress`) after each batch.
final class ProgressSink: ColumnBatchSink {
    let table: TableWriter
    let writer: TapeWriter
    let progress: ProgressReporter

    init(table: TableWriter, writer: TapeWriter, progress: ProgressReporter) {
        self.table = table
        self.writer = writer
        self.progress = progress
    }

    func append(columns: [ColumnData]) throws {
        try table.append(columns: columns)
        let p = writer.progress
        progress.update(done: p.processed, total: .some(p.total))
    }
}
