/// A FlatBuffers encoder (flatbuffers.dev, "Internals") for the few tables Arrow IPC messages need,
/// laid out front to back: the root `uoffset` first, then each object after the object that refers
/// to it, so every `uoffset` points forward as the format requires.
///
/// Byte grammar (all little-endian):
///   buffer   = root:uoffset32 object*
///   table    = vtable (u16 vtable bytes, u16 table bytes, u16 field offset per field, 0 = absent)
///              padding to 8, soffset32 (table position - vtable position), fields at their offsets
///   string   = u32 byte count, UTF-8 bytes, NUL
///   vector   = u32 count, elements (uoffset32 each, or inline structs aligned to their alignment)
/// Every scalar is aligned to its size relative to the buffer start; the buffer is padded to 8.
public indirect enum FlatBufferValue: Sendable {
    /// Fields by id; nil = absent.
    case table([FlatBufferField?])
    case string(String)
    /// A vector of tables or strings.
    case vector([FlatBufferValue])
    /// A vector of `count` inline structs of `bytes.count / count` bytes each, aligned to `alignment`.
    case structs(bytes: [UInt8], count: Int, alignment: Int)
}

/// One field of a table.
public enum FlatBufferField: Sendable {
    /// An inline scalar's little-endian bytes (its size is its alignment).
    case scalar([UInt8])
    /// A reference to a table, string or vector.
    case object(FlatBufferValue)

    public static func int8(_ v: UInt8) -> FlatBufferField { .scalar([v]) }
    public static func bool(_ v: Bool) -> FlatBufferField { .scalar([v ? 1 : 0]) }
    public static func int16(_ v: Int16) -> FlatBufferField { .scalar(littleEndian(v)) }
    public static func int32(_ v: Int32) -> FlatBufferField { .scalar(littleEndian(v)) }
    public static func int64(_ v: Int64) -> FlatBufferField { .scalar(littleEndian(v)) }
}

/// The little-endian bytes of `v`.
public func littleEndian<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
    withUnsafeBytes(of: v.littleEndian) { Array($0) }
}

public enum FlatBufferWriter {
    /// `root` encoded as a whole flatbuffer, padded to a multiple of 8 bytes.
    public static func encode(_ root: FlatBufferValue) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0, 0]
        var pending: [(slot: Int, value: FlatBufferValue)] = [(0, root)]
        var next = 0
        while next < pending.count {
            let (slot, value) = pending[next]
            next += 1
            let position = emit(value, into: &out, pending: &pending)
            patch(&out, at: slot, UInt32(position - slot))
        }
        pad(&out, to: 8)
        return out
    }

    private static func pad(_ out: inout [UInt8], to alignment: Int) {
        while out.count % alignment != 0 { out.append(0) }
    }

    private static func patch(_ out: inout [UInt8], at position: Int, _ v: UInt32) {
        for (i, b) in littleEndian(v).enumerated() { out[position + i] = b }
    }

    /// Appends `value` and returns its position (what a uoffset to it points at).
    private static func emit(_ value: FlatBufferValue, into out: inout [UInt8],
                             pending: inout [(slot: Int, value: FlatBufferValue)]) -> Int {
        switch value {
        case .string(let s):
            pad(&out, to: 4)
            let position = out.count
            out += littleEndian(UInt32(s.utf8.count))
            out += Array(s.utf8)
            out.append(0)
            return position
        case .vector(let items):
            pad(&out, to: 4)
            let position = out.count
            out += littleEndian(UInt32(items.count))
            for item in items {
                pending.append((out.count, item))
                out += [0, 0, 0, 0]
            }
            return position
        case .structs(let bytes, let count, let alignment):
            while (out.count + 4) % alignment != 0 { out.append(0) }
            let position = out.count
            out += littleEndian(UInt32(count))
            out += bytes
            return position
        case .table(let fields):
            // Layout of the table's inline part, relative to its (8-aligned) start.
            var offsets = [Int](repeating: 0, count: fields.count)
            var size = 4
            for (i, f) in fields.enumerated() {
                guard let f else { continue }
                let width: Int
                switch f {
                case .scalar(let b): width = b.count
                case .object: width = 4
                }
                size = (size + width - 1) / width * width
                offsets[i] = size
                size += width
            }
            pad(&out, to: 2)
            let vtable = out.count
            out += littleEndian(UInt16(4 + 2 * fields.count))
            out += littleEndian(UInt16(size))
            for o in offsets { out += littleEndian(UInt16(o)) }
            pad(&out, to: 8)
            let table = out.count
            out += littleEndian(Int32(table - vtable))
            out += [UInt8](repeating: 0, count: size - 4)
            for (i, f) in fields.enumerated() {
                guard let f else { continue }
                switch f {
                case .scalar(let b): for (j, byte) in b.enumerated() { out[table + offsets[i] + j] = byte }
                case .object(let child): pending.append((table + offsets[i], child))
                }
            }
            return table
        }
    }
}
