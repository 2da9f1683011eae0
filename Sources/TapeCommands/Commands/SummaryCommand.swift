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
            Columns: run (metadata run_id, run or name, else the file name), path, status (complete, \
            cancelled, incomplete or recovered), start, end, any metric, any metadata key. Metadata \
            keys are typed as in tape sql: BIGINT, DOUBLE, BOOLEAN or TIMESTAMP when every run's value \
            parses so, else VARCHAR, so a numeric parameter sorts, filters and groups as a number. The \
            table format rounds numbers to 4 decimals; csv, jsonl and json print them exactly. --where \
            takes a SQL condition as in tape sql (AND/OR/NOT, comparisons, BETWEEN, IN, LIKE, IS NULL, \
            arithmetic) over those columns, e.g. "sharpe > 1 AND status = 'complete' AND fast < 20"; a \
            name a run lacks is NULL there. A directory with at least 256 runs keeps a footer cache, \
            .tape-summary.cache, used for a file only while its size, times, inode and device are \
            unchanged and rewritten atomically when a run is added, changed or removed (--cache). \
            Runs sealed by a Tape writer leave a record in .tape-summary.journal beside them, used \
            instead of their footer while the file is unchanged, then merged into the cache.
            """)

    @Argument(help: "Files, directories or glob patterns.") var paths: [String]
    @Option(parsing: .unconditional, help: "Sort by a column; prefix - for descending (e.g. -sharpe). Numeric metadata sorts as numbers.")
    var sort: String?
    @Option(help: "Print only the first N rows (after sorting).") var top: Int?
    @Option(name: .customLong("where"), help: "Keep runs matching a SQL condition, e.g. \"sharpe > 1 AND status = 'complete'\".")
    var filter: String?
    @Option(help: "Comma-separated columns (default: run, strategy, symbol, params, status, start, end and the main metrics).")
    var columns: String?
    @Option(name: .customLong("group-by"), help: "One row per combination of these comma-separated keys: runs, and mean and median of each metric.")
    var groupBy: String?
    @Option(help: "Footer cache: auto (directories with at least 256 runs), on (every directory) or off.")
    var cache: RunTableLoader.CacheMode = .auto
    @OptionGroup var out: RowOutputOptions
    @OptionGroup var messages: MessageOptions
    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        if let top, top < 0 { throw ValidationError("--top must be at least 0, got \(top)") }
        if let columns, columns.split(separator: ",").isEmpty { throw ValidationError("--columns lists no column") }
        if let groupBy, Self.list(groupBy).isEmpty { throw ValidationError("--group-by lists no key") }
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() throws {
        let files = try RunPaths.expandCompact(paths)
        let chosen = columns.map(Self.list)
        let keys = groupBy.map(Self.list) ?? []
        let sortKey = sort.map { $0.hasPrefix("-") ? String($0.dropFirst()) : $0 }
        var table = RunTable(wanted: (chosen ?? SummaryTable.defaultNames) + keys + [sortKey].compactMap { $0 },
                             ignoringCase: filter.map(SummaryFilter.names(in:)) ?? [])
        let progress = progressOptions.reporter("summary", unit: "runs", total: files.count)
        let failures = RunTableLoader(paths: files, cache: cache).load(into: &table) { progress.update(done: $0) }
        progress.finish()
        for f in failures { printError("error: skipping \(f.path): \(f.error)") }
        var view = SummaryView(table: table, paths: files)
        if let filter {
            do { try SummaryFilter.apply(filter, to: &view) } catch let e as QueryError {
                throw CommandFailure("--where: " + e.render(query: filter))
            }
        }
        if let sort { SummaryTable.sort(&view, by: sort, limit: top) }
        if let top, view.rows.count > top { view.rows = Array(view.rows.prefix(top)) }
        let shown = chosen ?? SummaryTable.defaultColumns(for: view)
        let target = try out.makeTarget()
        let sink = target.sink
        let round = out.format == .table
        try quietOnBrokenPipe {
            if !keys.isEmpty {
                var batch = try SummaryTable.grouped(view, by: keys, columns: shown)
                if round { batch = SummaryTable.rounded(batch, decimals: 4) }
                let formatter = out.makeFormatter(schema: batch.schema, sink: sink)
                try formatter.write(batch)
                try formatter.finish()
            } else if out.format == .csv || out.format == .jsonl {
                // Rows are independent lines: built and rendered on every core, written in order.
                let csv = out.format == .csv
                try SummaryTable.writeLines(
                    view, columns: shown, workers: ProcessInfo.processInfo.activeProcessorCount,
                    lines: { schema, sink in
                        csv ? CSVFormatter(schema: schema, sink: sink, delimiter: UInt8(ascii: ","), includeHeader: false) as RecordFormatter
                            : JSONLFormatter(schema: schema, sink: sink)
                    },
                    header: csv ? CSVFormatter.self as RecordFormatter.Type : JSONLFormatter.self, to: sink)
            } else {
                var formatter: RecordFormatter?
                try SummaryTable.batches(view, columns: shown) { batch in
                    let f = formatter ?? out.makeFormatter(schema: batch.schema, sink: sink)
                    formatter = f
                    try f.write(round ? SummaryTable.rounded(batch, decimals: 4) : batch)
                }
                try formatter?.finish()
            }
            try target.commit()
        }
        if !failures.isEmpty { throw ExitCode.failure }
    }
}

extension RunTableLoader.CacheMode: ExpressibleByArgument {}
