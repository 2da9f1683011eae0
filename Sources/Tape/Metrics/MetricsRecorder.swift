import TapeCodec
import TapeFormat

/// A `TapeWriter`'s metrics state: fed each chunk of the equity and trades tables as it is
/// flushed, it puts the metrics section (tag 1) into the footer at close.
///
/// Its options are `WriterOptions.metrics` with the run's `tape.metrics.*` metadata applied when
/// the first chunk is flushed (or at close); an invalid key stores no metrics and records the
/// reason as metadata `tape.metrics.error` instead of failing the run.
struct MetricsRecorder {
    /// nil: metrics are not computed (disabled, or a file opened for appending).
    private let options: MetricsOptions?
    private var accumulator: MetricsAccumulator?
    private var error: String?

    init(options: MetricsOptions?) { self.options = options }

    /// Starts from an accumulator already fed with the rows in the file (resume).
    init(resumed accumulator: MetricsAccumulator) {
        options = accumulator.options
        self.accumulator = accumulator
    }

    /// Rebuilds the state of a run from the rows in the sealed file at `path`, so that the resumed
    /// run stores the metrics an uninterrupted run would.
    static func rebuilt(from path: String, options: MetricsOptions?) throws -> MetricsRecorder {
        guard let options else { return MetricsRecorder(options: nil) }
        let reader = try TapeReader(path: path)
        var recorder = MetricsRecorder(options: options)
        recorder.start(metadata: reader.metadata)
        if var acc = recorder.accumulator {
            try acc.feed(from: reader)
            recorder.accumulator = acc
        }
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
        start(metadata: metadata)
        guard accumulator?.wants(table) == true else { return }
        accumulator?.observe(table: table, schema: schema, columns: columns)
    }

    /// Puts the metrics section (replacing an older one) or the error into a footer being made.
    mutating func apply(metadata: inout [(key: String, value: String)], sections: inout [(tag: UInt64, bytes: [UInt8])]) {
        start(metadata: metadata)
        if let error {
            if !metadata.contains(where: { $0.key == "tape.metrics.error" }) { metadata.append(("tape.metrics.error", error)) }
            return
        }
        guard let accumulator else { return }
        let metrics = accumulator.finish()
        sections.removeAll { $0.tag == RunMetrics.sectionTag }
        if !metrics.entries.isEmpty { sections.append((RunMetrics.sectionTag, metrics.sectionBytes())) }
    }
}
