import TapeCodec
#if canImport(Glibc)
import Glibc
#endif

/// A hash set of distinct byte strings assigning each a dense index in insertion order, keyed by
/// the raw UTF-8 bytes so that no `String` is created or hashed on the write path.
///
/// Open addressing with linear probing over a power-of-two table kept at most half full; slots
/// hold `entry index + 1` (0 = empty). Entries live packed in a `StringArray`.
struct ByteDictionary {
    private(set) var entries = StringArray()
    private var slots: [UInt32] = [UInt32](repeating: 0, count: 64)
    private var hashes: [UInt64] = []

    var count: Int { entries.count }

    /// The index of `bytes`, inserting it when new and fewer than `limit` entries exist.
    /// Returns nil when the bytes are new and the dictionary is full.
    mutating func index(of bytes: UnsafeRawBufferPointer, limit: Int) -> UInt32? {
        let h = Self.hash(bytes)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            let e = Int(s - 1)
            if hashes[e] == h && entries.withUTF8(e, { Self.equal($0, bytes) }) { return UInt32(e) }
            i = (i + 1) & mask
        }
        guard entries.count < limit else { return nil }
        let e = entries.count
        entries.append(utf8: bytes)
        hashes.append(h)
        slots[i] = UInt32(e + 1)
        if entries.count * 2 > slots.count { grow() }
        return UInt32(e)
    }

    /// Empties the dictionary, keeping its capacity.
    mutating func removeAll() {
        entries.removeAll()
        hashes.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
    }

    /// Hands the entries out (for a chunk) and starts empty.
    mutating func takeEntries() -> StringArray {
        let e = entries
        entries = StringArray()
        hashes.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
        return e
    }

    private mutating func grow() {
        var bigger = [UInt32](repeating: 0, count: slots.count * 2)
        let mask = bigger.count - 1
        for (e, h) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: h) & mask
            while bigger[i] != 0 { i = (i + 1) & mask }
            bigger[i] = UInt32(e + 1)
        }
        slots = bigger
    }

    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    /// 64-bit hash of bytes: 8 bytes at a time, multiply-xorshift mixing.
    static func hash(_ b: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(b.count)
        var i = 0
        while i + 8 <= b.count {
            h = (h ^ b.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < b.count {
            tail |= UInt64(b[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}
