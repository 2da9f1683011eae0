/// A bounds-checked reader of FlatBuffers tables (flatbuffers.dev, "Internals"), the counterpart
/// of `FlatBufferWriter` for the Arrow IPC metadata Tape reads.
///
/// Byte grammar (all little-endian, positions relative to the buffer start):
///   buffer  = root:uoffset32 ...
///   table   = soffset32 (table position - vtable position), fields at the offsets the vtable gives
///   vtable  = u16 vtable bytes, u16 table bytes, u16 field offset per field id (0 or missing = absent)
///   string  = u32 byte count, UTF-8 bytes (NUL not required)
///   vector  = u32 count, elements (uoffset32 each, or inline structs)
///
/// Every position is checked against the buffer before it is read, so a lying offset or count
/// gives an `ArrowImportError` naming `what`, never a read outside the buffer. Reading follows no
/// cycles: callers only go down a fixed schema.
struct FlatBufferTable {
    let buffer: UnsafeRawBufferPointer
    /// Position of the table (its soffset32).
    let position: Int
    private let vtable: Int
    private let vtableBytes: Int
    private let tableBytes: Int
    /// What the table is, for errors ("the Message", "field 3 of the Schema").
    let what: String

    /// The root table of `buffer`.
    static func root(of buffer: UnsafeRawBufferPointer, what: String) throws(ArrowImportError) -> FlatBufferTable {
        guard buffer.count >= 4 else { throw .invalid("\(what): flatbuffer of \(buffer.count) bytes has no root offset") }
        return try FlatBufferTable(buffer, at: Int(load(UInt32.self, buffer, 0)), what: what)
    }

    init(_ buffer: UnsafeRawBufferPointer, at position: Int, what: String) throws(ArrowImportError) {
        self.buffer = buffer
        self.position = position
        self.what = what
        guard position >= 0, position <= buffer.count - 4 else { throw .invalid("\(what): table offset \(position) is outside the \(buffer.count)-byte flatbuffer") }
        let vtable = position - Int(Self.load(Int32.self, buffer, position))
        guard vtable >= 0, vtable <= buffer.count - 4 else { throw .invalid("\(what): vtable offset \(vtable) is outside the \(buffer.count)-byte flatbuffer") }
        vtableBytes = Int(Self.load(UInt16.self, buffer, vtable))
        tableBytes = Int(Self.load(UInt16.self, buffer, vtable + 2))
        guard vtableBytes >= 4, vtableBytes % 2 == 0, vtable + vtableBytes <= buffer.count,
              tableBytes >= 4, position + tableBytes <= buffer.count else {
            throw .invalid("\(what): vtable (\(vtableBytes) bytes) or table (\(tableBytes) bytes) runs past the \(buffer.count)-byte flatbuffer")
        }
        self.vtable = vtable
    }

    private static func load<T: FixedWidthInteger>(_ type: T.Type, _ buffer: UnsafeRawBufferPointer, _ at: Int) -> T {
        T(littleEndian: buffer.loadUnaligned(fromByteOffset: at, as: T.self))
    }

    /// The position of field `id` when present, checked to hold `width` bytes inside the table.
    private func field(_ id: Int, width: Int) throws(ArrowImportError) -> Int? {
        let slot = 4 + 2 * id
        guard slot + 2 <= vtableBytes else { return nil }
        let offset = Int(Self.load(UInt16.self, buffer, vtable + slot))
        guard offset != 0 else { return nil }
        guard offset >= 4, offset + width <= tableBytes else { throw .invalid("\(what): field \(id) at \(offset) runs past its \(tableBytes)-byte table") }
        return position + offset
    }

    /// Scalar field `id`, or `defaultValue` when absent (FlatBuffers omits default values).
    func scalar<T: FixedWidthInteger>(_ id: Int, default defaultValue: T) throws(ArrowImportError) -> T {
        guard let at = try field(id, width: MemoryLayout<T>.size) else { return defaultValue }
        return Self.load(T.self, buffer, at)
    }

    func bool(_ id: Int, default defaultValue: Bool = false) throws(ArrowImportError) -> Bool {
        try scalar(id, default: UInt8(defaultValue ? 1 : 0)) != 0
    }

    /// The target of the uoffset32 in field `id`, checked to lie inside the buffer.
    private func reference(_ id: Int) throws(ArrowImportError) -> Int? {
        guard let at = try field(id, width: 4) else { return nil }
        let target = at + Int(Self.load(UInt32.self, buffer, at))
        guard target <= buffer.count - 4 else { throw .invalid("\(what): field \(id) points to \(target), outside the \(buffer.count)-byte flatbuffer") }
        return target
    }

    /// Table field `id`, nil when absent.
    func table(_ id: Int, what child: String) throws(ArrowImportError) -> FlatBufferTable? {
        guard let at = try reference(id) else { return nil }
        return try FlatBufferTable(buffer, at: at, what: "\(what), \(child)")
    }

    /// String field `id` (UTF-8, invalid sequences repaired), nil when absent.
    func string(_ id: Int) throws(ArrowImportError) -> String? {
        guard let (start, count) = try vector(id, elementBytes: 1) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start..<start + count]), as: UTF8.self)
    }

    /// Vector field `id`: the position of its first element and its count, checked to hold
    /// `count × elementBytes` bytes inside the buffer; nil when absent.
    func vector(_ id: Int, elementBytes: Int) throws(ArrowImportError) -> (start: Int, count: Int)? {
        guard let at = try reference(id) else { return nil }
        let count = Int(Self.load(UInt32.self, buffer, at))
        let start = at + 4
        guard count <= (buffer.count - start) / elementBytes else {
            throw .invalid("\(what): field \(id) claims \(count) elements, more than the \(buffer.count)-byte flatbuffer holds")
        }
        return (start, count)
    }

    /// The tables of vector field `id` (empty when absent).
    func tables(_ id: Int, what child: String) throws(ArrowImportError) -> [FlatBufferTable] {
        guard let (start, count) = try vector(id, elementBytes: 4) else { return [] }
        var out: [FlatBufferTable] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let at = start + 4 * i
            let target = at + Int(Self.load(UInt32.self, buffer, at))
            out.append(try FlatBufferTable(buffer, at: target, what: "\(what), \(child) \(i)"))
        }
        return out
    }

    /// The int64 at byte `offset` of element `i` of a vector of inline structs starting at `start`.
    func structInt64(start: Int, index: Int, structBytes: Int, offset: Int) -> Int64 {
        Self.load(Int64.self, buffer, start + index * structBytes + offset)
    }
}
