/// BYTE_STREAM_SPLIT (format-spec §5.3): eight streams of m bytes; stream b holds byte b (little-
/// endian order) of every value's IEEE-754 bit pattern; streams concatenated, stream 0 first.
///
/// The exponent and high mantissa bytes of similar doubles line up, which a codec then compresses.
enum ByteStreamSplit {
    /// Appends the split form of the bit patterns `bits`.
    static func encode(_ bits: UnsafeBufferPointer<UInt64>, into w: inout RawWriter) {
        let m = bits.count
        w.reserve(8 * m)
        let out = w.end
        for i in 0..<m {
            let u = bits[i]
            out.storeBytes(of: UInt8(truncatingIfNeeded: u), toByteOffset: i, as: UInt8.self)
            out.storeBytes(of: UInt8(truncatingIfNeeded: u >> 8), toByteOffset: m + i, as: UInt8.self)
            out.storeBytes(of: UInt8(truncatingIfNeeded: u >> 16), toByteOffset: 2 * m + i, as: UInt8.self)
            out.storeBytes(of: UInt8(truncatingIfNeeded: u >> 24), toByteOffset: 3 * m + i, as: UInt8.self)
            out.storeBytes(of: UInt8(truncatingIfNeeded: u >> 32), toByteOffset: 4 * m + i, as: UInt8.self)
            out.storeBytes(of: UInt8(truncatingIfNeeded: u >> 40), toByteOffset: 5 * m + i, as: UInt8.self)
            out.storeBytes(of: UInt8(truncatingIfNeeded: u >> 48), toByteOffset: 6 * m + i, as: UInt8.self)
            out.storeBytes(of: UInt8(truncatingIfNeeded: u >> 56), toByteOffset: 7 * m + i, as: UInt8.self)
        }
        w.advance(8 * m)
    }

    /// Reassembles `m` bit patterns from `src` (exactly 8m bytes) into `out`.
    static func decode(_ src: UnsafeRawBufferPointer, count m: Int, into out: UnsafeMutablePointer<UInt64>) {
        precondition(src.count == 8 * m)
        guard let p = src.baseAddress else { return }
        for i in 0..<m {
            var u = UInt64(p.load(fromByteOffset: i, as: UInt8.self))
            u |= UInt64(p.load(fromByteOffset: m + i, as: UInt8.self)) << 8
            u |= UInt64(p.load(fromByteOffset: 2 * m + i, as: UInt8.self)) << 16
            u |= UInt64(p.load(fromByteOffset: 3 * m + i, as: UInt8.self)) << 24
            u |= UInt64(p.load(fromByteOffset: 4 * m + i, as: UInt8.self)) << 32
            u |= UInt64(p.load(fromByteOffset: 5 * m + i, as: UInt8.self)) << 40
            u |= UInt64(p.load(fromByteOffset: 6 * m + i, as: UInt8.self)) << 48
            u |= UInt64(p.load(fromByteOffset: 7 * m + i, as: UInt8.self)) << 56
            out[i] = u
        }
    }
}
