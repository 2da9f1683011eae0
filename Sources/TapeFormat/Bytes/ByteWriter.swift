/// A growable little-endian byte buffer used to build every on-disk structure.
///
/// Appends never fail; the buffer can be reused across blocks with `removeAll(keepingCapacity:)`.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8]

    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Number of bytes written so far.
    @inlinable public var count: Int { bytes.count }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
    }

    public mutating func reserveCapacity(_ n: Int) { bytes.reserveCapacity(n) }

    @inlinable public mutating func writeU8(_ v: UInt8) { bytes.append(v) }

    @inlinable public mutating func writeU16(_ v: UInt16) { writeFixed(v.littleEndian) }
    @inlinable public mutating func writeU32(_ v: UInt32) { writeFixed(v.littleEndian) }
    @inlinable public mutating func writeU64(_ v: UInt64) { writeFixed(v.littleEndian) }
    @inlinable public mutating func writeI64(_ v: Int64) { writeFixed(v.littleEndian) }

    @inlinable mutating func writeFixed<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) }
    }

    /// Appends `v` as unsigned LEB128 (1 to 10 bytes).
    @inlinable public mutating func writeVarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Appends a signed value as zigzag LEB128.
    @inlinable public mutating func writeSignedVarint(_ v: Int64) {
        writeVarint(ZigZag.encode(v))
    }

    /// Appends a varint length followed by the string's UTF-8 bytes.
    public mutating func writeString(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    @inlinable public mutating func writeBytes<C: Collection>(_ c: C) where C.Element == UInt8 {
        bytes.append(contentsOf: c)
    }

    public mutating func writeBytes(_ buffer: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: buffer)
    }

    /// Overwrites 4 bytes at `position` (which must already be written) with `v` little-endian.
    public mutating func patchU32(_ v: UInt32, at position: Int) {
        precondition(position >= 0 && position + 4 <= bytes.count, "patch outside written bytes")
        withUnsafeBytes(of: v.littleEndian) { src in
            for i in 0..<4 { bytes[position + i] = src[i] }
        }
    }

    /// Overwrites 8 bytes at `position` (which must already be written) with `v` little-endian.
    public mutating func patchU64(_ v: UInt64, at position: Int) {
        precondition(position >= 0 && position + 8 <= bytes.count, "patch outside written bytes")
        withUnsafeBytes(of: v.littleEndian) { src in
            for i in 0..<8 { bytes[position + i] = src[i] }
        }
    }

    /// Appends `n` uninitialised-then-zeroed bytes and lets `body` fill them through a pointer.
    public mutating func append(zeroedCount n: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: n))
        bytes.withUnsafeMutableBytes { all in
            body(UnsafeMutableRawBufferPointer(rebasing: all[start..<(start + n)]))
        }
    }
}

/// Zigzag mapping between signed and unsigned 64-bit integers: 0, -1, 1, -2, ... → 0, 1, 2, 3, ...
public enum ZigZag {
    @inlinable public static func encode(_ v: Int64) -> UInt64 {
        UInt64(bitPattern: (v << 1) ^ (v >> 63))
    }
    @inlinable public static func decode(_ u: UInt64) -> Int64 {
        Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }
}
