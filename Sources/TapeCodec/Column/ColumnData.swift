import TapeFormat

/// The values of one column over a run of rows, in memory: what the writer buffers for a chunk and
/// what the reader decodes from a block.
///
/// Values are **spread**: there is one slot per row, and a null row's slot holds a placeholder
/// (0, 0.0, false, or string/dictionary index 0 / empty string) that must be ignored.
/// `validity == nil` means no row is null.
public struct ColumnData: Sendable, Equatable {
    public enum Storage: Sendable, Equatable {
        /// int64 and timestamp columns.
        case int64([Int64])
        case float64([Double])
        case bool([Bool])
        /// Plain strings, one per row.
        case strings(StringArray)
        /// Dictionary strings: `indices[row]` indexes `entries` (a null row's index is 0 and ignored;
        /// when every row is null `entries` may be empty).
        case dictionary(entries: StringArray, indices: [UInt32])
    }

    public var type: ColumnType
    public var storage: Storage
    /// One bit per row, 1 = valid; nil when no row is null.
    public var validity: Bitmap?

    public init(type: ColumnType, storage: Storage, validity: Bitmap? = nil) {
        self.type = type
        self.storage = storage
        self.validity = validity
    }

    /// Number of rows.
    public var count: Int {
        switch storage {
        case .int64(let v): return v.count
        case .float64(let v): return v.count
        case .bool(let v): return v.count
        case .strings(let s): return s.count
        case .dictionary(_, let idx): return idx.count
        }
    }

    /// Number of null rows.
    public var nullCount: Int { validity.map { count - $0.popCount } ?? 0 }

    @inlinable public func isNull(_ row: Int) -> Bool { validity.map { !$0[row] } ?? false }

    /// Bytes of the string at `row` for string storage (0 for other storage).
    public func utf8Count(at row: Int) -> Int {
        switch storage {
        case .strings(let s): return s.range(row).count
        case .dictionary(let e, let idx): return e.count == 0 ? 0 : e.range(Int(idx[row])).count
        default: return 0
        }
    }

    /// String value of `row` for string storage (empty for other storage).
    public func string(at row: Int) -> String {
        switch storage {
        case .strings(let s): return s[row]
        case .dictionary(let e, let idx): return e.count == 0 ? "" : e[Int(idx[row])]
        default: return ""
        }
    }
}

/// A fixed-length bitmap, LSB-first within 64-bit words (the byte order on disk is LSB-first per
/// byte, which is the same bits on a little-endian machine).
public struct Bitmap: Sendable, Equatable {
    public var words: [UInt64]
    public private(set) var count: Int

    public init(count: Int, value: Bool) {
        self.count = count
        words = [UInt64](repeating: value ? ~0 : 0, count: (count + 63) / 64)
        clearTail()
    }

    public init() {
        words = []
        count = 0
    }

    @inlinable public subscript(i: Int) -> Bool {
        get { words[i >> 6] & (1 << UInt64(i & 63)) != 0 }
        set {
            if newValue { words[i >> 6] |= 1 << UInt64(i & 63) } else { words[i >> 6] &= ~(1 << UInt64(i & 63)) }
        }
    }

    public mutating func append(_ bit: Bool) {
        if count & 63 == 0 { words.append(0) }
        if bit { words[count >> 6] |= 1 << UInt64(count & 63) }
        count += 1
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        words.removeAll(keepingCapacity: keepingCapacity)
        count = 0
    }

    /// Number of set bits.
    public var popCount: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Number of set bits among bits `range`.
    public func popCount(in range: Range<Int>) -> Int {
        var total = 0
        var i = range.lowerBound
        while i < range.upperBound {
            let bit = i & 63, n = min(64 - bit, range.upperBound - i)
            var word = words[i >> 6] >> UInt64(bit)
            if n < 64 { word &= (1 << UInt64(n)) - 1 }
            total += word.nonzeroBitCount
            i += n
        }
        return total
    }

    /// Appends the low `n` bits of `bits` (1 ≤ n ≤ 64; the bits above `n` must be 0).
    @inline(__always) private mutating func appendBits(_ bits: UInt64, count n: Int) {
        let bit = count & 63
        if bit == 0 { words.append(bits) } else {
            words[words.count - 1] |= bits << UInt64(bit)
            if bit + n > 64 { words.append(bits >> UInt64(64 - bit)) }
        }
        count += n
    }

    /// Appends bits `range` of `other`, up to 64 at a time.
    public mutating func append(contentsOf other: Bitmap, range: Range<Int>) {
        words.reserveCapacity((count + range.count + 63) / 64)
        var i = range.lowerBound
        while i < range.upperBound {
            let bit = i & 63, n = min(64 - bit, range.upperBound - i)
            var word = other.words[i >> 6] >> UInt64(bit)
            if n < 64 { word &= (1 << UInt64(n)) - 1 }
            appendBits(word, count: n)
            i += n
        }
    }

    /// Appends `n` copies of `bit`.
    public mutating func append(repeating bit: Bool, count n: Int) {
        var left = n
        while left > 0 {
            let k = min(64, left)
            appendBits(bit ? (k == 64 ? ~0 : (1 << UInt64(k)) - 1) : 0, count: k)
            left -= k
        }
    }

    /// The `ceil(count / 8)` bytes of the on-disk form.
    public func encode(into w: inout ByteWriter) {
        let n = (count + 7) / 8
        w.append(zeroedCount: n) { out in
            words.withUnsafeBytes { src in
                out.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[0..<n]))
            }
        }
    }

    /// Reads `count` bits from `ceil(count / 8)` bytes (bits past `count` are ignored).
    public init(decoding bytes: UnsafeRawBufferPointer, count: Int) {
        precondition(bytes.count >= (count + 7) / 8)
        self.count = count
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
        let n = (count + 7) / 8
        words.withUnsafeMutableBytes { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<n]))
        }
        clearTail()
    }

    private mutating func clearTail() {
        let r = count & 63
        if r != 0 { words[words.count - 1] &= (1 << UInt64(r)) - 1 }
    }
}
