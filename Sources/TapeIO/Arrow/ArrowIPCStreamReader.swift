import CArrowABI
import TapeCodec
import TapeFormat

/// Reads an Arrow IPC stream (arrow.apache.org/docs/format/Columnar.html, "IPC Streaming
/// Format"), or the stream inside an Arrow IPC file (which starts with `ARROW1` and two padding
/// bytes; the messages up to its end-of-stream marker are read, the footer is not needed), into
/// Tape columns. `tape ingest --format arrow` is built on it.
///
/// Framing, per message: 0xFFFFFFFF, int32 metadata size, a Message flatbuffer (padded), then the
/// body of `bodyLength` bytes; the pre-0.15 framing without the 0xFFFFFFFF is accepted too. A
/// metadata size of 0 is the end-of-stream marker. The first message is the Schema; then come
/// DictionaryBatch (a replacement, or with isDelta entries appended) and RecordBatch messages.
///
/// Every number the input gives is checked before it is used: metadata sizes (at most
/// `maxMetadataBytes`), flatbuffer offsets (`FlatBufferTable`), a body's buffers inside the body
/// and large enough for the rows their node claims, string offsets within their data, dictionary
/// indices within their dictionary. Memory grows only with bytes actually read, so a lying length
/// on a short input is "truncated", never a huge allocation. Compressed bodies, big-endian data,
/// nested and other non-Tape types are refused by name. The column conversions (widths, time
/// units, dictionaries) are `ArrowColumnImport`'s, shared with libTapeArrow's C Data Interface.
///
/// A stream that ends without its end-of-stream marker is an error (naming the last complete
/// batch): the batches before it have already been handed to the caller.
public final class ArrowIPCStreamReader {
    /// Largest Message flatbuffer accepted (a schema of 4096 columns takes well under 1 MiB).
    public static let maxMetadataBytes = 64 << 20
    /// Rows converted at a time: a large record batch is handed on in slices of this many rows,
    /// which bounds the memory of the converted copies.
    public static let defaultSliceRows = 1 << 20
    /// The start of an Arrow IPC file: "ARROW1" and two padding bytes.
    private static let fileMagic: [UInt8] = Array("ARROW1".utf8) + [0, 0]

    private let window: InputWindow
    private let name: String
    /// Unconsumed bytes start at `window.storage + position`; `consumed` bytes precede them.
    private var position = 0
    private var consumed = 0
    private var messages = 0
    private var columns: [ArrowIPCMetadataReader.Column] = []
    private var dictionaries: [Int64: StoredDictionary] = [:]
    /// Record batches and rows read so far.
    public private(set) var batches = 0
    public private(set) var rows = 0

    /// Reads from `source`; `name` names it in errors ("standard input", a path).
    public init(_ source: TextSource, name: String) throws {
        window = try InputWindow(source)
        self.name = name
    }

    /// Reads the Schema message (and skips the `ARROW1` magic of the file format) and returns the
    /// schema a new table named `table` gets: the stream's columns, all nullable, by their
    /// natural Tape types (see `ArrowField`).
    public func readSchema(table: String) throws -> Schema {
        if try available(8), (0..<8).allSatisfy({ window.storage[position + $0] == Self.fileMagic[$0] }) {
            position += 8
        }
        guard let (header, _) = try nextMessage() else { throw located("the stream ends before its schema") }
        guard case .schema(let columns) = header else { throw located("the first message is not a Schema") }
        guard !columns.isEmpty else { throw located("the schema has no columns") }
        self.columns = columns
        do { return try ArrowField.naturalSchema(table: table, try fields(dictionaryValues: false)) } catch { throw located("\(error)") }
    }

    /// Reads every message after the schema up to the end-of-stream marker, calling `append` with
    /// each record batch's columns (in schema order) in slices of at most `sliceRows` rows.
    /// Errors of `append` pass through unchanged.
    public func readBatches(table: String, sliceRows: Int = defaultSliceRows, _ append: ([ColumnData]) throws -> Void) throws {
        let schema: Schema, fields: [ArrowField]
        do {
            schema = try ArrowField.naturalSchema(table: table, try self.fields(dictionaryValues: false))
            fields = try self.fields(dictionaryValues: true)
        } catch { throw located("\(error)") }
        while let (header, body) = try nextMessage() {
            switch header {
            case .schema: throw located("a second Schema message; a stream has one schema")
            case .dictionaryBatch(let id, let data, let isDelta):
                do { try readDictionary(id: id, data, isDelta: isDelta, body: body, table: table) } catch { throw located("\(error)") }
            case .recordBatch(let batch):
                try readRecordBatch(batch, body: body, fields: fields, schema: schema, table: table, sliceRows: max(1, sliceRows), append)
                batches += 1
                rows += Int(batch.length)
            }
        }
    }

