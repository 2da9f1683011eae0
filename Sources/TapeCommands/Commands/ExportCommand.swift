import ArgumentParser
import Foundation
import Tape
import TapeCodec
import TapeIO

/// Export formats.
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, jsonl, parquet, arrow
}

extension ParquetTimestampUnit: ExpressibleByArgument {}

/// `tape export`: a table as CSV/JSONL for shell jobs, or runs as Apache Parquet files for
/// DuckDB, Spark, Trino and pandas.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a table as CSV/JSONL, or runs as Apache Parquet files.",
        discussion: """
            tape export FILE TABLE [--format csv|jsonl|arrow] [-o PATH] [--columns a,b] [--from TS] [--to TS]
              writes one table as text (default CSV, RFC 4180; timestamps ISO-8601 UTC), like tape cat.

            tape export FILE... --format parquet --out DIR [--table T...] [--partitioned]
              writes one Parquet file per table per run: DIR/<run>.<table>.parquet, or with \
            --partitioned DIR/table=<table>/run=<run>/part.parquet (hive-style, for \
            read_parquet(..., hive_partitioning=true) in DuckDB or Spark). <run> is the file name \
            without .tape. Types: int64 -> INT64, float64 -> DOUBLE, bool -> BOOLEAN, string -> \
            BYTE_ARRAY STRING (UTF8), timestamp -> INT64 TIMESTAMP(isAdjustedToUTC=true, MICROS by \
            default since Spark 3 rejects NANOS; micros floor nanoseconds; --timestamp-unit nanos \
            keeps them exact). Nullable columns are OPTIONAL. Pages are PLAIN with RLE definition \
            levels, strings RLE_DICTIONARY while a chunk has at most --max-dictionary-entries \
            distinct strings (then PLAIN); pages are compressed with zstd (or lz4 as LZ4_RAW, or \
            none); each column chunk has \
            min/max/null-count statistics. One row group per --row-group-rows rows; memory stays \
            bounded by one compressed row group. Run metadata goes into the file's key/value \
            metadata. Each file is written under a new temporary name beside it (never following a \
            link), fsynced and renamed when complete; the paths written are printed on standard \
            output. Two inputs that would write the same path (the same file name in two \
            directories, or a.b.tape table c beside a.tape table b.c) are an error before anything \
            is written. --columns/--from/--to apply to every \
            exported table.

            Examples:
              tape export run.tape trades -o trades.csv
              tape export runs/*.tape --format parquet --out lake --partitioned
            """)

    @Argument(help: "csv/jsonl: FILE TABLE. parquet: one or more .tape files.") var paths: [String]
    @OptionGroup var selection: RowSelectionOptions
    @Option(name: .shortAndLong, help: "Format: csv, jsonl, arrow (an Arrow IPC stream) or parquet.") var format: ExportFormat = .csv
    @Option(name: .shortAndLong, help: "csv/jsonl: write to this file instead of standard output.") var output: String?
    @Option(help: "parquet: the output directory (created if missing).") var out: String?
    @Option(name: .customLong("table"), help: "parquet: export only this table (repeatable; default: all).")
    var tables: [String] = []
    @Flag(help: "parquet: write DIR/table=<t>/run=<run>/part.parquet.") var partitioned = false
    @Option(help: "parquet: timestamp unit, micros or nanos.") var timestampUnit: ParquetTimestampUnit = .micros
    @Option(help: "parquet: compression, zstd, lz4 or none.") var codec: CodecChoice = .zstd
    @Option(help: "parquet: zstd level (1-22).") var level: Int32 = 3
    @Option(help: "parquet: rows per row group.") var rowGroupRows = 1 << 20
    @Option(help: "parquet: most distinct strings per column chunk in a dictionary (0: strings PLAIN).")
    var maxDictionaryEntries = 65_536

    func validate() throws {
        switch format {
        case .csv, .jsonl, .arrow:
            guard paths.count == 2 else { throw ValidationError("\(format.rawValue) export takes FILE TABLE") }
            guard out == nil, tables.isEmpty, !partitioned else {
                throw ValidationError("--out, --table and --partitioned are for --format parquet")
            }
        case .parquet:
            guard !paths.isEmpty else { throw ValidationError("give at least one .tape file") }
            guard out != nil else { throw ValidationError("--format parquet needs --out DIR") }
            guard output == nil else { throw ValidationError("--format parquet writes into --out DIR, not -o") }
            guard (1...22).contains(level) else { throw ValidationError("--level must be 1...22") }
            guard rowGroupRows > 0 else { throw ValidationError("--row-group-rows must be > 0") }
            guard maxDictionaryEntries >= 0 else { throw ValidationError("--max-dictionary-entries must be ≥ 0") }
        }
    }

    func run() throws {
        switch format {
        case .csv, .jsonl, .arrow:
            let reader = try TapeReader(path: paths[0], options: ReaderOptions(verifyChecksums: true))
            let scan = try selection.scan(reader, table: paths[1])
            let sink = try output.map { try ByteSink(path: $0) } ?? ByteSink()
            let rowFormat: RowFormat = format == .csv ? .csv : format == .arrow ? .arrow : .jsonl
            try writeRows(scan, formatter: rowFormat.formatter(schema: scan.schema, sink: sink), sink: sink)
        case .parquet:
            try exportParquet(into: out ?? ".")
        }
    }

    private func exportParquet(into dir: String) throws {
        let fm = FileManager.default
        let plan = try planParquet(into: dir)
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (path, outputs) in plan {
            let reader = try TapeReader(path: path, options: ReaderOptions(verifyChecksums: true))
            for (table, target) in outputs {
                try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                // A fresh temporary file beside the target (O_EXCL|O_NOFOLLOW: a planted link is
                // never followed), renamed over it once complete and fsynced.
                let temporary = try AtomicReplacement(replacing: target, purpose: "export")
                let rows = try writeParquet(reader, table: table, source: path, to: temporary)
                try temporary.commit()
                print(target)
                printError("wrote \(target): \(rows) rows")
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
        for path in paths {
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
        let scan = try selection.scan(reader, table: table)
        var metadata = reader.metadata
        metadata.append(("tape.table", table))
        metadata.append(("tape.source", (source as NSString).lastPathComponent))
        let options = ParquetWriteOptions(
            codec: codec.codec(level: level), timestampUnit: timestampUnit, rowGroupRows: rowGroupRows,
            maxDictionaryEntries: maxDictionaryEntries,
            createdBy: "tape version \(TapeVersion.string) (build swift)", metadata: metadata)
        let writer = try ParquetFileWriter(fileDescriptor: output.fileDescriptor, name: output.temporaryPath,
                                           schema: scan.schema, options: options)
        while let batch = try scan.nextBatch() { try writer.write(batch) }
        return try writer.close()
    }

    /// The run's name: the file name without its `.tape` extension.
    private func runName(_ path: String) -> String {
        let base = (path as NSString).lastPathComponent
        return base.hasSuffix(".tape") ? String(base.dropLast(5)) : base
    }
}
