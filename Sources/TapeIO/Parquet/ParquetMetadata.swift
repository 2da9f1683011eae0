import TapeFormat

// Parquet's file metadata (apache/parquet-format, src/main/thrift/parquet.thrift), only the parts
// Tape writes, each with its Thrift field ids:
//
//   FileMetaData   1 version i32, 2 schema list<SchemaElement>, 3 num_rows i64,
//                  4 row_groups list<RowGroup>, 5 key_value_metadata list<KeyValue>,
//                  6 created_by string, 7 column_orders list<ColumnOrder>
//   SchemaElement  1 type, 3 repetition_type, 4 name, 5 num_children, 6 converted_type,
//                  10 logicalType (union: 1 STRING {}, 8 TIMESTAMP {1 isAdjustedToUTC bool,
//                  2 unit (union: 1 MILLIS {}, 2 MICROS {}, 3 NANOS {})})
//   RowGroup       1 columns list<ColumnChunk>, 2 total_byte_size i64, 3 num_rows i64,
//                  5 file_offset i64, 6 total_compressed_size i64, 7 ordinal i16
//   ColumnChunk    2 file_offset i64 (required though deprecated), 3 meta_data ColumnMetaData
//   ColumnMetaData 1 type, 2 encodings list<i32>, 3 path_in_schema list<string>, 4 codec,
//                  5 num_values i64, 6 total_uncompressed_size i64, 7 total_compressed_size i64,
//                  9 data_page_offset i64, 11 dictionary_page_offset i64, 12 statistics
//   Statistics     3 null_count i64, 5 max_value binary, 6 min_value binary
//   PageHeader     1 type, 2 uncompressed_page_size i32, 3 compressed_page_size i32,
//                  5 data_page_header {1 num_values i32, 2 encoding, 3 definition_level_encoding,
//                  4 repetition_level_encoding}, 7 dictionary_page_header {1 num_values i32,
//                  2 encoding}
//   ColumnOrder    union: 1 TYPE_ORDER {}   KeyValue  1 key string, 2 value string
//
// Enums: Type BOOLEAN 0, INT64 2, DOUBLE 5, BYTE_ARRAY 6; FieldRepetitionType REQUIRED 0,
// OPTIONAL 1; ConvertedType UTF8 0, TIMESTAMP_MICROS 10; Encoding PLAIN 0, RLE 3, RLE_DICTIONARY 8;
// CompressionCodec UNCOMPRESSED 0, ZSTD 6, LZ4_RAW 7; PageType DATA_PAGE 0, DICTIONARY_PAGE 2.

/// Parquet constants Tape uses.
enum Parquet {
    static let magic: [UInt8] = Array("PAR1".utf8)

    enum PhysicalType: Int32 { case boolean = 0, int64 = 2, double = 5, byteArray = 6 }
    enum Encoding: Int32 { case plain = 0, rle = 3, rleDictionary = 8 }
    enum CompressionCodec: Int32 { case uncompressed = 0, zstd = 6, lz4Raw = 7 }
    static let dataPage: Int32 = 0
    static let dictionaryPage: Int32 = 2
    static let required: Int32 = 0
    static let optional: Int32 = 1
    static let convertedUTF8: Int32 = 0
    static let convertedTimestampMicros: Int32 = 10
}

/// How timestamps are stored: INT64 with the TIMESTAMP logical type (isAdjustedToUTC) in this unit.
public enum ParquetTimestampUnit: String, Sendable, CaseIterable {
    /// Microseconds (what Spark 3 reads; nanoseconds are floored to microseconds).
    case micros
    /// Nanoseconds (exact; not readable by Spark 3).
    case nanos
}

/// A Tape column as a Parquet leaf.
struct ParquetColumnDescriptor {
    let column: ColumnDef
    let timestampUnit: ParquetTimestampUnit

    var physicalType: Parquet.PhysicalType {
        switch column.type {
        case .int64, .timestamp, .duration: return .int64
        case .float64: return .double
        case .bool: return .boolean
        case .string: return .byteArray
        }
    }

    /// The SchemaElement's fields.
    func encodeSchemaElement(_ w: inout ThriftCompactWriter) {
        w.i32(1, physicalType.rawValue)
        w.i32(3, column.nullable ? Parquet.optional : Parquet.required)
        w.string(4, column.name)
        switch column.type {
        case .string:
            w.i32(6, Parquet.convertedUTF8)  // beside the logical type, or DuckDB reads BLOB
            w.structField(10) { $0.structField(1) { _ in } }
        case .timestamp:
            if timestampUnit == .micros { w.i32(6, Parquet.convertedTimestampMicros) }
            w.structField(10) { lt in
                lt.structField(8) { ts in
                    ts.bool(1, true)
                    ts.structField(2) { unit in unit.structField(timestampUnit == .micros ? 2 : 3) { _ in } }
                }
            }
        default:
            break
        }
    }
}