    /// The stream's columns as `ArrowField`s; a dictionary column's values are read from the
    /// stored (large utf8) dictionary when `dictionaryValues`.
    private func fields(dictionaryValues: Bool) throws(ArrowImportError) -> [ArrowField] {
        try columns.map { c throws(ArrowImportError) in
            try ArrowField(name: c.name, format: c.format, dictionaryValueFormat: c.dictionary.map { dictionaryValues ? "U" : $0.valueFormat })
        }
    }

    private func located(_ reason: String) -> ArrowImportError {
        ArrowImportError("\(name), message \(messages) (at byte \(consumed + position)): \(reason)")
    }

    // MARK: framing

    /// True when `n` unconsumed bytes are in the window (reading more as needed); false when the
    /// input ends first.
    private func available(_ n: Int) throws -> Bool {
        while window.end - position < n {
            if window.isAtEOF { return false }
            consumed += position
            try window.refill(keepingFrom: position)
            position = 0
        }
        return true
    }

    private func int32(at offset: Int) -> Int32 {
        Int32(littleEndian: UnsafeRawPointer(window.storage + position + offset).loadUnaligned(as: Int32.self))
    }

    /// Bytes of the previous message still to step over (its body is in use until the next call).
    private var previousMessageBytes = 0

    /// The next message's header and body (valid until the next call), or nil at end-of-stream.
    private func nextMessage() throws -> (ArrowIPCMetadataReader.Header, UnsafeRawBufferPointer)? {
        position += previousMessageBytes
        previousMessageBytes = 0
        messages += 1
        guard try available(4) else {
            if window.end > position { throw located("truncated: \(window.end - position) bytes where a message starts") }
            throw located("the stream ends without its end-of-stream marker (0xFFFFFFFF 00000000) after \(batches) record batches; it was cut short")
        }
        var prefix = 4
        var size = int32(at: 0)
        if size == -1 {
            guard try available(8) else { throw located("truncated inside a message's length") }
            size = int32(at: 4)
            prefix = 8
        }
        if size == 0 {
            position += prefix
            return nil
        }
        guard size > 0, Int(size) <= Self.maxMetadataBytes else {
            throw located("metadata size \(size) is outside 1...\(Self.maxMetadataBytes) bytes")
        }
        guard try available(prefix + Int(size)) else { throw located("truncated: the message's \(size) metadata bytes are cut short") }
        let metadata = UnsafeRawBufferPointer(start: window.storage + position + prefix, count: Int(size))
        let header: ArrowIPCMetadataReader.Header, bodyLength: Int64
        do { (header, bodyLength) = try ArrowIPCMetadataReader.message(metadata) } catch { throw located("\(error)") }
        let head = prefix + Int(size)
        guard bodyLength <= Int64(Int.max - head) else { throw located("body length \(bodyLength) is impossible") }
        guard try available(head + Int(bodyLength)) else {
            throw located("truncated: the message's body of \(bodyLength) bytes is cut short (\(window.end - position - head) bytes follow)")
        }
        previousMessageBytes = head + Int(bodyLength)
        return (header, UnsafeRawBufferPointer(start: window.storage + position + head, count: Int(bodyLength)))
    }

    // MARK: bodies

    /// A dictionary's entries, kept between messages, with the int64 offsets of a large utf8
    /// array over them.
    private struct StoredDictionary {
        var entries: StringArray
        var validity: Bitmap?
        var offsets: [Int64]

        init(entries: StringArray, validity: Bitmap?) {
            self.entries = entries
            self.validity = validity
            offsets = entries.offsets.map { Int64($0) }
        }
    }

