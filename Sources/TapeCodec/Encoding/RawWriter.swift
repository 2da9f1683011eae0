/// A growable byte buffer over manually managed memory, for the encoders' hot loops.
///
/// Unlike `ByteWriter` it never zero-fills and lends out raw pointers: a caller `reserve`s an upper
/// bound, writes through `end`, then `advance`s. Owned (and freed) by one encoder; not copyable, so
/// the memory has exactly one owner.
struct RawWriter: ~Copyable {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Bytes written so far.
    private(set) var count: Int = 0

    init(capacity: Int = 4096) {
        self.capacity = Swift.max(capacity, 64)
        base = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// The bytes written so far (valid until the next write).
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
    /// Where the next byte goes.
    var end: UnsafeMutableRawPointer { base + count }

    mutating func removeAll() { count = 0 }

    /// Makes room for `additional` more bytes without moving `count`.
    mutating func reserve(_ additional: Int) {
        let need = count + additional
        if need <= capacity { return }
        var newCapacity = capacity * 2
        while newCapacity < need { newCapacity *= 2 }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Marks `n` bytes written through `end` as part of the buffer.
    /// REQUIRES: those bytes were reserved and initialised.
    mutating func advance(_ n: Int) {
        assert(n >= 0 && count + n <= capacity)
        count += n
    }

    /// Drops everything after the first `n` bytes.
    mutating func truncate(to n: Int) {
        assert(n >= 0 && n <= count)
        count = n
    }

    @inline(__always) mutating func writeU8(_ v: UInt8) {
        reserve(1)
        base.storeBytes(of: v, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always) mutating func writeU64(_ v: UInt64) {
        reserve(8)
        base.storeBytes(of: v.littleEndian, toByteOffset: count, as: UInt64.self)
        count += 8
    }

    @inline(__always) mutating func writeVarint(_ v: UInt64) {
        reserve(10)
        count += storeVarint(v, at: base + count)
    }

    @inline(__always) mutating func writeSignedVarint(_ v: Int64) {
        writeVarint(ZigZagCoding.encode(v))
    }

    mutating func write(_ src: UnsafeRawBufferPointer) {
        guard let s = src.baseAddress, src.count > 0 else { return }
        reserve(src.count)
        (base + count).copyMemory(from: s, byteCount: src.count)
        count += src.count
    }
}

/// Zigzag mapping (format-spec §1), duplicated from TapeFormat's `ZigZag` so hot loops inline it.
enum ZigZagCoding {
    @inline(__always) static func encode(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    @inline(__always) static func decode(_ u: UInt64) -> Int64 { Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1))) }
}

/// Stores `v` as LEB128 at `p` and returns the byte count (1...10).
/// REQUIRES: 10 writable bytes at `p`.
@inline(__always) func storeVarint(_ v: UInt64, at p: UnsafeMutableRawPointer) -> Int {
    var v = v
    var i = 0
    while v >= 0x80 {
        p.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: i, as: UInt8.self)
        v >>= 7
        i += 1
    }
    p.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: i, as: UInt8.self)
    return i + 1
}

/// Bytes of the LEB128 form of `v`.
@inline(__always) func varintSize(_ v: UInt64) -> Int {
    let bits = 64 - (v | 1).leadingZeroBitCount
    return (bits + 6) / 7
}
