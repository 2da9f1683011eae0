import ArgumentParser
import Foundation
import Tape
import TapeCodec
import TapeIO

/// Export formats: the row formats of `RowFormat` but the terminal table, and Parquet.
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, jsonl, json, arrow, parquet

    /// The row format that writes this format as text (nil for Parquet).
    var rowFormat: RowFormat? { self == .parquet ? nil : RowFormat(rawValue: rawValue) }
}

extension ParquetTimestampUnit: ExpressibleByArgument {}

/// `tape export`: a table as CSV/JSONL for shell jobs, or runs as Apache Parquet files for
/// DuckDB, Spark, Trino and pandas.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a table as CSV/JSONL/JSON/Arrow IPC, or runs as Apache Parquet files.",
        discussion: """
            tape export RUN TABLE [--format csv|jsonl|json|arrow] [-o PATH] [--columns a,b] [--from TS] [--to TS] [--where COND]
              writes one table of one run as text (default CSV, RFC 4180; timestamps ISO-8601 \
            UTC), like tape cat; RUN is a file (or a directory or glob naming exactly one). -o \
            writes the file atomically (complete, or untouched when the export fails).

            tape export PATH... --format parquet -o DIR [--table T...] [--partitioned]
              writes one Parquet file per table per run: DIR/<run>.<table>.parquet, or with \
            --partitioned DIR/table=<table>/run=<run>/part.parquet (hive-style, for \
            read_parquet(..., hive_partitioning=true) in DuckDB or Spark). <run> is the file name \
            without .tape. Types: int64 -> INT64, float64 -> DOUBLE, bool -> BOOLEAN, string -> \
            BYTE_ARRAY STRING (UTF8), timestamp -> INT64 TIMESTAMP(isAdjustedToUTC=true, MICROS by \
            default since Spark 3 rejects NANOS; micros floor nanoseconds; --timestamp-unit nanos \
            keeps them exact), duration -> INT64 nanoseconds without a logical type (Parquet has no \
            duration type): the file's key/value metadata ARROW:schema (the Arrow schema, as Arrow \
            writers store it) makes Arrow readers such as pyarrow read them back as duration[ns], \
            and tape.duration_columns lists them as a JSON array for other readers. Nullable columns are OPTIONAL. Pages are PLAIN with RLE definition \
            levels, strings RLE_DICTIONARY while a chunk has at most --max-dictionary-entries \
            distinct strings (then PLAIN); pages are compressed with zstd (or lz4 as LZ4_RAW, or \
            none); each column chunk has \
            min/max/null-count statistics. One row group per --row-group-rows rows; memory stays \
            bounded by one compressed row group. Run metadata goes into the file's key/value \
            metadata. Each file is written under a new temporary name beside it (never following a \
            link), fsynced and renamed when complete; the paths written are printed on standard \
            output (and with --verbose a line per file on standard error). PATHs are files, \
            directories (every *.tape below them) or quoted globs. Two inputs that would write the same path (the same file name in two \
            directories, or a.b.tape table c beside a.tape table b.c) are an error before anything \
            is written. --columns/--from/--to/--where apply to every \
            exported table.

            Examples:
              tape export run.tape trades -o trades.csv
              tape export runs/ --format parquet -o lake --partitioned
              tape export run.tape trades --where "pnl < 0" -f jsonl
            """)

    @Argument(help: "csv/jsonl/json/arrow: RUN TABLE. parquet: runs (files, directories or quoted globs).") var paths: [String]
    @OptionGroup var selection: RowSelectionOptions
    @Option(name: .shortAndLong, help: RowFormat.help(ExportFormat.allCases.map(\.rawValue))) var format: ExportFormat = .csv
    @Option(name: [.customShort("o"), .customLong("output"), .customLong("out")],
            help: "csv/jsonl/json: write to this file (atomically) instead of standard output. parquet: the output directory (created if missing).")
    var output: String?
    @Option(name: .customLong("table"), help: "parquet: export only this table (repeatable; default: all).")
    var tables: [String] = []
    @Flag(help: "parquet: write DIR/table=<t>/run=<run>/part.parquet.") var partitioned = false
    @Option(help: "parquet: timestamp unit, micros or nanos.") var timestampUnit: ParquetTimestampUnit = .micros
    @Option(help: "parquet: compression, zstd, lz4 or none.") var codec: CodecChoice = .zstd
    @Option(help: "parquet: zstd level (1-22).") var level: Int32 = 3
    @Option(help: "parquet: rows per row group.") var rowGroupRows = 1 << 20
    @Option(help: "parquet: most distinct strings per column chunk in a dictionary (0: strings PLAIN).")
    var maxDictionaryEntries = 65_536
    @OptionGroup var messages: MessageOptions
    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        switch format {
        case .csv, .jsonl, .json, .arrow:
            guard paths.count == 2 else { throw ValidationError("\(format.rawValue) export takes RUN TABLE (one table of one run; --format parquet exports many)") }
            guard tables.isEmpty, !partitioned else {
                throw ValidationError("--table and --partitioned are for --format parquet")
            }
        case .parquet:
            guard !paths.isEmpty else { throw ValidationError("give at least one run") }
            guard output != nil else { throw ValidationError("--format parquet needs -o DIR") }
            guard (1...22).contains(level) else { throw ValidationError("--level must be 1...22") }
            guard rowGroupRows > 0 else { throw ValidationError("--row-group-rows must be > 0") }
            guard maxDictionaryEntries >= 0 else { throw ValidationError("--max-dictionary-entries must be ≥ 0") }
        }
    }

    func run() throws {
        if let rowFormat = format.rowFormat {
            let reader = try TapeReader(path: try RunPaths.single(paths[0]), options: ReaderOptions(verifyChecksums: true))
            let rows = try selection.scan(reader, table: paths[1])
            let target = try OutputTarget(path: output)
            try writeRows(rows, formatter: rowFormat.formatter(schema: rows.schema, sink: target.sink), target: target)
        } else {
            try exportParquet(into: output ?? ".")
        }
    }

    private func exportParquet(into dir: String) throws {
        let fm = FileManager.default
        let plan = try planParquet(into: dir)
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let progress = progressOptions.reporter("export", unit: "files", total: plan.reduce(0) { $0 + $1.outputs.count })
        defer { progress.finish() }
        for (path, outputs) in plan {
            let reader = try TapeReader(path: path, options: ReaderOptions(verifyChecksums: true))
            for (table, target) in outputs {
                try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                // A fresh temporary file beside the target (O_EXCL|O_NOFOLLOW: a planted link is
                // never followed), renamed over it once complete and fsynced.
                let temporary = try AtomicReplacement(replacing: target, purpose: "export")
                let rows = try writeParquet(reader, table: table, source: path, to: temporary)
                try temporary.commit()
                progress.printing {
                    print(target)
                    messages.note("wrote \(target): \(rows) rows")
                }
                progress.advance()
            }
        }
    }

    /// Every (table, output path) per input file, in order, before anything is written: a missing
    /// table or a name that cannot be a file name component is an error, and so are two inputs
    /// whose outputs would be the same path (the same stem in two directories, or `a.b.tape` table
    /// `c` beside `a.tape` table `b.c`). An input given twice is exported once.
    private func planParquet(into dir: String) throws -> [(path: String, outputs: [(table: String, target: String)])] {
        var plan: [(path: String, outputs: [(table: String, target: String)])] = []
        var seenInputs = Set<String>()
        var owner: [String: (path: String, table: String)] = [:]
        for path in try RunPaths.expand(paths) {
            let identity = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
            guard seenInputs.insert(identity).inserted else { continue }
            let reader = try TapeReader(path: path)
            let run = runName(path)
            var outputs: [(table: String, target: String)] = []
            for table in tables.isEmpty ? reader.tables.map(\.name) : tables {
                _ = try reader.table(table)  // a clear error for a missing table
                for (what, name) in [("run", run), ("table", table)] where name.contains("/") || name.hasPrefix(".") {
                    throw ValidationError("\(what) name '\(name)' cannot be a file name component")
                }
                let target = partitioned ? "\(dir)/table=\(table)/run=\(run)/part.parquet" : "\(dir)/\(run).\(table).parquet"
                if let first = owner[target] {
                    throw TapeError.invalidArgument(
                        "'\(first.path)' table '\(first.table)' and '\(path)' table '\(table)' would both be exported to \(target); "
                            + "nothing was written (export them into different --out directories)")
                }
                owner[target] = (path, table)
                outputs.append((table, target))
            }
            plan.append((path, outputs))
        }
        return plan
    }

    private func writeParquet(_ reader: TapeReader, table: String, source: String, to output: AtomicReplacement) throws -> Int {
        let rows = try selection.scan(reader, table: table)
        var metadata = reader.metadata
        metadata.append(("tape.table", table))
        metadata.append(("tape.source", (source as NSString).lastPathComponent))
        // Parquet has no duration logical type: durations are INT64 nanoseconds, named here.
        let durations = rows.schema.columns.filter { $0.type == .duration }.map(\.name)
        if !durations.isEmpty, let json = try? JSONEncoder().encode(durations) {
            metadata.append(("tape.duration_columns", String(decoding: json, as: UTF8.self)))
        }
        let options = ParquetWriteOptions(
            codec: codec.codec(level: level), timestampUnit: timestampUnit, rowGroupRows: rowGroupRows,
            maxDictionaryEntries: maxDictionaryEntries,
            createdBy: "tape version \(TapeVersion.string) (build swift)", metadata: metadata)
        let writer = try ParquetFileWriter(fileDescriptor: output.fileDescriptor, name: output.temporaryPath,
                                           schema: rows.schema, options: options)
        while let batch = try rows.nextBatch() { try writer.write(batch) }
        return try writer.close()
    }

    /// The run's name: the file name without its `.tape` extension.
    private func runName(_ path: String) -> String {
        let base = (path as NSString).lastPathComponent
        return base.hasSuffix(".tape") ? String(base.dropLast(5)) : base
    }
}