    private func readDictionary(id: Int64, _ data: ArrowIPCMetadataReader.RecordBatch, isDelta: Bool, body: UnsafeRawBufferPointer, table: String) throws(ArrowImportError) {
        guard let column = columns.first(where: { $0.dictionary?.id == id }), let valueFormat = column.dictionary?.valueFormat else {
            throw .invalid("a DictionaryBatch for dictionary id \(id), which no column of the schema uses")
        }
        let field = try ArrowField(name: column.name, format: valueFormat, dictionaryValueFormat: nil)
        var layout = BodyLayout(data, body: body)
        let read = try layout.column(field, length: data.length) { array throws(ArrowImportError) in
            try ArrowColumnImport(table: table, field: field, target: .string).read(array, parentOffset: 0, count: Int(data.length))
        }
        try layout.finish()
        guard case .strings(let added) = read.storage else { throw .invalid("dictionary \(id) is not a string array") }
        guard isDelta, let old = dictionaries[id] else {
            dictionaries[id] = StoredDictionary(entries: added, validity: read.validity)
            return
        }
        var entries = old.entries
        guard entries.count + added.count <= Int(UInt32.max), entries.bytes.count + added.bytes.count <= Int(UInt32.max) else {
            throw .invalid("dictionary \(id) grows past 2^32 entries or 4 GiB of strings")
        }
        do { try entries.append(contentsOf: added) } catch { throw .invalid("dictionary \(id): \(error)") }
        var validity: Bitmap? = nil
        if old.validity != nil || read.validity != nil {
            var v = old.validity ?? Bitmap(count: old.entries.count, value: true)
            for i in 0..<added.count { v.append(read.validity?[i] ?? true) }
            validity = v
        }
        dictionaries[id] = StoredDictionary(entries: entries, validity: validity)
    }

    private func readRecordBatch(_ batch: ArrowIPCMetadataReader.RecordBatch, body: UnsafeRawBufferPointer, fields: [ArrowField],
                                 schema: Schema, table: String, sliceRows: Int, _ append: ([ColumnData]) throws -> Void) throws {
        // Each column's ArrowArray is built once over the body; the slices read ranges of it.
        var arrays: [ArrowArrayHolder] = []
        do {
            var layout = BodyLayout(batch, body: body)
            for (i, field) in fields.enumerated() {
                var dictionary: StoredDictionary?
                if let id = columns[i].dictionary?.id {
                    guard let d = dictionaries[id] else { throw ArrowImportError.invalid("column '\(field.name)' uses dictionary \(id), which no DictionaryBatch has sent yet") }
                    dictionary = d
                }
                arrays.append(try layout.column(field, length: batch.length) { array throws(ArrowImportError) in
                    ArrowArrayHolder(array.pointee, dictionary: dictionary)
                })
            }
            try layout.finish()
        } catch let e as ArrowImportError { throw located("record batch \(batches + 1): \(e)") }
        let count = Int(batch.length)
        var start = 0
        repeat {
            let n = min(sliceRows, count - start)
            var out: [ColumnData] = []
            out.reserveCapacity(fields.count)
            for (i, field) in fields.enumerated() {
                do {
                    out.append(try arrays[i].read(ArrowColumnImport(table: table, field: field, target: schema[i].type), from: start, count: n))
                } catch { throw located("record batch \(batches + 1): \(error)") }
            }
            try append(out)
            start += n
        } while start < count
    }

    /// An `ArrowArray` over a message body (buffers not owned), with its dictionary when the
    /// column is dictionary-encoded.
    private struct ArrowArrayHolder {
        var array: ArrowArray
        var buffers: [UnsafeRawPointer?]
        var dictionary: StoredDictionary?

        init(_ array: ArrowArray, dictionary: StoredDictionary?) {
            self.array = array
            buffers = (0..<Int(array.n_buffers)).map { array.buffers[$0] }
            self.dictionary = dictionary
        }

