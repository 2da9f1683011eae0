import ArgumentParser
import Foundation
import Tape
import TapeIO

/// `tape ingest`: write a run from a stream of tagged NDJSON records (see `IngestSession` for the
/// framing), the way a backtest in another language (Python) streams into a `.tape` file.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Write a run from tagged NDJSON records on standard input (what the Python client sends).",
        discussion: """
            Every line is one flat JSON object whose first key is a directive:
              {"$schema":"trades","ts":"timestamp!","pnl":"float64","side":"string"}   declare a table (optional)
              {"$table":"equity","ts":"2024-01-02T09:30:00Z","equity":100000.0}        one row of a table
              {"$metadata":true,"strategy":"sma","fast":10}                            run metadata
              {"$expect_bars":525600,"table":"equity"}                                 expected bars (progress)
              {"$close":true,"final_equity":101234.5}                                  last record: close the run
              {"$cancel":"reason"}                                                     last record: run stopped early
            Types: int64, float64, timestamp, bool, string (append ! for not null). A table without \
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

            Examples:
              python backtest.py | tape ingest run.tape --metadata strategy=sma
              tape ingest run.tape --input records.ndjson --expect-bars 525600
            """)

    @Argument(help: "The .tape file to create.") var file: String
    @Option(help: "Read records from this file instead of standard input (- for standard input).")
    var input = "-"
    @Option(help: "Run metadata key=value (repeatable).") var metadata: [String] = []
    @Option(help: "Expected number of bars (rows of the equity table), for progress.") var expectBars: Int?
    @Flag(help: "Skip and count malformed lines instead of stopping.") var skipMalformed = false
    @Option(help: "Rows of an undeclared table read to infer its types.") var inferRows = 1000
    @Option(help: "Compression: zstd, lz4 or none.") var codec: CodecChoice = .zstd
    @Option(help: "zstd level (1-22).") var level: Int32 = 3
    @Flag(help: "Replace FILE if it exists.") var force = false

    func validate() throws {
        for m in metadata where !m.contains("=") { throw ValidationError("--metadata '\(m)' is not key=value") }
        if let expectBars, expectBars < 0 { throw ValidationError("--expect-bars must be ≥ 0") }
        guard inferRows > 0 else { throw ValidationError("--infer-rows must be > 0") }
        guard (1...22).contains(level) else { throw ValidationError("--level must be 1...22") }
    }

    func run() throws {
        if !force && FileManager.default.fileExists(atPath: file) {
            throw ValidationError("\(file) exists; tape ingest writes a new run (use --force to replace it)")
        }
        if input != "-" && !FileManager.default.isReadableFile(atPath: input) {
            throw ValidationError("--input: cannot read \(input)")
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
        let target = WriterIngestTarget(writer)
        var failure: Error?
        var ending = IngestSession.Ending.endOfInput
        var line = 0
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
    init(_ writer: TapeWriter) { self.writer = writer }

    func declareTable(_ name: String, schema: Schema) throws -> ColumnBatchSink {
        try writer.declareTable(name, schema: schema)
    }
    func setMetadata(_ key: String, _ value: String) throws { try writer.setMetadata(key, value) }
    func expectBars(_ count: Int, table: String) { writer.expectBars(count, table: table) }
}
