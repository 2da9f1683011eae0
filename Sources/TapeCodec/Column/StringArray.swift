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

    /// The strings of `strings`; throws past `maxBytes`.
    public init<S: Sequence>(_ strings: S) throws(StringArrayOverflow) where S.Element == String {
        self.init()
        for s in strings { try append(s) }
    }

    /// One empty string (the placeholder entry of a dictionary whose rows are all NULL).
    public static let oneEmptyString = StringArray(bytes: [], offsets: [0, 0])

    /// An array of the one string `s` (a literal or a value taken from a string array: far below
    /// the 4 GiB an array addresses).
    public init(one s: String) {
        let bytes = Array(s.utf8)
        self.init(bytes: bytes, offsets: [0, UInt32(truncatingIfNeeded: bytes.count)])
    }

    @inlinable public var count: Int { offsets.count - 1 }

    /// Most UTF-8 bytes one array holds: its offsets are 32-bit, as Arrow's `utf8`.
    public static let maxBytes = Int(UInt32.max)

    /// The end offset of a string ending at byte `end` of an array, or `StringArrayOverflow` when
    /// `end` is past `limit` (`maxBytes`; tests pass a small limit instead of allocating 4 GiB).
    /// Every append checks its new end through this function before changing the array.
    @inlinable public static func endOffset(_ end: Int, limit: Int = maxBytes) throws(StringArrayOverflow) -> UInt32 {
        guard end <= limit, end <= maxBytes else { throw StringArrayOverflow(bytes: end, limit: Swift.min(limit, maxBytes)) }
        return UInt32(truncatingIfNeeded: end)
    }

    /// Appends the UTF-8 bytes of `s`; throws (leaving the array as it was) past `maxBytes`.
    public mutating func append(_ s: String) throws(StringArrayOverflow) {
        var s = s
        let end = try StringArray.endOffset(bytes.count + s.utf8.count)
        s.withUTF8 { bytes.append(contentsOf: $0) }
        offsets.append(end)
    }

    /// Appends one string's bytes; throws (leaving the array as it was) past `maxBytes`.
    public mutating func append(utf8 buffer: UnsafeRawBufferPointer) throws(StringArrayOverflow) {
        let end = try StringArray.endOffset(bytes.count + buffer.count)
        bytes.append(contentsOf: buffer)
        offsets.append(end)
    }

    /// Appends one string whose bytes `build` appends to the byte buffer (valid UTF-8 expected);
    /// throws past `maxBytes`, after taking the bytes back out.
    public mutating func appendString(_ build: (inout [UInt8]) -> Void) throws(StringArrayOverflow) {
        let start = bytes.count
        build(&bytes)
        do {
            offsets.append(try StringArray.endOffset(bytes.count))
        } catch {
            let end = bytes.count
            bytes.removeSubrange(start...)
            throw StringArrayOverflow(bytes: end, limit: error.limit)
        }
    }

    /// Appends an empty string (a null row's placeholder); never overflows.
    public mutating func appendEmpty() {
        offsets.append(UInt32(truncatingIfNeeded: bytes.count))
    }

    /// Appends string `i` of `other`.
    public mutating func append(_ other: StringArray, _ i: Int) throws(StringArrayOverflow) {
        let r = other.range(i)
        let end = try StringArray.endOffset(bytes.count + r.count)
        bytes.append(contentsOf: other.bytes[r])
        offsets.append(end)
    }

    /// Appends every string of `other`.
    public mutating func append(contentsOf other: StringArray) throws(StringArrayOverflow) {
        let base = UInt32(truncatingIfNeeded: bytes.count)
        _ = try StringArray.endOffset(bytes.count + other.bytes.count)
        bytes.append(contentsOf: other.bytes)
        offsets.reserveCapacity(offsets.count + other.count)
        for o in other.offsets.dropFirst() { offsets.append(base + o) }
    }

    /// The number of bytes the strings at `rows` hold together (no overflow: each is < 4 GiB
    /// and `rows.count` < 2^31).
    public func byteCount(of rows: [Int32]) -> Int {
        offsets.withUnsafeBufferPointer { o in
            var total = 0
            for r in rows { total += Int(o[Int(r) + 1] &- o[Int(r)]) }
            return total
        }
    }

    /// The strings at `rows`, in that order. REQUIRES: `byteCount(of: rows) <= limit` (callers
    /// holding more keep the rows as indices into this array: see `Vector.gather`).
    public func gather(_ rows: [Int32], limit: Int = maxBytes) throws(StringArrayOverflow) -> StringArray {
        let total = byteCount(of: rows)
        _ = try StringArray.endOffset(total, limit: limit)
        var out = StringArray()
        out.offsets.reserveCapacity(rows.count + 1)
        out.bytes.reserveCapacity(total)
        offsets.withUnsafeBufferPointer { o in
            bytes.withUnsafeBytes { all in
                for r in rows {
                    let lo = Int(o[Int(r)]), hi = Int(o[Int(r) + 1])
                    if hi > lo { out.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: all[lo..<hi])) }
                    out.offsets.append(UInt32(truncatingIfNeeded: out.bytes.count))
                }
            }
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

/// A string array would pass the 4 GiB its 32-bit offsets address (Arrow `utf8`).
public struct StringArrayOverflow: Error, CustomStringConvertible, Sendable, Equatable {
    /// The byte count the array would have reached.
    public let bytes: Int
    /// The bound it would have passed (`StringArray.maxBytes` outside tests).
    public let limit: Int

    public init(bytes: Int, limit: Int) {
        self.bytes = bytes
        self.limit = limit
    }

    public var description: String {
        "the strings of one column would hold \(bytes) bytes, more than the \(limit) that one string array addresses (32-bit offsets, as Arrow utf8)"
    }
}
