import ArgumentParser
import Foundation

/// `--progress` / `--no-progress`, the same in every command that does long work.
struct ProgressOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Report progress on stderr (default: only when stderr is a terminal; forced without one: a plain line per second).")
    var progress: Bool?

    /// A reporter for work counted in `unit`s (nil total: unknown), or a silent one.
    func reporter(_ label: String, unit: String, total: Int? = nil) -> ProgressReporter {
        let style: ProgressReporter.Style
        switch progress {
        case false?: style = .off
        case true?: style = stderrIsTerminal ? .bar : .lines
        case nil: style = stderrIsTerminal ? .bar : .off
        }
        return ProgressReporter(label: label, unit: unit, total: total, style: style)
    }
}

/// Progress of one long job on standard error: the one implementation every command uses.
///
/// On a terminal a bar redrawn in place (at most 10 times a second), else — when forced with
/// `--progress` — a plain `ProgressLine` at most once per `interval` seconds (and once at the end),
/// so logs stay readable. Done never shows above the total (`ProgressLine`). `finish()` ends the
/// report (clearing the bar); the deinit does it too.
final class ProgressReporter {
    enum Style { case off, bar, lines }
    let style: Style
    private var line: ProgressLine
    private let started = Date()
    private var lastDraw = -Double.infinity
    private let interval: Double
    private var finished = false

    init(label: String, unit: String, total: Int?, style: Style, interval: Double? = nil) {
        self.style = style
        line = ProgressLine(label: label, unit: unit, done: 0, total: total, elapsed: 0)
        let env = ProcessInfo.processInfo.environment["TAPE_PROGRESS_INTERVAL"].flatMap(Double.init)
        self.interval = interval ?? env ?? (style == .bar ? 0.1 : 1.0)
    }

    deinit { finish() }

    /// Sets the count done (and the total, when it became known or changed).
    func update(done: Int, total: Int?? = nil) {
        guard style != .off, !finished else { return }
        line.done = done
        if let total { line.total = total }
        let now = Date().timeIntervalSince(started)
        guard now - lastDraw >= interval else { return }
        lastDraw = now
        line.elapsed = now
        draw()
    }

    /// Runs `body`, which prints (a path written, a message), with the bar lifted: on a terminal
    /// the bar is cleared first and drawn again after standard output is flushed, so a printed
    /// line never lands behind the bar when stdout and stderr are the same terminal.
    func printing(_ body: () -> Void) {
        guard style == .bar, !finished, lastDraw > -Double.infinity else { body(); return }
        writeError("\r\u{1B}[K")
        body()
        flushStandardOutput()
        draw()
    }

    /// Adds `n` to the count done.
    func advance(by n: Int = 1) { update(done: line.done + n) }

    /// The count done so far.
    var done: Int { line.done }

    /// Ends the report: the final line in line mode, the bar cleared on a terminal.
    func finish() {
        guard style != .off, !finished else { return }
        finished = true
        line.elapsed = Date().timeIntervalSince(started)
        switch style {
        case .bar: writeError("\r\u{1B}[K")
        case .lines: writeError(line.text(barWidth: 0) + "\n")
        case .off: break
        }
    }

    private func draw() {
        switch style {
        case .bar: writeError("\r" + line.text() + "\u{1B}[K")
        case .lines: writeError(line.text(barWidth: 0) + "\n")
        case .off: break
        }
    }
}
