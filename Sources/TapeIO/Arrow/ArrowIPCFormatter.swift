import TapeCodec
import TapeFormat

/// `--format arrow`: record batches as an Arrow IPC stream (arrow.apache.org/docs/format/
/// Columnar.html, "IPC Streaming Format"): a Schema message, then per batch a DictionaryBatch for
/// each dictionary column (replacing the previous one, isDelta = false) and a RecordBatch, then
/// the end-of-stream marker. Little-endian, metadata V5, buffers padded to 8 bytes, no compression.
///
/// A string column is dictionary-encoded in the stream when it is in the first batch (Tape's
/// dictionary-encoded strings keep their dictionary; a later plain batch of it sends its strings
/// as the dictionary); otherwise strings are plain utf8. Timestamps are timestamp[ns, tz=UTC].
/// pyarrow reads it with `pyarrow.ipc.open_stream`.
public final class ArrowIPCFormatter: RecordFormatter {
    private let schema: Schema
    private let sink: ByteSink
    private var dictionaryColumns: Set<Int>?

    public init(schema: Schema, sink: ByteSink) {
        self.schema = schema
        self.sink = sink
    }

    private func start(dictionaries: Set<Int>) throws {
        dictionaryColumns = dictionaries
        let columns = schema.columns.enumerated().map { i, c in
            ArrowIPCMessage.Column(name: c.name, type: c.type, dictionaryID: dictionaries.contains(i) ? Int64(i) : nil)
        }
        sink.write(ArrowIPCMessage.frame(ArrowIPCMessage.schema(columns)))
    }

    public func write(_ batch: RecordBatch) throws {
        if dictionaryColumns == nil {
            var d = Set<Int>()
            for (i, c) in batch.columns.enumerated() { if case .dictionary = c.storage { d.insert(i) } }
            try start(dictionaries: d)
        }
        let dictionaries = dictionaryColumns ?? []
        var body = ArrowIPCBody()
        for (i, c) in batch.columns.enumerated() {
            guard dictionaries.contains(i) else {
                try body.column(c)
                continue
            }
            let (entries, indices): (ColumnData, [UInt32])
            switch c.storage {
            case .dictionary(let e, let idx): (entries, indices) = (ColumnData(type: .string, storage: .strings(e)), idx)
            default: (entries, indices) = (ColumnData(type: .string, storage: c.storage, count: c.count), (0..<UInt32(c.count)).map { $0 })
            }
            var dict = ArrowIPCBody()
            try dict.column(entries)
            let data = ArrowIPCMessage.recordBatch(length: entries.count, nodes: dict.nodes, buffers: dict.buffers)
            let meta = ArrowIPCMessage.message(ArrowIPCMessage.dictionaryBatchHeader,
                                               .table([.int64(Int64(i)), .object(data), .bool(false)]), bodyLength: dict.bytes.count)
            sink.write(ArrowIPCMessage.frame(meta))
            sink.write(dict.bytes)
            body.indices(c, indices)
        }
        let meta = ArrowIPCMessage.message(ArrowIPCMessage.recordBatchHeader,
                                           ArrowIPCMessage.recordBatch(length: batch.count, nodes: body.nodes, buffers: body.buffers),
                                           bodyLength: body.bytes.count)
        sink.write(ArrowIPCMessage.frame(meta))
        sink.write(body.bytes)
        try sink.flushIfNeeded()
    }

    public func finish() throws {
        if dictionaryColumns == nil { try start(dictionaries: []) }
        sink.write(ArrowIPCMessage.endOfStream)
        try sink.flush()
    }
}
