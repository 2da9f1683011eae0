#if canImport(Glibc)
import Glibc
#endif

/// A hash set of distinct byte strings assigning each a dense index in insertion order, keyed by
/// the raw UTF-8 bytes so that no `String` is created or hashed: the writer's dictionary encoding,
/// and the query engine's string keys (GROUP BY, join build, merged dictionaries, IN lists).
///
/// Open addressing with linear probing over a power-of-two table kept at most half full; slots
/// hold `entry index + 1` (0 = empty). Entries live packed in a `StringArray`.
public struct ByteDictionary: Sendable {
    public private(set) var entries = StringArray()
    private var slots: [UInt32] = [UInt32](repeating: 0, count: 64)
    private var hashes: [UInt64] = []

    public init() {}

    public var count: Int { entries.count }

    /// The index of `bytes`, inserting it when new and fewer than `limit` entries exist.
    /// Returns nil when the bytes are new and the dictionary is full: `limit` entries, or entries
    /// whose bytes would pass `StringArray.maxBytes`.
    public mutating func index(of bytes: UnsafeRawBufferPointer, limit: Int = Int(UInt32.max)) -> UInt32? {
        let h = Self.hash(bytes)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            let e = Int(s - 1)
            if hashes[e] == h && entries.withUTF8(e, { StringArray.equal($0, bytes) }) { return UInt32(e) }
            i = (i + 1) & mask
        }
        guard entries.count < limit else { return nil }
        let e = entries.count
        do { try entries.append(utf8: bytes) } catch { return nil }
        hashes.append(h)
        slots[i] = UInt32(e + 1)
        if entries.count * 2 > slots.count { grow() }
        return UInt32(e)
    }

    /// The index of `bytes`, or nil when they are not in the dictionary.
    public func firstIndex(of bytes: UnsafeRawBufferPointer) -> UInt32? {
        let h = Self.hash(bytes)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            let e = Int(s - 1)
            if hashes[e] == h && entries.withUTF8(e, { StringArray.equal($0, bytes) }) { return UInt32(e) }
            i = (i + 1) & mask
        }
    }

    /// The index of `s`'s UTF-8 bytes, inserting them when new; nil when the dictionary is full
    /// (its entries would pass `StringArray.maxBytes`).
    public mutating func index(of s: String) -> UInt32? {
        var s = s
        return s.withUTF8 { index(of: UnsafeRawBufferPointer($0)) }
    }

    /// The index of `s`'s UTF-8 bytes, or nil.
    public func firstIndex(of s: String) -> UInt32? {
        var s = s
        return s.withUTF8 { firstIndex(of: UnsafeRawBufferPointer($0)) }
    }

    /// Empties the dictionary, keeping its capacity.
    public mutating func removeAll() {
        entries.removeAll()
        hashes.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
    }

    /// Hands the entries out (for a chunk) and starts empty.
    public mutating func takeEntries() -> StringArray {
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

    /// 64-bit hash of bytes: 8 bytes at a time, multiply-xorshift mixing.
    public static func hash(_ b: UnsafeRawBufferPointer) -> UInt64 {
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
