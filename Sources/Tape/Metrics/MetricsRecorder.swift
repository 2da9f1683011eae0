import TapeCodec
import TapeFormat

/// A `TapeWriter`'s metrics state: fed each chunk of the equity and trades tables as it is
/// flushed, it puts the metrics section (tag 1) into the footer at close.
///
/// Its options are `WriterOptions.metrics` with the run's `tape.metrics.*` metadata applied when
/// the first chunk is flushed (or at close); an invalid key stores no metrics and records the
/// reason as metadata `tape.metrics.error` instead of failing the run.
///
/// A file opened for appending (`init(appendingTo:)`) keeps its stored metrics section untouched
/// until a chunk of the equity or trades table is flushed; then the accumulator is first fed the
/// rows already in the file (streamed, bounded memory), so the footer stores the metrics of the
/// whole run, as if every row had been written by one writer.
struct MetricsRecorder {
    /// nil: metrics are not computed (disabled).
    private let options: MetricsOptions?
    private var accumulator: MetricsAccumulator?
    private var error: String?
    /// Append mode: the file's rows, fed to the accumulator before the first new equity or trades
    /// chunk; nil once fed (or for a new file).
    private var earlierRows: TapeReader?
    /// Append mode with metrics disabled: rows were added to a table the stored metrics come from,
    /// so the stored section no longer describes the run and is removed.
    private var storedSectionStale = false

    init(options: MetricsOptions?) { self.options = options }

    /// A recorder for a file opened for appending whose sealed state `reader` reads.
    init(appendingTo reader: TapeReader, options: MetricsOptions?) {
        self.options = options
        earlierRows = reader
    }

    /// Rebuilds the state of a run from the rows of the sealed file `reader` reads, so that the
    /// resumed run stores the metrics an uninterrupted run would.
    static func rebuilt(from reader: TapeReader, options: MetricsOptions?) throws -> MetricsRecorder {
        var recorder = MetricsRecorder(options: options)
        recorder.start(metadata: reader.metadata)
        try recorder.accumulator?.feed(from: reader)
        return recorder
    }

    private mutating func start(metadata: [(key: String, value: String)]) {
        guard let options, accumulator == nil, error == nil else { return }
        do { accumulator = MetricsAccumulator(options: try options.applying(metadata: metadata)) } catch {
            self.error = "\(error)"
        }
    }

    /// Feeds the columns of a chunk of `table` about to be written.
    mutating func observe(table: String, schema: Schema, columns: [ColumnData], metadata: [(key: String, value: String)]) {
        if let reader = earlierRows {
            let resolved = try? (options ?? MetricsOptions()).applying(metadata: metadata)
            guard resolved?.feedsMetrics(table) ?? true else { return }
            earlierRows = nil
            guard options != nil else {
                storedSectionStale = true
                return
            }
            start(metadata: metadata)
            do { try accumulator?.feed(from: reader) } catch {
                accumulator = nil
                self.error = "could not read the run's earlier rows to extend its metrics: \(error)"
            }
        }
        start(metadata: metadata)
        guard accumulator?.wants(table) == true else { return }
        accumulator?.observe(table: table, schema: schema, columns: columns)
    }

    /// Puts the metrics section (replacing an older one) or the error into a footer being made.
    /// An appending writer that added no equity or trades rows leaves the stored section as it is.
    mutating func apply(metadata: inout [(key: String, value: String)], sections: inout [(tag: UInt64, bytes: [UInt8])]) {
        if earlierRows != nil { return }
        if storedSectionStale {
            sections.removeAll { $0.tag == RunMetrics.sectionTag }
            return
        }
        start(metadata: metadata)
        if let error {
            sections.removeAll { $0.tag == RunMetrics.sectionTag }
            if let i = metadata.firstIndex(where: { $0.key == "tape.metrics.error" }) {
                metadata[i].value = error
            } else {
                metadata.append(("tape.metrics.error", error))
            }
            return
        }
        guard let accumulator else { return }
        metadata.removeAll { $0.key == "tape.metrics.error" }   // from an earlier session of an appended file
        // Say why an equity or trades table fed nothing (README "Run metrics").
        if !accumulator.problems.isEmpty { metadata.append(("tape.metrics.error", accumulator.problems.joined(separator: "; "))) }
        let metrics = accumulator.finish()
        sections.removeAll { $0.tag == RunMetrics.sectionTag }
        if !metrics.entries.isEmpty { sections.append((RunMetrics.sectionTag, metrics.sectionBytes())) }
    }
}
