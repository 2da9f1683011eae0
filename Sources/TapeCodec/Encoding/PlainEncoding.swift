import TapeFormat

/// PLAIN (format-spec §5.0), for every type:
///   int64, timestamp   m × i64
///   float64            m × u64 IEEE-754 bit patterns
///   bool               ceil(m / 8) bytes, bit k = value k (LSB-first)
///   string             m × varint length, then the concatenated bytes of all m values
///
/// Fixed-width values are copied as is: the host is little-endian (checked at compile time).
enum PlainEncoding {
    #if _endian(big)
    #error("Tape's plain encodings assume a little-endian host")
    #endif

    /// Appends `m` 8-byte values.
    static func encodeFixed(_ bits: UnsafeBufferPointer<UInt64>, into w: inout RawWriter) {
        w.write(UnsafeRawBufferPointer(bits))
    }

    /// Copies `m` 8-byte values from a section of exactly `8 m` bytes.
    static func decodeFixed(_ src: UnsafeRawBufferPointer, count m: Int, into out: UnsafeMutablePointer<UInt64>) {
        precondition(src.count == 8 * m)
        if m > 0, let s = src.baseAddress { UnsafeMutableRawPointer(out).copyMemory(from: s, byteCount: 8 * m) }
    }

    /// Appends the dense bools `values` as a bitmap of exactly ceil(m / 8) bytes, bit k = value k.
    static func encodeBools(_ values: Bitmap, into w: inout RawWriter) {
        let size = (values.count + 7) / 8
        values.words.withUnsafeBytes { w.write(UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
    }

    /// Appends the PLAIN string layout of the strings whose byte ranges `ranges` yields (in order).
    /// `count` is the number of strings and `byteTotal` the sum of their lengths.
    @inline(__always)
    static func encodeStrings(count: Int, byteTotal: Int, bytes: UnsafeRawBufferPointer,
                              ranges: (_ each: (Int, Int) -> Void) -> Void, into w: inout RawWriter) {
        w.reserve(10 * count + byteTotal)
        var o = w.count
        let base = w.base
        ranges { start, end in o += storeVarint(UInt64(end - start), at: base + o) }
        if let src = bytes.baseAddress {
            ranges { start, end in
                (base + o).copyMemory(from: src + start, byteCount: end - start)
                o += end - start
            }
        }
        w.advance(o - w.count)
    }

    /// Decodes the PLAIN layout of `m` strings (the whole rest of `r`) into the byte section and
    /// the dense lengths: `lengths[0..<m]`. Returns the byte section, already UTF-8 validated.
    /// REQUIRES: `lengths` has `m` writable slots.
    static func decodeStrings(_ r: inout PayloadReader, count m: Int, lengths: UnsafeMutablePointer<UInt32>,
                              what: String) throws(FormatError) -> UnsafeRawBufferPointer {
        // Every length takes at least one byte.
        try r.require(m, "\(what) lengths")
        var total = 0
        for j in 0..<m {
            var len = 0
            if let fast = r.tryReadCount(limit: r.remaining) { len = fast } else { len = try r.readCount("\(what) length", limit: r.remaining) }
            lengths[j] = UInt32(len)
            total += len
        }
        guard total == r.remaining else {
            throw r.invalid("\(what) bytes", "lengths add up to \(total) bytes but \(r.remaining) remain")
        }
        let section = try r.take(total, "\(what) bytes")
        if !UTF8Validation.isASCII(section) {
            var start = 0
            for j in 0..<m {
                let end = start + Int(lengths[j])
                guard UTF8Validation.isValid(section, start..<end) else {
                    throw r.invalid(what, at: r.position - total + start, "string \(j) is not valid UTF-8")
                }
                start = end
            }
        }
        return section
    }
}
