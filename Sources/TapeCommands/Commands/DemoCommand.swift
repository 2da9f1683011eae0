import ArgumentParser
import Foundation
import Tape
import TapeIO

/// `tape demo`: run the built-in backtest into a .tape file and show what Tape does with it.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a built-in deterministic backtest into DIR/demo.tape, then inspect it.",
        discussion: """
            A moving-average crossover strategy over a synthetic 1-minute price series (one year by \
            default) streams its equity curve, per-bar decisions and trades into a .tape file with \
            flat memory, then the demo prints `tape info` of the file and a few example reads. \
            Needs nothing but this binary. With --resume, an existing DIR/demo.tape left by a killed \
            run is recovered and the run continues from its durable rows; the finished file holds \
            the same rows as an uninterrupted run with the same --bars and --seed.
            """)

    @Argument(help: "Directory to write demo.tape into (created if missing).") var dir: String = "."
    @Option(help: "Number of 1-minute bars to simulate.") var bars = 525_600
    @Option(help: "Random seed of the price series.") var seed: UInt64 = 42
    @Option(help: "Bars in the fast moving average (1...100000, below --slow).") var fast = DemoBacktest.Parameters().fast
    @Option(help: "Bars in the slow moving average (2...100000).") var slow = DemoBacktest.Parameters().slow
    @Flag(help: "Continue DIR/demo.tape left by a killed run (same --bars and --seed) instead of starting over.")
    var resume = false
    @Option(help: "Rows per chunk (small values make many chunks, e.g. for crash tests).")
    var rowsPerChunk = WriterOptions().rowsPerChunk
    @Option(help: "When to fsync: none, chunk (after every chunk) or close.")
    var durability: String = WriterOptions().durability.rawValue
    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        guard bars > 0 else { throw ValidationError("--bars must be > 0") }
        guard (1...100_000).contains(fast), (2...100_000).contains(slow), fast < slow else {
            throw ValidationError("--fast and --slow must be 1...100000 with fast < slow, got \(fast) and \(slow)")
        }
        guard (1...(1 << 24)).contains(rowsPerChunk) else { throw ValidationError("--rows-per-chunk must be 1...16777216") }
        guard WriterOptions.Durability(rawValue: durability) != nil else {
            throw ValidationError("--durability must be none, chunk or close")
        }
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = (dir as NSString).appendingPathComponent("demo.tape")
        var params = DemoBacktest.Parameters()
        params.bars = bars
        params.seed = seed
        params.fast = fast
        params.slow = slow
        var options = WriterOptions(rowsPerChunk: rowsPerChunk)
        options.durability = WriterOptions.Durability(rawValue: durability) ?? options.durability
        let writer: TapeWriter, state: ResumeState?
        if resume && FileManager.default.fileExists(atPath: path) {
            (writer, state) = try TapeWriter.resume(path: path, options: options)
            let kept = state.map { s in s.tables.map { "\($0.name) \($0.rowCount)" }.joined(separator: ", ") } ?? ""
            say("Resuming \(path): rows already durable: \(kept.isEmpty ? "none" : kept)")
        } else {
            (writer, state) = (try TapeWriter(path: path, options: options), nil)
        }
        let started = Date()
        let progress = progressOptions.reporter("backtest", unit: "bars", total: bars)
        try DemoBacktest(params).run(into: writer, resumingFrom: state) { p in
            progress.update(done: p.processed, total: .some(p.total))
        }
        progress.finish()
        let summary = try writer.close()
        let seconds = Date().timeIntervalSince(started)
        say("Wrote \(path) in \(String(format: "%.2f", seconds)) s. Summary an orchestrator would get back (\(try summary.json().utf8.count) bytes of JSON):")
        say(try summary.json(pretty: true))
        say("\n$ tape info \(path)")
        try InfoCommand.parse([path]).run()
        say("\n$ tape cat \(path) trades --limit 5")
        try CatCommand.parse([path, "trades", "--limit", "5"]).run()
        let day = summary.firstTimestamp.map { String($0.prefix(10)) } ?? "2024-01-01"
        say("\n$ tape cat \(path) equity --columns ts,equity,price --from \(day)T09:30:00Z --to \(day)T09:35:00Z --format csv")
        try CatCommand.parse([path, "equity", "--columns", "ts,equity,price", "--from", "\(day)T09:30:00Z",
                              "--to", "\(day)T09:35:00Z", "--format", "csv"]).run()
        say("\n$ tape cat \(path) decisions --columns ts,action,signal,reason --limit 3 --format jsonl")
        try CatCommand.parse([path, "decisions", "--columns", "ts,action,signal,reason", "--limit", "3", "--format", "jsonl"]).run()
    }
}

/// Prints a line and flushes, so it stays in order with subcommands writing straight to the descriptor.
private func say(_ text: String) {
    print(text)
    flushStandardOutput()
}
