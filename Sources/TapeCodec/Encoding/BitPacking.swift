/// Bit packing of unsigned integers (format-spec §1):
///   value k of width w occupies stream bits [k*w, (k+1)*w), least significant bit first;
///   bit i of the stream is bit i % 8 of byte i / 8. `count` values take ceil(count*w/8) bytes.
///
/// Word-at-a-time in both directions, with direct paths for widths 0, 8, 16, 32 and 64.
enum BitPacking {
    /// Bytes needed for `count` values of `width` bits.
    @inline(__always) static func byteCount(count: Int, width: Int) -> Int { (count * width + 7) / 8 }

    /// Smallest width that holds `v` (0 for 0).
    @inline(__always) static func bitLength(_ v: UInt64) -> Int { 64 - v.leadingZeroBitCount }

    /// Packs `values` (their bits above `width` ignored) into `out`.
    /// REQUIRES: 0 ≤ width ≤ 64; `out` has `byteCount(count:width:)` writable bytes.
    @inline(__always)
    static func pack<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<T>, width: Int, into out: UnsafeMutableRawPointer) {
        let n = values.count
        guard width > 0, n > 0 else { return }
        switch width {
        case 8:
            for i in 0..<n { out.storeBytes(of: UInt8(truncatingIfNeeded: values[i]), toByteOffset: i, as: UInt8.self) }
            return
        case 16:
            for i in 0..<n { out.storeBytes(of: UInt16(truncatingIfNeeded: values[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            return
        case 32:
            for i in 0..<n { out.storeBytes(of: UInt32(truncatingIfNeeded: values[i]).littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
            return
        case 64:
            for i in 0..<n { out.storeBytes(of: UInt64(truncatingIfNeeded: values[i]).littleEndian, toByteOffset: 8 * i, as: UInt64.self) }
            return
        default:
            break
        }
        let mask: UInt64 = (1 << UInt64(width)) &- 1
        let w = UInt64(width)
        var acc: UInt64 = 0
        var bits: UInt64 = 0
        var o = 0
        for i in 0..<n {
            let x = UInt64(truncatingIfNeeded: values[i]) & mask
            acc |= x &<< bits
            bits += w
            if bits >= 64 {
                out.storeBytes(of: acc.littleEndian, toByteOffset: o, as: UInt64.self)
                o += 8
                bits -= 64
                // The high `bits` bits of x did not fit (bits < w, so the shift is 1...63).
                acc = bits == 0 ? 0 : x &>> (w - bits)
            }
        }
        var tail = (Int(bits) + 7) / 8
        while tail > 0 {
            out.storeBytes(of: UInt8(truncatingIfNeeded: acc), toByteOffset: o, as: UInt8.self)
            acc >>= 8
            o += 1
            tail -= 1
        }
    }

    /// Unpacks `count` values of `width` bits from `src` into `out`.
    /// REQUIRES: 0 ≤ width ≤ min(64, T.bitWidth); `src` has at least `byteCount(count:width:)` bytes
    /// (checked by the caller against the input); `out` has `count` writable slots.
    @inline(__always)
    static func unpack<T: FixedWidthInteger>(_ src: UnsafeRawBufferPointer, count n: Int, width: Int, into out: UnsafeMutablePointer<T>) {
        assert(src.count >= byteCount(count: n, width: width) && width <= T.bitWidth)
        guard n > 0 else { return }
        guard width > 0, let p = src.baseAddress else {
            out.update(repeating: 0, count: n)
            return
        }
        switch width {
        case 8:
            for i in 0..<n { out[i] = T(truncatingIfNeeded: p.load(fromByteOffset: i, as: UInt8.self)) }
            return
        case 16:
            for i in 0..<n { out[i] = T(truncatingIfNeeded: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            return
        case 32:
            for i in 0..<n { out[i] = T(truncatingIfNeeded: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            return
        case 64:
            for i in 0..<n { out[i] = T(truncatingIfNeeded: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) }
            return
        default:
            break
        }
        let mask: UInt64 = (1 << UInt64(width)) &- 1
        let byteLength = src.count
        var bitPos = 0
        var i = 0
        if width < 8 {
            // Eight values fill exactly `width` bytes: one load, eight independent extractions.
            let w = UInt64(width)
            while i + 8 <= n && (i >> 3) * width + 8 <= byteLength {
                let word = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: (i >> 3) * width, as: UInt64.self))
                out[i] = T(truncatingIfNeeded: word & mask)
                out[i + 1] = T(truncatingIfNeeded: (word &>> w) & mask)
                out[i + 2] = T(truncatingIfNeeded: (word &>> (2 &* w)) & mask)
                out[i + 3] = T(truncatingIfNeeded: (word &>> (3 &* w)) & mask)
                out[i + 4] = T(truncatingIfNeeded: (word &>> (4 &* w)) & mask)
                out[i + 5] = T(truncatingIfNeeded: (word &>> (5 &* w)) & mask)
                out[i + 6] = T(truncatingIfNeeded: (word &>> (6 &* w)) & mask)
                out[i + 7] = T(truncatingIfNeeded: (word &>> (7 &* w)) & mask)
                i += 8
            }
            bitPos = i * width
        }
        // Fast path: the 9 bytes that may hold value i are all inside `src`.
        while i < n {
            let byte = bitPos >> 3
            if byte + 9 > byteLength { break }
            let shift = UInt64(bitPos & 7)
            var v = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) &>> shift
            if shift + UInt64(width) > 64 {
                v |= UInt64(p.load(fromByteOffset: byte + 8, as: UInt8.self)) &<< (64 - shift)
            }
            out[i] = T(truncatingIfNeeded: v & mask)
            bitPos += width
            i += 1
        }
        // Tail: gather the available bytes one at a time.
        while i < n {
            let byte = bitPos >> 3
            let shift = UInt64(bitPos & 7)
            let available = byteLength - byte
            var lo: UInt64 = 0
            for b in 0..<min(8, available) {
                lo |= UInt64(p.load(fromByteOffset: byte + b, as: UInt8.self)) &<< UInt64(8 * b)
            }
            var v = lo &>> shift
            if shift + UInt64(width) > 64 && available > 8 {
                v |= UInt64(p.load(fromByteOffset: byte + 8, as: UInt8.self)) &<< (64 - shift)
            }
            out[i] = T(truncatingIfNeeded: v & mask)
            bitPos += width
            i += 1
        }
    }
}
