import TapeFormat

/// A fixed-length bitmap, LSB-first within 64-bit words (the byte order on disk is LSB-first per
/// byte, which is the same bits on a little-endian machine): Apache Arrow's validity and boolean
/// layout, so `words` can be handed to Arrow as a buffer as it is.
///
/// Used for validity (1 = valid) and for BOOLEAN values (1 = true).
/// Invariant: bits past `count` in the last word are 0 (so `==`, `popCount` and word-wise
/// operations need no masking); code writing `words` directly must keep it.
public struct Bitmap: Sendable, Equatable, RandomAccessCollection, MutableCollection, ExpressibleByArrayLiteral {
    public var words: [UInt64]
    public private(set) var count: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    /// A bitmap over `words` (at least `ceil(count / 64)` of them; extra words and bits past
    /// `count` are dropped).
    public init(words: [UInt64], count: Int) {
        precondition(count >= 0 && words.count * 64 >= count)
        self.words = words
        self.count = count
        let n = (count + 63) / 64
        if self.words.count > n { self.words.removeLast(self.words.count - n) }
        clearTail()
    }

    /// Bit `i` = `bit(i)` for every `i` in `0..<count`, packed 64 at a time (the kernels' way to
    /// build a BOOLEAN result without an intermediate `[Bool]`).
    @inlinable public init(count: Int, bits bit: (Int) throws -> Bool) rethrows {
        let n = (count + 63) / 64
        let words = try [UInt64](unsafeUninitializedCapacity: n) { out, made in
            var base = 0
            for w in 0..<n {
                let k = Swift.min(64, count - base)
                var word: UInt64 = 0
                for j in 0..<k where try bit(base + j) { word |= 1 &<< UInt64(j) }
                out[w] = word
                base += 64
            }
            made = n
        }
        self.init(words: words, count: count)
    }

    public init(arrayLiteral elements: Bool...) { self.init(elements) }

    /// The bits of `values` in order.
    public init(_ values: some Sequence<Bool>) {
        self.init()
        for v in values { append(v) }
    }

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
            let bit = i & 63, n = Swift.min(64 - bit, range.upperBound - i)
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
            let bit = i & 63, n = Swift.min(64 - bit, range.upperBound - i)
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
            let k = Swift.min(64, left)
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

    /// Keeps the first `n` bits (REQUIRES: `0 <= n <= count`).
    public mutating func truncate(to n: Int) {
        precondition(n >= 0 && n <= count)
        words.removeLast(words.count - (n + 63) / 64)
        count = n
        clearTail()
    }

    /// Appends all bits of `other`.
    public mutating func append(contentsOf other: Bitmap) {
        append(contentsOf: other, range: 0..<other.count)
    }

    private mutating func clearTail() {
        let r = count & 63
        if r != 0 { words[words.count - 1] &= (1 << UInt64(r)) - 1 }
    }
}

// MARK: - Word-wise operations

extension Bitmap {
    /// Combines two bitmaps of one length word by word.
    @inlinable public func combined(with other: Bitmap, _ f: (UInt64, UInt64) -> UInt64) -> Bitmap {
        precondition(count == other.count, "bitmaps of \(count) and \(other.count) bits")
        let out = words.withUnsafeBufferPointer { a in
            other.words.withUnsafeBufferPointer { b in
                [UInt64](unsafeUninitializedCapacity: a.count) { o, n in
                    for w in 0..<a.count { o[w] = f(a[w], b[w]) }
                    n = a.count
                }
            }
        }
        return Bitmap(words: out, count: count)
    }

    /// Bitwise AND (both bitmaps have the same count).
    public static func & (a: Bitmap, b: Bitmap) -> Bitmap { a.combined(with: b, &) }

    /// Bitwise OR (both bitmaps have the same count).
    public static func | (a: Bitmap, b: Bitmap) -> Bitmap { a.combined(with: b, |) }

    /// Every bit flipped (bits past `count` stay 0).
    public static prefix func ~ (a: Bitmap) -> Bitmap { Bitmap(words: a.words.map { ~$0 }, count: a.count) }

    /// Whether every bit is set.
    public var allSet: Bool { popCount == count }

    /// The bits at `rows`, in that order.
    public func gather(_ rows: [Int32]) -> Bitmap {
        rows.withUnsafeBufferPointer { r in
            words.withUnsafeBufferPointer { w in
                Bitmap(count: r.count) { i in
                    let k = Int(r[i])
                    return w[k >> 6] & (1 &<< UInt64(k & 63)) != 0
                }
            }
        }
    }

    /// The positions of the set bits, ascending (a filter's selection).
    public func setIndices() -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(popCount)
        for (w, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                out.append(Int32(truncatingIfNeeded: w << 6 | bits.trailingZeroBitCount))
                bits &= bits &- 1
            }
        }
        return out
    }

    /// The bits at the positions set in `mask`, packed densely (mask.popCount bits): the non-null
    /// values of a BOOLEAN column, as stored on disk.
    /// REQUIRES: `mask.count == count`.
    public func compacted(by mask: Bitmap) -> Bitmap {
        precondition(mask.count == count)
        var out = Bitmap()
        out.words.reserveCapacity((mask.popCount + 63) / 64)
        for (w, m) in mask.words.enumerated() {
            var bits = m
            while bits != 0 {
                let j = bits.trailingZeroBitCount
                out.append(words[w] & (1 &<< UInt64(j)) != 0)
                bits &= bits &- 1
            }
        }
        return out
    }

    /// The inverse of `compacted(by:)`: `mask.count` bits where the k-th set bit of `mask` gets
    /// bit k of `self` and every other bit is 0 (the spread form of a decoded BOOLEAN column).
    /// REQUIRES: `count == mask.popCount`.
    public func spread(by mask: Bitmap) -> Bitmap {
        precondition(count == mask.popCount)
        var out = Bitmap(count: mask.count, value: false)
        var k = 0
        for (w, m) in mask.words.enumerated() {
            var bits = m, word: UInt64 = 0
            while bits != 0 {
                let j = bits.trailingZeroBitCount
                if words[k >> 6] & (1 &<< UInt64(k & 63)) != 0 { word |= 1 &<< UInt64(j) }
                k += 1
                bits &= bits &- 1
            }
            out.words[w] = word
        }
        return out
    }
}
