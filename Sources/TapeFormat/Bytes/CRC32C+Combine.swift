/// CRC-32C is linear over GF(2), so the checksum of a stretch of bytes follows from running
/// checksums taken before and after it, without reading it again (zlib's `crc32_combine`, for the
/// Castagnoli polynomial):
///
///     checksum(a ++ b) == shifted(checksum(a), by: b.count) ^ checksum(b)
///
/// hence `checksum(b) == range(before: checksum(a), after: checksum(a ++ b), length: b.count)`.
/// Used to check the CRC of many overlapping candidate frames in one pass over a file.
extension CRC32C {
    /// `crc` times x^(8·length) modulo the polynomial: what a checksum becomes when `length` more
    /// bytes are appended, minus the checksum of those bytes. O(log length).
    public static func shifted(_ crc: UInt32, by length: Int) -> UInt32 {
        precondition(length >= 0, "a length is never negative")
        var p: UInt32 = 1 << 31   // x^0
        var n = UInt64(length)
        var k = 3                 // x^(8n) = x^(n·2^3)
        while n != 0 {
            if n & 1 != 0 { p = multiply(powersOfX[k & 63], p) }
            n >>= 1
            k += 1
        }
        return multiply(p, crc)
    }

    /// The checksum of the `length` bytes between two running checksums of one stream: `before`
    /// covers the bytes up to their start, `after` the same bytes and them.
    public static func range(before: UInt32, after: UInt32, length: Int) -> UInt32 {
        after ^ shifted(before, by: length)
    }

    /// x^(2^k) modulo the polynomial, k = 0 ..< 64 (reflected bit order: x^0 is bit 31).
    static let powersOfX: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 64)
        var p: UInt32 = 1 << 30   // x^1
        for k in 0..<64 {
            table[k] = p
            p = multiply(p, p)
        }
        return table
    }()

    /// a·b modulo the reflected polynomial 0x82F63B78. REQUIRES: `a` is not zero.
    static func multiply(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var m: UInt32 = 1 << 31, p: UInt32 = 0, b = b
        while true {
            if a & m != 0 {
                p ^= b
                if a & (m - 1) == 0 { break }
            }
            m >>= 1
            b = b & 1 != 0 ? (b >> 1) ^ 0x82F6_3B78 : b >> 1
        }
        return p
    }
}
