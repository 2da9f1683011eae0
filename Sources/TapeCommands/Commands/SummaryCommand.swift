import ArgumentParser
import Foundation
import Tape
import TapeIO
import TapeQuery

/// `tape summary`: one row of metrics per run, read from footers.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Compare runs: one row per run with its metadata, period and metrics (reads footers only).",
        discussion: """
            PATHs are files, directories (searched recursively for *.tape) or glob patterns. Metrics \
            are those stored at close (README "Run metrics"); a run written without them has them \
            computed by streaming its equity and trades tables. A file that cannot be read (damaged, \
            unsealed) is reported on stderr and skipped, and the exit status is 1 at the end. \
            Columns: run (metadata run_id, run or name, else the file name), path, start, end, any \
            metric, any metadata key. The table format rounds numbers to 4 decimals; csv, jsonl and json print them \
            exactly. --where takes a SQL condition as in tape sql (AND/OR/NOT, comparisons, BETWEEN, \
            IN, LIKE, IS NULL, arithmetic) over run, path, the metrics and the metadata keys, e.g. \
            "sharpe > 1 AND max_drawdown > -0.2 OR strategy = 'sma_cross'"; a name a run lacks is \
            NULL there.
            """)

    @Argument(help: "Files, directories or glob patterns.") var paths: [String]
    @Option(parsing: .unconditional, help: "Sort by a metric or column; prefix - for descending (e.g. -sharpe).")
    var sort: String?
    @Option(help: "Print only the first N rows (after sorting).") var top: Int?
    @Option(name: .customLong("where"), help: "Keep runs matching a SQL condition, e.g. \"sharpe > 1 AND strategy = 'sma'\".")
    var filter: String?
    @Option(help: "Comma-separated columns (default: run, strategy, symbol, params, start, end and the main metrics).")
    var columns: String?
    @Option(name: .customLong("group-by"), help: "One row per value of this metadata key: runs, and mean and median of each metric.")
    var groupBy: String?
    @OptionGroup var out: RowOutputOptions
    @OptionGroup var messages: MessageOptions
    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        if let top, top < 0 { throw ValidationError("--top must be at least 0, got \(top)") }
        if let columns, columns.split(separator: ",").isEmpty { throw ValidationError("--columns lists no column") }
    }

    func run() throws {
        let files = try RunPaths.expand(paths)
        // Loaded in slices so that progress can be reported between them.
        let progress = progressOptions.reporter("summary", unit: "runs", total: files.count)
        var records: [RunRecord] = [], failures: [(path: String, error: Error)] = []
        for start in stride(from: 0, to: files.count, by: 64) {
            let (r, f) = RunRecord.load(Array(files[start..<min(start + 64, files.count)]))
            records += r
            failures += f
            progress.update(done: min(start + 64, files.count))
        }
        progress.finish()
        for f in failures { printError("error: skipping \(f.path): \(f.error)") }
        if let filter {
            do { records = try SummaryFilter.apply(filter, to: records) } catch let e as QueryError {
                throw CommandFailure("--where: " + e.render(query: filter))
            }
        }
        if let sort { SummaryTable.sort(&records, by: sort) }
        if let top { records = Array(records.prefix(top)) }
        let chosen = columns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            ?? SummaryTable.defaultColumns(for: records)
        var batch = try groupBy.map { try SummaryTable.grouped(records, by: $0, columns: chosen) }
            ?? SummaryTable.batch(records, columns: chosen)
        if out.format == .table { batch = SummaryTable.rounded(batch, decimals: 4) }
        let target = try out.makeTarget()
        try quietOnBrokenPipe {
            let formatter = out.makeFormatter(schema: batch.schema, sink: target.sink)
            try formatter.write(batch)
            try formatter.finish()
            try target.commit()
        }
        if !failures.isEmpty { throw ExitCode.failure }
    }
}
