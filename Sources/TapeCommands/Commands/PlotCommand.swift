import ArgumentParser
import Foundation
import Tape
import TapeQuery

/// `tape plot`: equity and drawdown of one or several runs as a standalone SVG.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw equity (top) and drawdown (bottom) over time of one or more runs as an SVG file.",
        discussion: """
            Each run's equity table (ts and equity columns; names follow the metrics convention and \
            its tape.metrics.* metadata) is streamed once and reduced to one bucket per pixel column \
            keeping the first, last, minimum and maximum value, so a one-bar spike still shows and \
            memory does not grow with the run. Several runs are overlaid with a legend; --normalize \
            starts each at 1.0. --trades marks a single run's trade entries (▲) and exits (▼). \
            --from/--to (on --time-column, default the equity table's first timestamp column) and \
            --where (a SQL condition over the equity table's columns, as in tape cat) choose the \
            rows drawn; --columns does not apply (the time and equity columns are drawn). \
            PATHs are files, directories or glob patterns.
            """)

    @Argument(help: "Runs to draw (files, directories or glob patterns).") var paths: [String]
    @Option(name: [.customShort("o"), .customLong("output"), .customLong("out")], help: "The SVG file to write (atomically).") var out: String
    @Option(help: "Width in pixels (200...20000).") var width = 1000
    @Option(help: "Height in pixels (150...20000).") var height = 600
    @Option(help: "Title drawn above the chart.") var title: String?
    @Flag(help: "Divide each run's equity by its first value.") var normalize = false
    @Flag(help: "Mark trade entries and exits (one run only).") var trades = false
    @OptionGroup var selection: RowSelectionOptions
    @OptionGroup var messages: MessageOptions

    func validate() throws {
        if selection.columns != nil {
            throw ValidationError("--columns does not apply to tape plot: it draws the time and equity columns of each run's equity table")
        }
        guard (200...20_000).contains(width) else { throw ValidationError("--width must be 200...20000, got \(width)") }
        guard (150...20_000).contains(height) else { throw ValidationError("--height must be 150...20000, got \(height)") }
    }

    func run() throws {
        let files = try RunPaths.expand(paths)
        if trades && files.count > 1 { throw ValidationError("--trades marks the trades of one run; \(files.count) runs were given") }
        let chart = SVGChart(width: width, height: height, title: title)
        let data = try PlotData(paths: files, columns: chart.plotColumns, normalize: normalize, trades: trades, selection: selection)
        let svg = chart.render(data, normalized: normalize).svg
        do {
            let output = try AtomicReplacement(replacing: out, purpose: "plot")
            try output.write(Array(svg.utf8))
            try output.commit()
        } catch {
            throw TapeError.invalidArgument("cannot write '\(out)': \(error)")
        }
        messages.note("wrote \(out) (\(data.curves.count) run\(data.curves.count == 1 ? "" : "s"))")
    }
}
