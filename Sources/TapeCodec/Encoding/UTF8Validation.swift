/// Strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF)
/// over raw bytes, with an 8-bytes-at-a-time ASCII fast path. Used on every decoded string so that
/// a corrupt file never yields an invalid `String`.
public enum UTF8Validation {
    /// True when all bytes are < 0x80.
    public static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let p = bytes.baseAddress else { return true }
        let n = bytes.count
        var acc: UInt64 = 0
        var i = 0
        while i + 8 <= n {
            acc |= p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < n {
            acc |= UInt64(p.load(fromByteOffset: i, as: UInt8.self))
            i += 1
        }
        return acc & 0x8080_8080_8080_8080 == 0
    }

    /// True when `bytes[range]` is well-formed UTF-8.
    public static func isValid(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard let p = bytes.baseAddress else { return range.isEmpty }
        var i = range.lowerBound
        let end = range.upperBound
        @inline(__always) func byte(_ k: Int) -> UInt8 { p.load(fromByteOffset: k, as: UInt8.self) }
        @inline(__always) func isCont(_ k: Int) -> Bool { k < end && byte(k) & 0xC0 == 0x80 }
        while i < end {
            if i + 8 <= end && p.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let b0 = byte(i)
            if b0 < 0x80 {
                i += 1
            } else if b0 < 0xC2 {
                return false  // continuation byte or overlong 2-byte lead
            } else if b0 < 0xE0 {
                guard isCont(i + 1) else { return false }
                i += 2
            } else if b0 < 0xF0 {
                guard i + 1 < end else { return false }
                let b1 = byte(i + 1)
                let lo: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
                let hi: UInt8 = b0 == 0xED ? 0x9F : 0xBF
                guard b1 >= lo && b1 <= hi, isCont(i + 2) else { return false }
                i += 3
            } else if b0 < 0xF5 {
                guard i + 1 < end else { return false }
                let b1 = byte(i + 1)
                let lo: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
                let hi: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
                guard b1 >= lo && b1 <= hi, isCont(i + 2), isCont(i + 3) else { return false }
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}
