import TapeFormat

/// Arrow IPC metadata (format/Schema.fbs and format/Message.fbs of apache/arrow, metadata V5) as
/// flatbuffer tables, and the encapsulated message framing of the streaming format
/// (arrow.apache.org/docs/format/Columnar.html, "Encapsulated message format"):
///
///   0xFFFFFFFF  int32 metadata size (flatbuffer + padding to 8)  Message flatbuffer  padding  body
///
/// and the end-of-stream marker 0xFFFFFFFF 0x00000000. Field ids follow the .fbs declaration
/// order (a union takes two ids: its type byte, then its value).
enum ArrowIPCMessage {
    /// MetadataVersion.V5.
    static let version: Int16 = 4
    /// MessageHeader union members.
    static let schemaHeader: UInt8 = 1, dictionaryBatchHeader: UInt8 = 2, recordBatchHeader: UInt8 = 3
    /// Type union members used by Tape.
    enum TypeID: UInt8 { case int = 2, floatingPoint = 3, utf8 = 5, bool = 6, timestamp = 10, duration = 18 }

    /// One column of the stream's schema.
    struct Column {
        var name: String
        var type: ColumnType
        /// Dictionary-encoded (int32 indices) with this dictionary id.
        var dictionaryID: Int64?
    }

    static func intType(bits: Int32) -> FlatBufferValue { .table([.int32(bits), .bool(true)]) }

    /// The `Type` union (type id, table) of a Tape column type.
    static func type(of t: ColumnType) -> (UInt8, FlatBufferValue) {
        switch t {
        case .int64: return (TypeID.int.rawValue, intType(bits: 64))
        case .float64: return (TypeID.floatingPoint.rawValue, .table([.int16(2)]))   // Precision.DOUBLE
        case .bool: return (TypeID.bool.rawValue, .table([]))
        case .string: return (TypeID.utf8.rawValue, .table([]))
        case .timestamp: return (TypeID.timestamp.rawValue, .table([.int16(3), .object(.string("UTC"))]))   // NANOSECOND
        case .duration: return (TypeID.duration.rawValue, .table([.int16(3)]))   // Duration { unit: NANOSECOND }
        }
    }

    /// Field { name, nullable, type_type, type, dictionary, children, custom_metadata }.
    static func field(_ c: Column) -> FlatBufferValue {
        let (id, type) = type(of: c.type)
        let dictionary: FlatBufferField? = c.dictionaryID.map {
            // DictionaryEncoding { id, indexType, isOrdered, dictionaryKind }
            .object(.table([.int64($0), .object(intType(bits: 32)), .bool(false)]))
        }
        return .table([.object(.string(c.name)), .bool(true), .int8(id), .object(type), dictionary, .object(.vector([]))])
    }

    /// A Message holding the Schema { endianness = Little, fields }.
    static func schema(_ columns: [Column]) -> [UInt8] {
        message(schemaHeader, .table([.int16(0), .object(.vector(columns.map(field)))]), bodyLength: 0)
    }

    /// RecordBatch { length, nodes: [FieldNode], buffers: [Buffer] }.
    static func recordBatch(length: Int, nodes: [(length: Int, nulls: Int)], buffers: [(offset: Int, length: Int)]) -> FlatBufferValue {
        var nodeBytes: [UInt8] = [], bufferBytes: [UInt8] = []
        for n in nodes { nodeBytes += littleEndian(Int64(n.length)) + littleEndian(Int64(n.nulls)) }
        for b in buffers { bufferBytes += littleEndian(Int64(b.offset)) + littleEndian(Int64(b.length)) }
        return .table([.int64(Int64(length)), .object(.structs(bytes: nodeBytes, count: nodes.count, alignment: 8)),
                       .object(.structs(bytes: bufferBytes, count: buffers.count, alignment: 8))])
    }

    /// Message { version, header_type, header, bodyLength } as a flatbuffer.
    static func message(_ headerType: UInt8, _ header: FlatBufferValue, bodyLength: Int) -> [UInt8] {
        FlatBufferWriter.encode(.table([.int16(version), .int8(headerType), .object(header), .int64(Int64(bodyLength))]))
    }

    /// The framing of one message: continuation marker, metadata size, metadata (padded to 8).
    static func frame(_ metadata: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]
        out += littleEndian(Int32(metadata.count))
        out += metadata
        return out
    }

    /// End of stream.
    static let endOfStream: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
}
