import ArgumentParser
import Foundation
import Synchronization

/// `--progress` / `--no-progress`, the same in every command that does long work.
struct ProgressOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Report progress on stderr (default: only when stderr is a terminal; forced without one: a plain line per second).")
    var progress: Bool?

    /// A reporter for work counted in `unit`s (nil total: unknown), or a silent one.
    func reporter(_ label: String, unit: String, total: Int? = nil) -> ProgressReporter {
        ProgressReporter(label: label, unit: unit, total: total, style: style)
    }

    /// How reports are drawn: a bar on a terminal, plain lines when forced without one, else none.
    var style: ProgressReporter.Style {
        switch progress {
        case false?: return .off
        case true?: return stderrIsTerminal ? .bar : .lines
        case nil: return stderrIsTerminal ? .bar : .off
        }
    }
}

/// Progress of one long job on standard error: the one implementation every command uses.
///
/// On a terminal a bar redrawn in place (at most 10 times a second), else — when forced with
/// `--progress` — a plain `ProgressLine` at most once per `interval` seconds (and once at the end),
/// so logs stay readable. Done never shows above the total (`ProgressLine`). `finish()` ends the
/// report (clearing the bar); the deinit does it too. Thread-safe: worker threads (a query's scan,
/// footers read in parallel) may report directly; reports are serialised by a lock.
final class ProgressReporter: Sendable {
    enum Style { case off, bar, lines }
    let style: Style
    private let interval: Double
    private let started = Date()
    /// The line shown, when it was last drawn, and whether the report ended.
    private struct State {
        var line: ProgressLine
        var lastDraw = -Double.infinity
        var finished = false
    }
    private let state: Mutex<State>

    init(label: String, unit: String, total: Int?, style: Style, interval: Double? = nil) {
        self.style = style
        state = Mutex(State(line: ProgressLine(label: label, unit: unit, done: 0, total: total, elapsed: 0)))
        let env = ProcessInfo.processInfo.environment["TAPE_PROGRESS_INTERVAL"].flatMap(Double.init)
        self.interval = interval ?? env ?? (style == .bar ? 0.1 : 1.0)
    }

    deinit { finish() }

    /// Sets the count done (and the total, when it became known or changed).
    func update(done: Int, total: Int?? = nil) {
        guard style != .off else { return }
        state.withLock { s in
            guard !s.finished else { return }
            s.line.done = done
            if let total { s.line.total = total }
            draw(&s, force: false)
        }
    }

    /// Adds `n` to the count done.
    func advance(by n: Int = 1) {
        guard style != .off else { return }
        state.withLock { s in
            guard !s.finished else { return }
            s.line.done += n
            draw(&s, force: false)
        }
    }

    /// Runs `body`, which prints (a path written, a message), with the bar lifted: on a terminal
    /// the bar is cleared first and drawn again after standard output is flushed, so a printed
    /// line never lands behind the bar when stdout and stderr are the same terminal.
    func printing(_ body: () -> Void) {
        guard style == .bar else { body(); return }
        state.withLock { s in
            guard !s.finished, s.lastDraw > -Double.infinity else { body(); return }
            writeError("\r\u{1B}[K")
            body()
            flushStandardOutput()
            draw(&s, force: true)
        }
    }

    /// The count done so far.
    var done: Int { state.withLock { $0.line.done } }

    /// Ends the report: the final line in line mode, the bar cleared on a terminal.
    func finish() {
        guard style != .off else { return }
        state.withLock { s in
            guard !s.finished else { return }
            s.finished = true
            s.line.elapsed = Date().timeIntervalSince(started)
            switch style {
            case .bar: writeError("\r\u{1B}[K")
            case .lines: writeError(s.line.text(barWidth: 0) + "\n")
            case .off: break
            }
        }
    }

    /// Draws the line when `interval` has passed since the last drawing (or when `force`d).
    private func draw(_ s: inout State, force: Bool) {
        let now = Date().timeIntervalSince(started)
        guard force || now - s.lastDraw >= interval else { return }
        s.lastDraw = now
        s.line.elapsed = now
        switch style {
        case .bar: writeError("\r" + s.line.text() + "\u{1B}[K")
        case .lines: writeError(s.line.text(barWidth: 0) + "\n")
        case .off: break
        }
    }
}
