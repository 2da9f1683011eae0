import ArgumentParser
import Foundation
import Tape
import TapeFormat
import TapeIO

/// `tape top`: a live view of running backtests.
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Watch running backtests: progress, rate, ETA, equity, return and drawdown per run.",
        discussion: """
            One line per run: status, a progress bar of bars done / expected (the writer's \
            expect_bars, recorded in metadata tape.expected_bars), rate, ETA, current equity, \
            return and max drawdown so far (from the equity column of the equity table), and the age \
            of the last update. Status: running, stalled (unsealed and unchanged for --stall-after \
            seconds), finished (sealed), cancelled (sealed with tape.cancelled or tape.incomplete).

            Files still being written are read through their complete, checksummed chunks and \
            metadata frames only, without taking any lock, so a writer is never blocked or \
            refused. Each refresh reads only what was appended since the last one. PATHs are files, \
            directories (re-listed at each refresh, so new runs appear) or quoted globs. On a \
            terminal the view refreshes in place every --interval seconds until Ctrl-C; --once \
            prints one snapshot (--format json for scripts; -o PATH writes one to a file). A rate needs two looks at a file: the \
            live view measures it between refreshes, and --once looks twice, --sample seconds apart \
            (only when some run is running; --sample 0 looks once and shows no rate or ETA).

            Examples:
              tape top runs/
              tape top 'runs/*.tape' --once --format json
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Argument(help: "Runs to watch (files, directories or quoted globs).") var paths: [String]
    @Flag(help: "Print one snapshot and exit.") var once = false
    @Option(name: .shortAndLong, help: "Output format: table or json.") var format: Format = .table
    @Option(name: .shortAndLong, help: "Write one snapshot to this file (atomically: complete or untouched) instead of standard output.")
    var output: String?
    @Option(help: "Seconds between refreshes.") var interval: Double = 1
    @Option(help: "Seconds without growth after which an unsealed run is shown as stalled.") var stallAfter: Double = 60
    @Option(help: "With --once: seconds between the two looks that measure rate and ETA (0: one look, no rate).")
    var sample: Double = 0.5

    func validate() throws {
        guard interval > 0 && interval <= 3600 else { throw ValidationError("--interval must be in (0, 3600]") }
        guard stallAfter > 0 else { throw ValidationError("--stall-after must be > 0") }
        guard sample >= 0 && sample <= 60 else { throw ValidationError("--sample must be in [0, 60]") }
    }

    func run() throws {
        var watcher = TopWatcher(stallAfter: stallAfter, rateWindow: once ? 0.9 * sample : 0.5)
        let live = !once && output == nil && format == .table && isatty(1) != 0
        var firstDraw = true
        if once && sample > 0 {
            // The first look of two: the rate is what grew until the second.
            let first = try watcher.refresh(paths: try RunPaths.expand(paths))
            if first.contains(where: { $0.status == "running" }) { Thread.sleep(forTimeInterval: sample) }
        }
        while true {
            let rows = try watcher.refresh(paths: try RunPaths.expand(paths))
            let text = format == .json ? try TopWatcher.json(rows) + "\n" : TopWatcher.table(rows)
            if live {
                // Back to the top of the previous view, then redraw it line by line.
                print((firstDraw ? "" : "\u{1B}[H\u{1B}[2J") + text, terminator: "")
                firstDraw = false
            } else if output != nil {
                let target = try OutputTarget(path: output)
                target.sink.append { $0.append(contentsOf: Array(text.utf8)) }
                try target.commit()
            } else {
                print(text, terminator: "")
            }
            flushStandardOutput()
            if !live { return }
            Thread.sleep(forTimeInterval: interval)
        }
    }
}

/// One line of `tape top`.
struct TopRow: Codable, Equatable {
    var path: String
    var run: String
    var status: String
    var bars: Int
    var expectedBars: Int?
    var barsPerSecond: Double?
    var etaSeconds: Double?
    var equity: Double?
    var totalReturn: Double?
    var maxDrawdown: Double?
    var lastTimestamp: String?
    var lastUpdateSecondsAgo: Double
}

/// The files followed by `tape top` and the rate figures between refreshes.
struct TopWatcher {
    let stallAfter: Double
    /// Shortest time between two looks that gives a rate.
    let rateWindow: Double
    private var tails: [String: LiveTail] = [:]
    private var firstSeen: [String: (time: Date, bars: Int)] = [:]

    init(stallAfter: Double, rateWindow: Double = 0.5) {
        self.stallAfter = stallAfter
        self.rateWindow = rateWindow
    }

    /// Polls every path (new ones are followed from their start) and returns one row each.
    mutating func refresh(paths: [String]) throws -> [TopRow] {
        var rows: [TopRow] = []
        let now = Date()
        for path in paths {
            let tail = tails[path] ?? LiveTail(path: path)
            tails[path] = tail
            let s: LiveTail.State
            do { s = try tail.poll() } catch {
                rows.append(TopRow(path: path, run: Self.runName(path, [:]), status: "unreadable: \(error)", bars: 0,
                                   lastUpdateSecondsAgo: 0))
                continue
            }
            let table = s.metadata["tape.expected_bars_table"] ?? tail.equityTable
            let bars = s.rows[table] ?? 0
            let expected = s.metadata["tape.expected_bars"].flatMap(Int.init).map { max($0, bars) }
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? now
            let age = max(0, now.timeIntervalSince(modified))
            let seen = firstSeen[path] ?? (now, bars)
            if firstSeen[path] == nil { firstSeen[path] = seen }
            let elapsed = now.timeIntervalSince(seen.time)
            // The rate since this view first saw the run (the file's own start is unknown).
            var rate: Double? = elapsed > 0 && elapsed >= rateWindow && bars > seen.bars ? Double(bars - seen.bars) / elapsed : nil
            if s.sealed { rate = nil }
            let status: String
            if s.sealed {
                status = s.metadata["tape.cancelled"] == "true" || s.metadata["tape.incomplete"] == "true" ? "cancelled" : "finished"
            } else {
                status = age > stallAfter ? "stalled" : "running"
            }
            let eta = rate.flatMap { r in expected.map { Double($0 - bars) / r } }
            let ret = zip2(s.lastEquity, s.firstEquity).flatMap { last, first in first != 0 ? last / first - 1 : nil }
            rows.append(TopRow(path: path, run: Self.runName(path, s.metadata), status: status, bars: bars, expectedBars: expected,
                               barsPerSecond: rate, etaSeconds: status == "running" ? eta : nil, equity: s.lastEquity,
                               totalReturn: ret, maxDrawdown: s.lastEquity == nil ? nil : s.maxDrawdown,
                               lastTimestamp: s.lastTimestamp.map(Timestamps.format), lastUpdateSecondsAgo: (age * 10).rounded() / 10))
        }
        return rows
    }

    static func runName(_ path: String, _ metadata: [String: String]) -> String {
        if let id = metadata["run_id"] ?? metadata["run"] { return id }
        let base = (path as NSString).lastPathComponent
        return base.hasSuffix(".tape") ? String(base.dropLast(5)) : base
    }

    /// `rows` as a JSON array (sorted keys).
    static func json(_ rows: [TopRow]) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(rows), as: UTF8.self)
    }

    /// `rows` as aligned text, names escaped for the terminal.
    static func table(_ rows: [TopRow]) -> String {
        var lines = [["RUN", "STATUS", "PROGRESS", "BARS", "RATE", "ETA", "EQUITY", "RETURN", "MAX DD", "UPDATED"]]
        for r in rows {
            let fraction = r.expectedBars.map { $0 > 0 ? Double(r.bars) / Double($0) : 1 }
            let bar = fraction.map { f -> String in
                let filled = min(20, Int(f * 20))
                return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "] " + String(format: "%3d%%", Int(f * 100))
            } ?? "-"
            lines.append([
                TerminalText.escape(r.run), r.status, bar, r.expectedBars.map { "\(r.bars)/\($0)" } ?? "\(r.bars)",
                r.barsPerSecond.map { ProgressLine.count($0) + "/s" } ?? "-", r.etaSeconds.map(ProgressLine.clock) ?? "-",
                r.equity.map { String(format: "%.2f", $0) } ?? "-", r.totalReturn.map { String(format: "%+.2f%%", $0 * 100) } ?? "-",
                r.maxDrawdown.map { String(format: "%.2f%%", $0 * 100) } ?? "-", String(format: "%.0fs ago", r.lastUpdateSecondsAgo),
            ])
        }
        let widths = lines[0].indices.map { i in lines.map { $0[i].count }.max() ?? 0 }
        return lines.map { l in
            l.enumerated().map { i, s in s.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces) + "\n"
        }.joined()
    }
}

private func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
