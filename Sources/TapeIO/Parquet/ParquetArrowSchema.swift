import Foundation
import TapeCodec
import TapeFormat

/// The `ARROW:schema` key/value entry of a Parquet file: what Arrow readers (pyarrow, Arrow C++,
/// arrow-rs) use to restore Arrow types that Parquet cannot name. Its value is the base64 of an
/// Arrow IPC Schema message, encapsulated (continuation marker, length, flatbuffer padded to 8),
/// as Arrow C++ writes it. Tape writes it for the duration columns: Parquet stores them as plain
/// INT64 nanoseconds, and with this entry pyarrow reads them back as `duration[ns]`. Timestamps
/// are described with the unit the Parquet file stores (micros by default, or nanos) in UTC.
enum ParquetArrowSchema {
    static let key = "ARROW:schema"

    /// The entry's value for `schema` written with timestamps in `unit`; `metadata` (the file's
    /// other key/values) goes into the schema's custom_metadata, where Arrow readers take the
    /// schema metadata from when this entry is present.
    static func value(for schema: Schema, timestampUnit unit: ParquetTimestampUnit, metadata: [(key: String, value: String)]) -> String {
        let fields = schema.columns.map { c -> FlatBufferValue in
            var (id, type) = ArrowIPCMessage.type(of: c.type)
            if c.type == .timestamp {
                // Timestamp { unit: MICROSECOND (2) or NANOSECOND (3), timezone }
                type = .table([.int16(unit == .micros ? 2 : 3), .object(.string("UTC"))])
                id = ArrowIPCMessage.TypeID.timestamp.rawValue
            }
            return .table([.object(.string(c.name)), .bool(c.nullable), .int8(id), .object(type), nil, .object(.vector([]))])
        }
        // Schema { endianness: Little, fields, custom_metadata: [KeyValue { key, value }] }
        let keyValues = metadata.map { FlatBufferValue.table([.object(.string($0.key)), .object(.string($0.value))]) }
        let header = FlatBufferValue.table([.int16(0), .object(.vector(fields)), .object(.vector(keyValues))])
        var message = ArrowIPCMessage.message(ArrowIPCMessage.schemaHeader, header, bodyLength: 0)
        while message.count % 8 != 0 { message.append(0) }
        return Data(ArrowIPCMessage.frame(message)).base64EncodedString()
    }
}
