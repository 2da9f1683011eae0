/// Decodes the Arrow IPC metadata Tape reads (format/Message.fbs and format/Schema.fbs of
/// apache/arrow, metadata V4/V5) from a Message flatbuffer. Field ids are the .fbs declaration
/// order (a union takes two: its type byte, then its value); absent scalars take the .fbs
/// defaults (Timestamp.unit SECOND, Duration.unit and Date.unit MILLISECOND, Int.is_signed false).
///
///   Message         { version: short, header_type: ubyte, header, bodyLength: long, custom_metadata }
///   Schema          { endianness: short (0 little), fields: [Field], custom_metadata, features }
///   Field           { name, nullable, type_type: ubyte, type, dictionary: DictionaryEncoding, children, custom_metadata }
///   DictionaryEncoding { id: long, indexType: Int (absent = int32), isOrdered, dictionaryKind }
///   RecordBatch     { length: long, nodes: [FieldNode {length, null_count}], buffers: [Buffer {offset, length}],
///                     compression: BodyCompression (refused), variadicBufferCounts }
///   DictionaryBatch { id: long, data: RecordBatch, isDelta: bool }
enum ArrowIPCMetadataReader {
    /// One column of the stream's schema, as a C Data Interface format string.
    struct Column {
        var name: String
        /// The values' format, or for a dictionary-encoded column its indices' format.
        var format: String
        /// For a dictionary-encoded column: its id and the values' format.
        var dictionary: (id: Int64, valueFormat: String)?
    }

    /// A RecordBatch header: rows, one node per column, the buffers' places in the body.
    struct RecordBatch {
        var length: Int64
        var nodes: [(length: Int64, nullCount: Int64)]
        var buffers: [(offset: Int64, length: Int64)]
    }

    enum Header {
        case schema([Column])
        case recordBatch(RecordBatch)
        case dictionaryBatch(id: Int64, data: RecordBatch, isDelta: Bool)
    }

    /// The header and body length of the Message flatbuffer `metadata`.
    static func message(_ metadata: UnsafeRawBufferPointer) throws(ArrowImportError) -> (header: Header, bodyLength: Int64) {
        let message = try FlatBufferTable.root(of: metadata, what: "the Message")
        let version: Int16 = try message.scalar(0, default: 0)
        guard version >= 3 else { throw .invalid("metadata version V\(version + 1) is older than V4 (Arrow 0.15), which Tape reads") }
        let headerType: UInt8 = try message.scalar(1, default: 0)
        let bodyLength: Int64 = try message.scalar(3, default: 0)
        guard bodyLength >= 0 else { throw .invalid("the message's body length \(bodyLength) is negative") }
        guard let header = try message.table(2, what: "its header") else { throw .invalid("the Message has no header") }
        switch headerType {
        case 1: return (.schema(try schema(header)), bodyLength)
        case 2:
            guard let data = try header.table(1, what: "data") else { throw .invalid("a DictionaryBatch has no data") }
            return (.dictionaryBatch(id: try header.scalar(0, default: 0), data: try recordBatch(data), isDelta: try header.bool(2)), bodyLength)
        case 3: return (.recordBatch(try recordBatch(header)), bodyLength)
        case 4: throw .invalid("a Tensor message is not a table; Tape reads record batch streams")
        case 5: throw .invalid("a SparseTensor message is not a table; Tape reads record batch streams")
        default: throw .invalid("unknown message header type \(headerType)")
        }
    }

    private static func schema(_ schema: FlatBufferTable) throws(ArrowImportError) -> [Column] {
        let endianness: Int16 = try schema.scalar(0, default: 0)
        guard endianness == 0 else { throw .invalid("the stream is big-endian; Tape reads little-endian Arrow data") }
        return try schema.tables(1, what: "field").enumerated().map { (i, field) throws(ArrowImportError) in try column(field, position: i) }
    }

