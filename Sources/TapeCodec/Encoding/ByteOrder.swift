#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unsigned byte-wise ordering of strings (format-spec §3.2: strings compare by unsigned bytes).
enum ByteOrder {
    /// memcmp order, then shorter first: < 0, 0 or > 0.
    @inline(__always) static func compare(_ a: UnsafeRawPointer, _ na: Int, _ b: UnsafeRawPointer, _ nb: Int) -> Int {
        let n = min(na, nb)
        if n >= 8 {  // most strings differ in their first 8 bytes: compare them as a big-endian word
            let wa = UInt64(bigEndian: a.loadUnaligned(as: UInt64.self))
            let wb = UInt64(bigEndian: b.loadUnaligned(as: UInt64.self))
            if wa != wb { return wa < wb ? -1 : 1 }
        }
        if n > 0 {
            let c = memcmp(a, b, n)
            if c != 0 { return Int(c) }
        }
        return na - nb
    }
}
