import Synchronization

/// Progress of a job done in phases (a recovery's scan then rewrite; a query's footers then
/// chunks): one `ProgressReporter` per phase, the previous one finished when the next begins.
/// Thread-safe, like `ProgressReporter`: a query's workers report from their own threads.
final class PhasedProgress<Phase: Equatable & Sendable>: Sendable {
    private let style: ProgressReporter.Style
    /// The label and unit of each phase's report.
    private let describe: @Sendable (Phase) -> (label: String, unit: String)
    private let current = Mutex<(phase: Phase, reporter: ProgressReporter)?>(nil)

    init(_ options: ProgressOptions, describe: @escaping @Sendable (Phase) -> (label: String, unit: String)) {
        style = options.style
        self.describe = describe
    }

    /// `done` of `total` in `phase` (a new phase finishes the report of the one before).
    func update(_ phase: Phase, done: Int, total: Int) {
        let reporter = current.withLock { c -> ProgressReporter in
            if let c, c.phase == phase { return c.reporter }
            c?.reporter.finish()
            let (label, unit) = describe(phase)
            let r = ProgressReporter(label: label, unit: unit, total: total, style: style)
            c = (phase, r)
            return r
        }
        reporter.update(done: done, total: .some(total))
    }

    /// Runs `body`, which writes to standard output, with the current bar lifted
    /// (`ProgressReporter.printing`).
    func printing(_ body: () -> Void) {
        guard let reporter = current.withLock({ $0?.reporter }) else { body(); return }
        reporter.printing(body)
    }

    /// Whether anything is reported at all.
    var isOn: Bool { style != .off }

    /// Ends the report of the current phase.
    func finish() {
        current.withLock { $0?.reporter }?.finish()
    }
}
