import ArgumentParser
import Foundation
import Tape

/// `tape report`: a self-contained HTML tear sheet of one run, a comparison of several, or a
/// parameter sweep.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report: one run's tear sheet, a comparison of runs, or a parameter sweep.",
        discussion: """
            One run: header (run, strategy, symbol, params, period, bars, status), the stored metrics \
            and their conventions, equity (linear/log) over its drawdown, the 5 deepest drawdowns, \
            monthly returns, the distribution of daily returns, rolling Sharpe and volatility, trades \
            (PnL distribution, win/loss, holding time, PnL by hour and weekday, best and worst 10) and \
            exposure (from the equity table's position column). Several runs: a sortable metrics \
            table, normalised equity and drawdowns overlaid and the correlation of daily returns (up \
            to 50 runs; above that, footers only). --heatmap X,Y: the metric (--metric) over two \
            parameters (one gives a line) and the top runs, from footers only. A parameter is a \
            metadata key or a key=value pair of the params metadata. Daily returns are the last \
            equity of each UTC day; curves are streamed into one bucket per pixel column, so memory \
            does not grow with the run. The page needs no network: inline SVG and CSS, a small \
            script for hover read-outs and table sorting. --json writes the one-run numbers (monthly \
            and yearly returns, drawdown periods, rolling Sharpe/volatility, daily-return statistics). \
            --from/--to (inclusive/exclusive, on each table's first timestamp column or \
            --time-column, as in tape cat) cut one run or a compared run to a period: curves, daily \
            returns and trades; --where filters the equity rows (as in tape plot); the metrics are \
            then computed over those rows, not read from the footer. --columns does not apply, and a \
            sweep or a comparison above 50 runs (footers only) takes no row selection. \
            PATHs are files, directories or glob patterns; unreadable runs are skipped with a \
            warning (exit status 1).
            """)

    @Argument(help: "Runs to report on (files, directories or glob patterns).") var paths: [String]
    @Option(name: [.customShort("o"), .customLong("output"), .customLong("out")], help: "The HTML file to write.") var out: String
    @Option(name: .customLong("json"), help: "Also write the one-run numbers as JSON to this file.") var json: String?
    @Option(name: .customLong("rolling-window"), help: "Daily returns per rolling Sharpe/volatility window (2...10000).")
    var rollingWindow = 126
    @Option(help: "Sweep: one or two comma-separated parameters (metadata keys), e.g. fast,slow.") var heatmap: String?
    @Option(help: "The metric a sweep colours and ranks by, and a comparison of more than 5 × --top runs keeps the top of (a stored metric or numeric metadata).") var metric = "sharpe"
    @Option(help: "Rows of the top-runs table (1...1000).") var top = 20
    @Option(help: "Title of the page (default: from the runs).") var title: String?
    @OptionGroup var selection: RowSelectionOptions
    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        if selection.columns != nil {
            throw ValidationError("--columns does not apply to tape report: it reads the time, equity, position and trade columns it draws")
        }
        guard (2...10_000).contains(rollingWindow) else { throw ValidationError("--rolling-window must be 2...10000, got \(rollingWindow)") }
        guard (1...1_000).contains(top) else { throw ValidationError("--top must be 1...1000, got \(top)") }
        if let heatmap {
            let keys = heatmap.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard (1...2).contains(keys.count), keys.allSatisfy({ !$0.isEmpty }) else {
                throw ValidationError("--heatmap takes one or two comma-separated parameter names, got '\(heatmap)'")
            }
        }
    }

    func run() throws {
        let files = try RunPaths.expand(paths)
        guard !files.isEmpty else { throw ValidationError("no .tape file found in \(paths.joined(separator: " "))") }
        var options = ReportOptions()
        options.rollingWindow = rollingWindow
        options.metric = metric
        options.top = top
        options.heatmap = heatmap.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        let progress = progressOptions.reporter("report", unit: "runs", total: files.count)
        var (records, failures) = RunRecord.load(files) { progress.update(done: $0) }
        progress.finish()
        for f in failures { printError("warning: skipping \(f.path): \(f.error)") }
        guard !records.isEmpty else { throw TapeError.invalidArgument("no readable run among \(files.count) file\(files.count == 1 ? "" : "s")") }
        if let rows = try ReportSelection(selection) {
            guard options.heatmap.isEmpty, records.count <= ReportOptions.maxCurveRuns else {
                throw ValidationError("--from/--to/--where need each run's rows: a sweep (--heatmap) and a comparison of more than \(ReportOptions.maxCurveRuns) runs read footers only")
            }
            options.selection = rows
            records = try records.map(rows.reselect)
        }
        if json != nil && (records.count != 1 || !options.heatmap.isEmpty) {
            throw ValidationError("--json writes the numbers of a one-run report; \(records.count) runs were given")
        }

        var page: ReportPage
        var numbers: ReportNumbers?
        if !options.heatmap.isEmpty {
            page = ReportPage(title: title ?? "Sweep of \(records.count) runs: \(metric) over \(options.heatmap.joined(separator: " × "))")
            SweepReport(records: records, options: options).render(into: &page)
        } else if records.count == 1, let record = records.first {
            page = ReportPage(title: title ?? "Run \(record.run)")
            let report = try SingleRunReport(record: record, options: options)
            report.render(into: &page)
            numbers = report.numbers
        } else {
            page = ReportPage(title: title ?? "\(records.count) runs compared")
            // Up to maxCurveRuns runs the comparison streams each run's curves (above, footers only).
            let curves = records.count <= ReportOptions.maxCurveRuns ? progressOptions.reporter("report curves", unit: "runs", total: records.count) : nil
            try ComparisonReport(records: records, options: options) { curves?.advance() }.render(into: &page)
            curves?.finish()
        }
        try write(Array(page.render(generator: "tape \(TapeVersion.string)").utf8), to: out, purpose: "report")
        if let json, let numbers {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            // As the other JSON outputs: NaN and ±infinity as strings pandas reads back.
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            try write(Array(try encoder.encode(numbers)) + [0x0A], to: json, purpose: "report numbers")
        }
        printError("wrote \(out) (\(records.count) run\(records.count == 1 ? "" : "s"))")
        if !failures.isEmpty { throw ExitCode.failure }
    }

    private func write(_ bytes: [UInt8], to path: String, purpose: String) throws {
        do {
            let output = try AtomicReplacement(replacing: path, purpose: purpose)
            try output.write(bytes)
            try output.commit()
        } catch {
            throw TapeError.invalidArgument("cannot write '\(path)': \(error)")
        }
    }
}