        func read(_ importer: ArrowColumnImport, from start: Int, count: Int) throws -> ColumnData {
            var array = self.array
            var buffers = self.buffers
            return try buffers.withUnsafeMutableBufferPointer { b in
                array.buffers = b.baseAddress
                guard let d = dictionary else { return try importer.read(&array, parentOffset: start, count: count) }
                return try d.offsets.withUnsafeBytes { offsets in
                    try d.entries.bytes.withUnsafeBytes { bytes in
                        try (d.validity?.words ?? []).withUnsafeBytes { validity in
                            var dictionaryBuffers: [UnsafeRawPointer?] = [d.validity == nil ? nil : validity.baseAddress, offsets.baseAddress, bytes.baseAddress ?? offsets.baseAddress]
                            return try dictionaryBuffers.withUnsafeMutableBufferPointer { db in
                                var values = ArrowArray(length: Int64(d.entries.count), null_count: Int64(d.entries.count - (d.validity?.popCount ?? d.entries.count)),
                                                        offset: 0, n_buffers: 3, n_children: 0, buffers: db.baseAddress, children: nil,
                                                        dictionary: nil, release: { _ in }, private_data: nil)
                                return try withUnsafeMutablePointer(to: &values) { v in
                                    array.dictionary = v
                                    return try importer.read(&array, parentOffset: start, count: count)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Hands out a RecordBatch's nodes and buffers column by column, checking each against the body
/// and against what `length` rows of the column's layout need.
private struct BodyLayout {
    let batch: ArrowIPCMetadataReader.RecordBatch
    let body: UnsafeRawBufferPointer
    var node = 0
    var buffer = 0

    init(_ batch: ArrowIPCMetadataReader.RecordBatch, body: UnsafeRawBufferPointer) {
        self.batch = batch
        self.body = body
    }

    /// Calls `use` with an `ArrowArray` (release a no-op, buffers valid only during the call) for
    /// the next column, of layout `field`, holding `length` rows.
    mutating func column<T>(_ field: ArrowField, length: Int64, _ use: (UnsafePointer<ArrowArray>) throws(ArrowImportError) -> T) throws(ArrowImportError) -> T {
        let name = field.name
        guard node < batch.nodes.count else { throw .invalid("column '\(name)': the batch has only \(batch.nodes.count) field nodes") }
        let (rows, nulls) = batch.nodes[node]
        node += 1
        guard rows == length else { throw .invalid("column '\(name)' has \(rows) rows, the batch \(length)") }
        guard nulls >= 0, nulls <= rows else { throw .invalid("column '\(name)': null count \(nulls) is outside 0...\(rows)") }
        let n = Int(rows)
        let count = field.dictionary == nil ? field.layout.bufferCount : 2
        var pointers: [UnsafeRawPointer?] = []
        var lengths: [Int] = []
        for i in 0..<count {
            guard buffer < batch.buffers.count else { throw .invalid("column '\(name)': the batch has only \(batch.buffers.count) buffers") }
            let (offset, size) = batch.buffers[buffer]
            buffer += 1
            guard offset >= 0, size >= 0, offset <= Int64(body.count), size <= Int64(body.count) - offset else {
                throw .invalid("column '\(name)': buffer \(i) (offset \(offset), length \(size)) lies outside the \(body.count)-byte body")
            }
            pointers.append(size == 0 && i == 0 ? nil : body.baseAddress.map { $0 + Int(offset) })
            lengths.append(Int(size))
        }
        func need(_ i: Int, _ bytes: (Int, Bool), _ what: String) throws(ArrowImportError) {
            guard !bytes.1, lengths[i] >= bytes.0 else {
                throw .invalid("column '\(name)': its \(what) buffer has \(lengths[i]) bytes, \(n) rows need \(bytes.1 ? "more than fit in memory" : "\(bytes.0)")")
            }
        }
        let bits = (n / 8 + (n % 8 == 0 ? 0 : 1), false)
        if nulls > 0 && n > 0 { try need(0, bits, "validity") }
        if n > 0, field.dictionary != nil {
            guard case .integer(let width, _) = field.layout else { throw .invalid("column '\(name)': dictionary indices are not integers") }
            try need(1, n.multipliedReportingOverflow(by: width), "indices")
        } else if n > 0 {
            switch field.layout {
            case .null: break
            case .bool: try need(1, bits, "values")
            case .integer(let bytes, _), .float(let bytes), .scaled(let bytes, _): try need(1, n.multipliedReportingOverflow(by: bytes), "values")
            case .utf8(let large):
                let width = large ? 8 : 4
                try need(1, (n + 1).multipliedReportingOverflow(by: width), "offsets")
                let base = pointers[1]!
                let first = large ? base.loadUnaligned(fromByteOffset: 0, as: Int64.self) : Int64(base.loadUnaligned(fromByteOffset: 0, as: Int32.self))
                let last = large ? base.loadUnaligned(fromByteOffset: n * 8, as: Int64.self) : Int64(base.loadUnaligned(fromByteOffset: n * 4, as: Int32.self))
                guard first >= 0, last >= first, last <= Int64(lengths[2]) else {
                    throw .invalid("column '\(name)': string offsets \(first)...\(last) lie outside its \(lengths[2])-byte data buffer")
                }
            }
        }
        return try pointers.withUnsafeMutableBufferPointer { b throws(ArrowImportError) in
            var array = ArrowArray(length: rows, null_count: nulls, offset: 0, n_buffers: Int64(count), n_children: 0,
                                   buffers: b.baseAddress, children: nil, dictionary: nil, release: { _ in }, private_data: nil)
            return try use(&array)
        }
    }

    /// Every node and buffer must have been used.
    func finish() throws(ArrowImportError) {
        guard node == batch.nodes.count, buffer == batch.buffers.count else {
            throw .invalid("the batch has \(batch.nodes.count) field nodes and \(batch.buffers.count) buffers, its columns use \(node) and \(buffer)")
        }
    }
}
