#if canImport(Glibc)
import Glibc
#endif

/// A packed array of UTF-8 strings: all bytes back to back plus `count + 1` end offsets — the
/// layout of an Apache Arrow `utf8` array's offsets and data buffers.
///
/// No per-string allocation; `offsets[i]..<offsets[i+1]` are the bytes of string `i`. Both buffers
/// are copy-on-write arrays, so handing a column's strings from the decoder to the query engine
/// and on to output copies nothing.
public struct StringArray: Sendable, Equatable {
    public var bytes: [UInt8]
    /// `count + 1` offsets, `offsets[0] == 0`, non-decreasing.
    public var offsets: [UInt32]

    public init() {
        bytes = []
        offsets = [0]
    }

    public init(bytes: [UInt8], offsets: [UInt32]) {
        self.bytes = bytes
        self.offsets = offsets
    }

    public init<S: Sequence>(_ strings: S) where S.Element == String {
        self.init()
        for s in strings { append(s) }
    }

    @inlinable public var count: Int { offsets.count - 1 }

    public mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
        precondition(bytes.count <= Int(UInt32.max), "string data of one column exceeds 4 GiB")
        offsets.append(UInt32(truncatingIfNeeded: bytes.count))
    }

    /// REQUIRES: the array's bytes stay below 4 GiB (offsets are 32-bit, as Arrow's `utf8`).
    public mutating func append(utf8 buffer: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: buffer)
        precondition(bytes.count <= Int(UInt32.max), "string data of one column exceeds 4 GiB")
        offsets.append(UInt32(truncatingIfNeeded: bytes.count))
    }

    /// Appends one string whose bytes `build` appends to the byte buffer (valid UTF-8 expected).
    public mutating func appendString(_ build: (inout [UInt8]) -> Void) {
        build(&bytes)
        precondition(bytes.count <= Int(UInt32.max), "string data of one column exceeds 4 GiB")
        offsets.append(UInt32(truncatingIfNeeded: bytes.count))
    }

    /// Appends string `i` of `other`.
    public mutating func append(_ other: StringArray, _ i: Int) {
        other.withUTF8(i) { append(utf8: $0) }
    }

    /// Appends every string of `other`.
    public mutating func append(contentsOf other: StringArray) {
        let base = UInt32(truncatingIfNeeded: bytes.count)
        bytes.append(contentsOf: other.bytes)
        precondition(bytes.count <= Int(UInt32.max), "string data of one column exceeds 4 GiB")
        offsets.reserveCapacity(offsets.count + other.count)
        for o in other.offsets.dropFirst() { offsets.append(base + o) }
    }

    /// The strings at `rows`, in that order.
    public func gather(_ rows: [Int32]) -> StringArray {
        var out = StringArray()
        out.offsets.reserveCapacity(rows.count + 1)
        bytes.withUnsafeBytes { all in
            for r in rows { out.append(utf8: UnsafeRawBufferPointer(rebasing: all[range(Int(r))])) }
        }
        return out
    }

    /// Approximate bytes held (for memory budgets).
    public var approximateBytes: Int { bytes.count + offsets.count * 4 }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
        offsets.removeAll(keepingCapacity: keepingCapacity)
        offsets.append(0)
    }

    /// Byte range of string `i`.
    @inlinable public func range(_ i: Int) -> Range<Int> { Int(offsets[i])..<Int(offsets[i + 1]) }

    /// String `i` (validated as UTF-8 on write, so decoding repairs nothing in practice).
    public subscript(i: Int) -> String {
        let r = range(i)
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[r]), as: UTF8.self) }
    }

    /// -1/0/1: string `i` against string `j` of `other`, byte-wise (unsigned), as `compareBytes`.
    @inlinable public func compare(_ i: Int, _ other: StringArray, _ j: Int) -> Int {
        withUTF8(i) { x in other.withUTF8(j) { y in StringArray.compare(x, y) } }
    }

    /// -1/0/1: byte-wise (unsigned) order of two UTF-8 strings; a prefix comes first.
    @inlinable public static func compare(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Int {
        let n = Swift.min(x.count, y.count)
        let c = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
        if c != 0 { return c < 0 ? -1 : 1 }
        return x.count < y.count ? -1 : (x.count == y.count ? 0 : 1)
    }

    /// Whether two UTF-8 strings have the same bytes.
    @inlinable public static func equal(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Bool {
        x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
    }

    /// Calls `body` with the raw bytes of string `i`.
    @inlinable public func withUTF8<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let r = range(i)
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[r])) }
    }
}
