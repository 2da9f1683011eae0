/// How a run ended, from the metadata its writer or `tape recover` recorded: the `status` column
/// of `tape summary`.
public enum RunStatus: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Closed normally.
    case complete = 0
    /// Closed by `cancel(reason:)` / `$cancel` (`tape.cancelled=true`): the backtest stopped early.
    case cancelled = 1
    /// Sealed by `tape ingest` after its input ended without `$close` or broke (`tape.incomplete=true`).
    case incomplete = 2
    /// Rebuilt by `tape recover` from the complete chunks of a file whose writer died (`tape.recovered=true`).
    case recovered = 3

    /// The status `metadata` records; the first of recovered, incomplete, cancelled that applies.
    public init(metadata: some Sequence<(key: String, value: String)>) {
        var s = RunStatus.complete
        for (k, v) in metadata where v == "true" {
            switch k {
            case "tape.recovered": s = .recovered
            case "tape.incomplete" where s != .recovered: s = .incomplete
            case "tape.cancelled" where s == .complete: s = .cancelled
            default: break
            }
        }
        self = s
    }

    public var description: String {
        switch self {
        case .complete: return "complete"
        case .cancelled: return "cancelled"
        case .incomplete: return "incomplete"
        case .recovered: return "recovered"
        }
    }
}
