// The Thrift compact protocol, write side only, as Parquet's metadata uses it
// (github.com/apache/thrift doc/specs/thrift-compact-protocol.md):
//
//   field header := (delta << 4 | type)                 when 0 < delta = id - previous id <= 15
//                 | type, zigzag-varint(id)            otherwise
//   bool field   := header whose type is 1 (true) or 2 (false), no value byte
//   i32, i64     := zigzag varint                       (enums are i32)
//   binary       := varint(length), bytes               (strings are UTF-8 binary)
//   list         := (size << 4 | element type)          when size < 15
//                 | (0xF0 | element type), varint(size) otherwise; then the elements
//   struct       := fields..., 0x00 (stop); field ids restart from 0 inside every struct
//
// Types: 1 true, 2 false, 3 byte, 4 i16, 5 i32, 6 i64, 7 double, 8 binary, 9 list, 10 set, 11 map,
// 12 struct.

/// Appends Thrift compact-protocol structures to a byte array.
///
/// Write a struct's fields in increasing id order through the typed methods, nesting with
/// `structField` / `structList`; `encodeStruct` wraps a top-level struct (fields + stop).
struct ThriftCompactWriter {
    enum FieldType: UInt8 {
        case boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8
        case list = 9, set = 10, map = 11, structure = 12
    }

    private(set) var bytes: [UInt8] = []
    /// The previous field id of each open struct (innermost last).
    private var previousField: [Int16] = [0]

    /// The encoding of one top-level struct.
    static func encodeStruct(_ body: (inout ThriftCompactWriter) -> Void) -> [UInt8] {
        var w = ThriftCompactWriter()
        body(&w)
        w.stop()
        return w.bytes
    }

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func zigzag(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    private mutating func header(_ id: Int16, _ type: FieldType) {
        let delta = Int(id) - Int(previousField[previousField.count - 1])
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            zigzag(Int64(id))
        }
        previousField[previousField.count - 1] = id
    }

    mutating func stop() { bytes.append(0) }

    mutating func bool(_ id: Int16, _ v: Bool) { header(id, v ? .boolTrue : .boolFalse) }

    mutating func i32(_ id: Int16, _ v: Int32) {
        header(id, .i32)
        zigzag(Int64(v))
    }

    mutating func i64(_ id: Int16, _ v: Int64) {
        header(id, .i64)
        zigzag(v)
    }

    mutating func binary(_ id: Int16, _ v: [UInt8]) {
        header(id, .binary)
        rawBinary(v)
    }

    mutating func string(_ id: Int16, _ v: String) { binary(id, Array(v.utf8)) }

    private mutating func rawBinary(_ v: [UInt8]) {
        varint(UInt64(v.count))
        bytes.append(contentsOf: v)
    }

    private mutating func listHeader(_ id: Int16, count: Int, element: FieldType) {
        header(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | element.rawValue)
        } else {
            bytes.append(0xF0 | element.rawValue)
            varint(UInt64(count))
        }
    }

    mutating func i32List(_ id: Int16, _ values: [Int32]) {
        listHeader(id, count: values.count, element: .i32)
        for v in values { zigzag(Int64(v)) }
    }

    mutating func stringList(_ id: Int16, _ values: [String]) {
        listHeader(id, count: values.count, element: .binary)
        for v in values { rawBinary(Array(v.utf8)) }
    }

    /// A struct-typed field whose fields `body` writes.
    mutating func structField(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
        header(id, .structure)
        nested(body)
    }

    /// A list of `count` structs; `body(&writer, i)` writes the fields of element `i`.
    mutating func structList(_ id: Int16, count: Int, _ body: (inout ThriftCompactWriter, Int) -> Void) {
        listHeader(id, count: count, element: .structure)
        for i in 0..<count { nested { body(&$0, i) } }
    }

    private mutating func nested(_ body: (inout ThriftCompactWriter) -> Void) {
        previousField.append(0)
        body(&self)
        stop()
        previousField.removeLast()
    }
}
