import Foundation
import TapeCodec

/// String functions over UTF-8 bytes: ASCII text is handled byte by byte; a value with any
/// non-ASCII byte goes through a Swift `String` (Unicode case mapping and white space), so the
/// result is the same either way.
extension Evaluator {
    /// lower(x) / upper(x).
    static func caseMapped(_ v: Vector, _ count: Int, upper: Bool) throws(QueryError) -> Vector {
        try mapStrings(v, count) { s, out in
            if isASCII(s) {
                if upper {
                    for b in s { out.append(b >= 0x61 && b <= 0x7A ? b & ~0x20 : b) }
                } else {
                    for b in s { out.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
                }
            } else {
                let t = String(decoding: s, as: UTF8.self)
                out.append(contentsOf: (upper ? t.uppercased() : t.lowercased()).utf8)
            }
        }
    }

    /// trim(x): white space (`CharacterSet.whitespaces`: space, tab and the Unicode space
    /// separators) removed from both ends.
    static func trimmed(_ v: Vector, _ count: Int) throws(QueryError) -> Vector {
        try mapStrings(v, count) { s, out in
            if isASCII(s) {
                var lo = 0, hi = s.count
                while lo < hi && (s[lo] == 0x20 || s[lo] == 0x09) { lo += 1 }
                while hi > lo && (s[hi - 1] == 0x20 || s[hi - 1] == 0x09) { hi -= 1 }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: s[lo..<hi]))
            } else {
                out.append(contentsOf: String(decoding: s, as: UTF8.self).trimmingCharacters(in: .whitespaces).utf8)
            }
        }
    }

    /// Whether every byte is ASCII (8 bytes at a time).
    @inline(__always) static func isASCII(_ s: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        var acc: UInt64 = 0
        while i + 8 <= s.count {
            acc |= s.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < s.count {
            acc |= UInt64(s[i])
            i += 1
        }
        return acc & 0x8080_8080_8080_8080 == 0
    }
}