    private static func column(_ field: FlatBufferTable, position: Int) throws(ArrowImportError) -> Column {
        let name = try field.string(0) ?? ""
        guard !name.isEmpty else { throw .invalid("column \(position) of the schema has no name") }
        if let children = try field.vector(5, elementBytes: 4), children.count > 0 {
            throw .invalid("column '\(name)': nested types (list, struct, map, union) are not supported (Tape stores int64, float64, bool, string, timestamp and duration columns)")
        }
        let typeID: UInt8 = try field.scalar(2, default: 0)
        let type = try field.table(3, what: "the type of column '\(name)'")
        let format = try Self.format(typeID, type, column: name)
        guard let encoding = try field.table(4, what: "the dictionary of column '\(name)'") else {
            return Column(name: name, format: format)
        }
        var indexFormat = "i"
        if let index = try encoding.table(1, what: "indexType") {
            indexFormat = try Self.format(2, index, column: name)
        }
        return Column(name: name, format: indexFormat, dictionary: (try encoding.scalar(0, default: 0), format))
    }

    /// The C Data Interface format string of an IPC `Type` union member (what `ArrowField.layout`
    /// reads), or a refusal naming the type.
    private static func format(_ typeID: UInt8, _ type: FlatBufferTable?, column: String) throws(ArrowImportError) -> String {
        func short(_ id: Int, _ defaultValue: Int16) throws(ArrowImportError) -> Int16 { try type?.scalar(id, default: defaultValue) ?? defaultValue }
        let units = ["s", "m", "u", "n"]   // TimeUnit SECOND, MILLISECOND, MICROSECOND, NANOSECOND
        switch typeID {
        case 1: return "n"
        case 2:
            let bits: Int32 = try type?.scalar(0, default: 0) ?? 0
            let signed = try type?.bool(1) ?? false
            let f: [Int32: String] = [8: "c", 16: "s", 32: "i", 64: "l"]
            guard let code = f[bits] else { throw .invalid("column '\(column)': an integer of \(bits) bits is not an Arrow type") }
            return signed ? code : code.uppercased()
        case 3:
            switch try short(0, 0) {
            case 1: return "f"
            case 2: return "g"
            default: return "e"   // half float: ArrowField refuses it by name
            }
        case 5: return "u"
        case 20: return "U"
        case 6: return "b"
        case 8: return try short(0, 1) == 0 ? "tdD" : "tdm"
        case 10:
            let unit = Int(try short(0, 0))
            guard units.indices.contains(unit) else { throw .invalid("column '\(column)': unknown timestamp unit \(unit)") }
            return "ts\(units[unit]):" + (try type?.string(1) ?? "")
        case 18:
            let unit = Int(try short(0, 1))
            guard units.indices.contains(unit) else { throw .invalid("column '\(column)': unknown duration unit \(unit)") }
            return "tD\(units[unit])"
        default:
            let names: [UInt8: String] = [0: "NONE", 4: "binary", 7: "decimal", 9: "time", 11: "interval", 12: "list", 13: "struct",
                                          14: "union", 15: "fixed-size binary", 16: "fixed-size list", 17: "map", 19: "large binary",
                                          21: "large list", 22: "run-end encoded", 23: "binary view", 24: "string view",
                                          25: "list view", 26: "large list view"]
            throw .invalid("column '\(column)': Arrow type \(names[typeID] ?? "#\(typeID)") is not supported (Tape stores int64, float64, bool, string, timestamp and duration columns; cast it first)")
        }
    }

    private static func recordBatch(_ batch: FlatBufferTable) throws(ArrowImportError) -> RecordBatch {
        if let compression = try batch.table(3, what: "compression") {
            let codec: Int8 = try compression.scalar(0, default: 0)
            throw .invalid("the record batch is compressed with \(codec == 1 ? "ZSTD" : "LZ4_FRAME"), which Tape does not read; write the stream uncompressed (pyarrow: IpcWriteOptions(compression=None))")
        }
        let length: Int64 = try batch.scalar(0, default: 0)
        guard length >= 0 else { throw .invalid("a record batch's length \(length) is negative") }
        var out = RecordBatch(length: length, nodes: [], buffers: [])
        if let (start, count) = try batch.vector(1, elementBytes: 16) {
            out.nodes.reserveCapacity(count)
            for i in 0..<count {
                out.nodes.append((batch.structInt64(start: start, index: i, structBytes: 16, offset: 0),
                                  batch.structInt64(start: start, index: i, structBytes: 16, offset: 8)))
            }
        }
        if let (start, count) = try batch.vector(2, elementBytes: 16) {
            out.buffers.reserveCapacity(count)
            for i in 0..<count {
                out.buffers.append((batch.structInt64(start: start, index: i, structBytes: 16, offset: 0),
                                    batch.structInt64(start: start, index: i, structBytes: 16, offset: 8)))
            }
        }
        return out
    }
}
