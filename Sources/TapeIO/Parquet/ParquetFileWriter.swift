import TapeCodec
import TapeFormat

// A Parquet file as Tape writes it:
//
//   file      := "PAR1", row group*, FileMetaData (Thrift compact), length: UInt32 LE, "PAR1"
//   row group := column chunk per schema column, in schema order (ParquetColumnChunkWriter:
//                [dictionary page] data pages)
//
// One row group per `rowGroupRows` rows: a row group's column chunks are built in memory (compressed
// pages) and written when it is full, so memory is bounded by one compressed row group whatever
// the table's size.

/// How `ParquetFileWriter` writes.
public struct ParquetWriteOptions: Sendable {
    /// Page compression: zstd (ZSTD), lz4 (LZ4_RAW) or none (UNCOMPRESSED).
    public var codec: Codec
    public var timestampUnit: ParquetTimestampUnit
    /// Rows per row group.
    public var rowGroupRows: Int
    /// Most rows per data page.
    public var pageRows: Int
    /// Most distinct strings per column chunk kept in a dictionary (RLE_DICTIONARY pages); a chunk
    /// with more writes its remaining pages PLAIN. 0 writes strings PLAIN.
    public var maxDictionaryEntries: Int
    /// FileMetaData.created_by, e.g. "tape version 0.1.0 (build swift)".
    public var createdBy: String
    /// FileMetaData.key_value_metadata.
    public var metadata: [(key: String, value: String)]

    public init(codec: Codec = .zstd(level: 3), timestampUnit: ParquetTimestampUnit = .micros,
                rowGroupRows: Int = 1 << 20, pageRows: Int = 65_536, maxDictionaryEntries: Int = 65_536,
                createdBy: String = "tape",
                metadata: [(key: String, value: String)] = []) {
        self.codec = codec
        self.timestampUnit = timestampUnit
        self.rowGroupRows = max(1, rowGroupRows)
        self.pageRows = max(1, pageRows)
        self.maxDictionaryEntries = max(0, maxDictionaryEntries)
        self.createdBy = createdBy
        self.metadata = metadata
    }
}

/// Streams record batches of one schema into a Parquet file.
///
/// Call `write(_:)` for each batch (columns matching `schema`), then `close()` once. Errors are
/// `OutputError`s (the file) and `CompressionError`s. The file is only valid after `close()`.
public final class ParquetFileWriter {
    public let schema: Schema
    public let options: ParquetWriteOptions
    private let sink: ByteSink
    private let compressor: BufferCompressor
    private var chunks: [ParquetColumnChunkWriter]
    private var rowGroups: [ParquetRowGroupMeta] = []
    private var rowsInGroup = 0
    private var position = 0

    /// Creates (or truncates) the file at `path` and writes the leading magic.
    public convenience init(path: String, schema: Schema, options: ParquetWriteOptions = ParquetWriteOptions()) throws {
        try self.init(sink: try ByteSink(path: path), schema: schema, options: options)
    }

    /// Writes to the open descriptor `fileDescriptor` (a new, empty file, e.g. an
    /// `AtomicReplacement`'s temporary file), called `name` in errors; `close()` flushes but does
    /// not close it.
    public convenience init(fileDescriptor: Int32, name: String, schema: Schema, options: ParquetWriteOptions = ParquetWriteOptions()) throws {
        try self.init(sink: ByteSink(fileDescriptor: fileDescriptor, name: name), schema: schema, options: options)
    }

    private init(sink: ByteSink, schema: Schema, options: ParquetWriteOptions) throws {
        self.schema = schema
        self.options = options
        compressor = try BufferCompressor(codec: options.codec)
        chunks = schema.columns.map {
            ParquetColumnChunkWriter(descriptor: ParquetColumnDescriptor(column: $0, timestampUnit: options.timestampUnit),
                                     maxDictionaryEntries: options.maxDictionaryEntries)
        }
        self.sink = sink
        emit(Parquet.magic)
    }

    /// Appends the rows of `batch`.
    public func write(_ batch: RecordBatch) throws {
        precondition(batch.columns.count == chunks.count, "batch does not match the writer's schema")
        var start = 0
        while start < batch.count {
            let take = min(batch.count - start, options.rowGroupRows - rowsInGroup, options.pageRows)
            for i in 0..<chunks.count {
                try chunks[i].appendPage(batch.columns[i], range: start..<(start + take), compressor: compressor)
            }
            rowsInGroup += take
            start += take
            if rowsInGroup == options.rowGroupRows { try writeRowGroup() }
        }
    }

    /// Writes the last row group and the footer, and closes the file. Returns the number of rows.
    @discardableResult
    public func close() throws -> Int {
        if rowsInGroup > 0 { try writeRowGroup() }
        var keyValues = options.metadata
        if schema.columns.contains(where: { $0.type == .duration }), !keyValues.contains(where: { $0.key == ParquetArrowSchema.key }) {
            keyValues.append((ParquetArrowSchema.key, ParquetArrowSchema.value(for: schema, timestampUnit: options.timestampUnit, metadata: options.metadata)))
        }
        let footer = ParquetFileMeta(columns: chunks.map(\.descriptor), rowGroups: rowGroups,
                                     keyValues: keyValues, createdBy: options.createdBy).encode()
        emit(footer)
        withUnsafeBytes(of: UInt32(footer.count).littleEndian) { emit(Array($0)) }
        emit(Parquet.magic)
        try sink.close()
        return rowGroups.reduce(0) { $0 + Int($1.numRows) }
    }

    private func writeRowGroup() throws {
        let groupStart = position
        var metas: [ParquetColumnChunkMeta] = []
        let codec: Parquet.CompressionCodec = {
            switch options.codec {
            case .none: return .uncompressed
            case .lz4: return .lz4Raw
            case .zstd: return .zstd
            }
        }()
        for i in 0..<chunks.count {
            let (bytes, meta) = try chunks[i].finish(at: Int64(position), codec: codec, compressor: compressor)
            emit(bytes)
            metas.append(meta)
            try sink.flushIfNeeded()
        }
        rowGroups.append(ParquetRowGroupMeta(columns: metas, numRows: Int64(rowsInGroup), fileOffset: Int64(groupStart),
                                             ordinal: Int16(truncatingIfNeeded: rowGroups.count)))
        rowsInGroup = 0
    }

    private func emit(_ bytes: [UInt8]) {
        sink.write(bytes)
        position += bytes.count
    }
}
