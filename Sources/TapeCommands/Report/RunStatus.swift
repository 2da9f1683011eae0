/// How a run ended, from the metadata Tape's writers and tools record: `tape.cancelled=true`
/// (`TapeWriter.cancel`, an ingest stopped by its producer), `tape.incomplete=true` (an ingest cut
/// short), `tape.recovered=true` (`tape recover`); otherwise complete.
enum RunStatus: String, Sendable, CaseIterable {
    case complete, cancelled, incomplete, recovered

    init(metadata: [String: String]) {
        if metadata["tape.cancelled"] == "true" { self = .cancelled }
        else if metadata["tape.incomplete"] == "true" { self = .incomplete }
        else if metadata["tape.recovered"] == "true" { self = .recovered }
        else { self = .complete }
    }
}