/// What the footer records about one column chunk.
struct ParquetColumnChunkMeta {
    var physicalType: Parquet.PhysicalType
    var path: String
    var codec: Parquet.CompressionCodec
    var encodings: [Parquet.Encoding]
    var numValues: Int64
    var uncompressedSize: Int64
    var compressedSize: Int64
    var dataPageOffset: Int64
    /// Offset of the chunk's dictionary page, when it has one (before its data pages).
    var dictionaryPageOffset: Int64?
    var nullCount: Int64
    /// PLAIN encodings of the smallest and largest non-null value (nil when all null).
    var minValue: [UInt8]?
    var maxValue: [UInt8]?

    func encodeColumnChunk(_ w: inout ThriftCompactWriter) {
        w.i64(2, dictionaryPageOffset ?? dataPageOffset)
        w.structField(3) { m in
            m.i32(1, physicalType.rawValue)
            m.i32List(2, encodings.map(\.rawValue))
            m.stringList(3, [path])
            m.i32(4, codec.rawValue)
            m.i64(5, numValues)
            m.i64(6, uncompressedSize)
            m.i64(7, compressedSize)
            m.i64(9, dataPageOffset)
            if let dictionaryPageOffset { m.i64(11, dictionaryPageOffset) }
            m.structField(12) { s in
                s.i64(3, nullCount)
                if let maxValue { s.binary(5, maxValue) }
                if let minValue { s.binary(6, minValue) }
            }
        }
    }
}

/// What the footer records about one row group.
struct ParquetRowGroupMeta {
    var columns: [ParquetColumnChunkMeta]
    var numRows: Int64
    var fileOffset: Int64
    var ordinal: Int16

    func encode(_ w: inout ThriftCompactWriter) {
        w.structList(1, count: columns.count) { cw, i in columns[i].encodeColumnChunk(&cw) }
        w.i64(2, columns.reduce(0) { $0 + $1.uncompressedSize })  // required, though deprecated
        w.i64(3, numRows)
        w.i64(5, fileOffset)
        w.i64(6, columns.reduce(0) { $0 + $1.compressedSize })
        w.i32(7, Int32(ordinal))
    }
}

/// The footer's FileMetaData.
struct ParquetFileMeta {
    var columns: [ParquetColumnDescriptor]
    var rowGroups: [ParquetRowGroupMeta]
    var keyValues: [(key: String, value: String)]
    var createdBy: String

    func encode() -> [UInt8] {
        ThriftCompactWriter.encodeStruct { w in
            w.i32(1, 2)
            w.structList(2, count: columns.count + 1) { e, i in
                if i == 0 {
                    e.string(4, "schema")
                    e.i32(5, Int32(columns.count))
                } else {
                    columns[i - 1].encodeSchemaElement(&e)
                }
            }
            w.i64(3, rowGroups.reduce(0) { $0 + $1.numRows })
            w.structList(4, count: rowGroups.count) { g, i in rowGroups[i].encode(&g) }
            if !keyValues.isEmpty {
                w.structList(5, count: keyValues.count) { kv, i in
                    kv.string(1, keyValues[i].key)
                    kv.string(2, keyValues[i].value)
                }
            }
            w.string(6, createdBy)
            w.structList(7, count: columns.count) { o, _ in o.structField(1) { _ in } }
        }
    }
}

/// A page header: type, sizes, and the type-specific header (field `headerField`) by `body`.
private func encodePageHeader(type: Int32, uncompressed: Int, compressed: Int, headerField: Int16,
                              _ body: (inout ThriftCompactWriter) -> Void) -> [UInt8] {
    ThriftCompactWriter.encodeStruct { w in
        w.i32(1, type)
        w.i32(2, Int32(clamping: uncompressed))
        w.i32(3, Int32(clamping: compressed))
        w.structField(headerField, body)
    }
}

/// A data page (v1) header.
func encodeDataPageHeader(values: Int, encoding: Parquet.Encoding, uncompressed: Int, compressed: Int) -> [UInt8] {
    encodePageHeader(type: Parquet.dataPage, uncompressed: uncompressed, compressed: compressed, headerField: 5) { d in
        d.i32(1, Int32(clamping: values))
        d.i32(2, encoding.rawValue)
        d.i32(3, Parquet.Encoding.rle.rawValue)
        d.i32(4, Parquet.Encoding.rle.rawValue)
    }
}

/// A dictionary page header (entries PLAIN).
func encodeDictionaryPageHeader(entries: Int, uncompressed: Int, compressed: Int) -> [UInt8] {
    encodePageHeader(type: Parquet.dictionaryPage, uncompressed: uncompressed, compressed: compressed, headerField: 7) { d in
        d.i32(1, Int32(clamping: entries))
        d.i32(2, Parquet.Encoding.plain.rawValue)
    }
}
