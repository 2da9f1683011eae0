import CArrowABI
import TapeCodec
import TapeFormat
#if canImport(Glibc)
import Glibc
#endif

/// The state behind one exported `ArrowArrayStream`: the result schema, the channel the producing
/// thread fills, and the text of the last error (kept for `get_last_error` until the next call).
final class StreamState {
    let schema: Schema
    /// The string columns exported as dictionary arrays (`tape_scan` flag bit 2).
    let dictionaryColumns: Set<Int>
    let channel = BatchChannel()
    private let produce: @Sendable (_ put: @escaping (RecordBatch) -> Bool) throws -> Void
    private var lastError: UnsafeMutablePointer<CChar>?

    init(schema: Schema, dictionaryColumns: Set<Int> = [], produce: @escaping @Sendable (_ put: @escaping (RecordBatch) -> Bool) throws -> Void) {
        self.schema = schema
        self.dictionaryColumns = dictionaryColumns
        self.produce = produce
    }

    func setError(_ message: String?) {
        free(lastError)
        lastError = message.map { strdup($0) }
    }

    var lastErrorPointer: UnsafePointer<CChar>? { lastError.map { UnsafePointer($0) } }

    func next() throws(BridgeError) -> RecordBatch? {
        channel.start(produce)
        return try channel.take()
    }

    deinit {
        channel.cancelAndWait()
        free(lastError)
    }
}

enum ArrowStreamExport {
    /// Writes a stream over `state` into `out`; the consumer owns it and calls its `release`.
    static func export(_ state: StreamState, into out: UnsafeMutablePointer<ArrowArrayStream>) {
        out.initialize(to: ArrowArrayStream(
            get_schema: streamGetSchema, get_next: streamGetNext, get_last_error: streamLastError,
            release: streamRelease, private_data: Unmanaged.passRetained(state).toOpaque()))
    }

    static func state(_ stream: UnsafeMutablePointer<ArrowArrayStream>?) -> StreamState? {
        guard let stream, stream.pointee.release != nil, let p = stream.pointee.private_data else { return nil }
        return Unmanaged<StreamState>.fromOpaque(p).takeUnretainedValue()
    }
}

private let streamGetSchema: @convention(c) (UnsafeMutablePointer<ArrowArrayStream>?, UnsafeMutablePointer<ArrowSchema>?) -> Int32 = { stream, out in
    guard let state = ArrowStreamExport.state(stream), let out else { return EINVAL }
    state.setError(nil)
    ArrowSchemaExport.export(state.schema, dictionaryColumns: state.dictionaryColumns, into: out)
    return 0
}

private let streamGetNext: @convention(c) (UnsafeMutablePointer<ArrowArrayStream>?, UnsafeMutablePointer<ArrowArray>?) -> Int32 = { stream, out in
    guard let state = ArrowStreamExport.state(stream), let out else { return EINVAL }
    state.setError(nil)
    do throws(BridgeError) {
        guard let batch = try state.next() else {
            // End of stream: a released (release == NULL) array.
            out.initialize(to: ArrowArray(length: 0, null_count: 0, offset: 0, n_buffers: 0, n_children: 0,
                                          buffers: nil, children: nil, dictionary: nil, release: nil, private_data: nil))
            return 0
        }
        try ArrowArrayExport.export(batch, dictionaryColumns: state.dictionaryColumns, into: out)
        return 0
    } catch {
        state.setError(error.message)
        return error.code
    }
}

private let streamLastError: @convention(c) (UnsafeMutablePointer<ArrowArrayStream>?) -> UnsafePointer<CChar>? = { stream in
    ArrowStreamExport.state(stream)?.lastErrorPointer
}

private let streamRelease: @convention(c) (UnsafeMutablePointer<ArrowArrayStream>?) -> Void = { stream in
    guard let stream, stream.pointee.release != nil else { return }
    if let p = stream.pointee.private_data { Unmanaged<StreamState>.fromOpaque(p).release() }
    stream.pointee.release = nil
    stream.pointee.private_data = nil
}
