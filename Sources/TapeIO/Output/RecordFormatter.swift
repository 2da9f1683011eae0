import TapeCodec
import TapeFormat

/// Prints record batches incrementally to a `ByteSink`.
///
/// Call `write(_:)` for each batch (whose columns match the formatter's schema), then `finish()`
/// once, which flushes the sink. Errors are the sink's (`OutputError`, including `.brokenPipe`).
public protocol RecordFormatter: AnyObject {
    init(schema: Schema, sink: ByteSink)
    func write(_ batch: RecordBatch) throws
    func finish() throws
}
