import ArgumentParser
import TapeIO

/// What `tape ingest` reads.
enum IngestFormat: String, ExpressibleByArgument, CaseIterable {
    /// Tagged NDJSON records (`IngestSession`).
    case ndjson
    /// Arrow IPC streams, one per table (`ArrowIPCStreamReader`).
    case arrow
}

extension IngestCommand {
    /// The `--table NAME[=PATH]` values: a table and the file of its stream (nil: `--input`).
    var arrowStreams: [(table: String, path: String?)] {
        table.map { spec in
            let parts = spec.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count == 2 ? String(parts[1]) : nil)
        }
    }

    /// `--format arrow`: reads each `--table` stream to its end-of-stream marker into a table of
    /// its own, declared from the stream's schema. Stops at the first error (the rows appended
    /// before it stay in the run).
    func ingestArrowStreams(into target: WriterIngestTarget) throws {
        for (name, path) in arrowStreams {
            let source = path ?? input
            let reader = try ArrowIPCStreamReader(source == "-" ? .standardInput : .path(source),
                                                  name: source == "-" ? "standard input" : source)
            let sink = try target.declareTable(name, schema: try reader.readSchema(table: name))
            try reader.readBatches(table: name) { try sink.append(columns: $0) }
        }
    }
}
