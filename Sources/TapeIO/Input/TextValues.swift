import TapeCodec
/// Small byte-level helpers shared by the text parsers.
enum TextValues {
    /// `bytes` without leading and trailing spaces and tabs.
    static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var lo = 0, hi = bytes.count
        while lo < hi, bytes[lo] == 0x20 || bytes[lo] == 0x09 { lo += 1 }
        while hi > lo, bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09 { hi -= 1 }
        if lo == 0 && hi == bytes.count { return bytes }
        return UnsafeRawBufferPointer(rebasing: bytes[lo..<hi])
    }

    @inline(__always)
    static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let l = literal.utf8Start
        for i in 0..<bytes.count where bytes[i] != l[i] { return false }
        return true
    }

    /// The text null markers: empty, `NULL`, `null`, `NA` (after trimming).
    static func isNullToken(_ raw: UnsafeRawBufferPointer) -> Bool {
        let b = trimmed(raw)
        switch b.count {
        case 0: return true
        case 2: return equals(b, "NA")
        case 4: return equals(b, "NULL") || equals(b, "null")
        default: return false
        }
    }

    /// `true True TRUE` / `false False FALSE`, or nil.
    static func parseBool(_ b: UnsafeRawBufferPointer) -> Bool? {
        switch b.count {
        case 4: return equals(b, "true") || equals(b, "True") || equals(b, "TRUE") ? true : nil
        case 5: return equals(b, "false") || equals(b, "False") || equals(b, "FALSE") ? false : nil
        default: return nil
        }
    }

    /// A String of `bytes`, or nil when they are not valid UTF-8.
    static func string(_ bytes: UnsafeRawBufferPointer) -> String? {
        if UTF8Validation.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    /// At most `limit` characters of `bytes`, for error messages.
    static func excerpt(_ bytes: UnsafeRawBufferPointer, limit: Int = 60) -> String {
        let s = String(decoding: bytes, as: UTF8.self)
        return s.count <= limit ? s : String(s.prefix(limit)) + "…"
    }
}
