// Number grammars accepted in text fields (no surrounding whitespace; callers trim):
//
//   int64  := [+-] digit+                                  (must fit in Int64)
//   float  := [+-] ( digit+ [ "." digit* ] | "." digit+ ) [ ("e"|"E") [+-] digit+ ]
//           | [+-] ( "inf" | "infinity" | "nan" )          (case-insensitive)
//
// A decimal literal too large for a double (`1e400`) is rejected rather than turned into inf;
// one too small underflows to ±0 or a subnormal, as correct rounding gives.
//
// Doubles take Clinger's fast path (exact when the decimal mantissa has at most 19 digits and is
// ≤ 2^53 and the power of ten is within ±22, since both are then exact doubles and IEEE division /
// multiplication round once); everything else goes to the C library's correctly rounded strtod
// through Swift's Double(String).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

enum NumberParsing {
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }

    /// Exact powers of ten representable as doubles.
    static let powersOfTen: [Double] = (0...22).map { k in
        var v = 1.0
        for _ in 0..<k { v *= 10 }
        return v
    }

    /// Parses `[+-]digit+` into an Int64, or nil (bad syntax or overflow).
    static func parseInt64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        guard n > 0, let base = bytes.baseAddress else { return nil }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var i = 0
        var negative = false
        if p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+") {
            negative = p[0] == UInt8(ascii: "-")
            i = 1
            guard n > 1 else { return nil }
        }
        // Accumulate negatively so Int64.min parses.
        var v: Int64 = 0
        if n - i <= 18 {
            while i < n {
                let d = p[i] &- 48
                guard d < 10 else { return nil }
                v = v * 10 - Int64(d)
                i += 1
            }
        } else {
            while i < n {
                let d = p[i] &- 48
                guard d < 10 else { return nil }
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.subtractingReportingOverflow(Int64(d))
                guard !o1, !o2 else { return nil }
                v = s
                i += 1
            }
        }
        if negative { return v }
        return v == Int64.min ? nil : -v
    }

    /// True when `bytes` is `[+-]digit+` (an integer literal, whatever its size).
    static func isIntegerSyntax(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
        guard i < bytes.count else { return false }
        while i < bytes.count {
            guard isDigit(bytes[i]) else { return false }
            i += 1
        }
        return true
    }

    /// True when `bytes` is an integer literal with a redundant leading zero (`007`, `-01`): text
    /// that an integer column could not give back as written.
    static func hasLeadingZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
        return bytes.count - i > 1 && bytes[i] == UInt8(ascii: "0")
    }

    /// The integer a decimal literal (`[+-] digits [ "." digits ] [ e [+-] digits ]`) denotes
    /// exactly, when it is an integer within Int64 (`1E2` → 100, `5.000` → 5, `-0` → 0); nil for
    /// fractions, values out of range and other text. Works on the digits, never through a double.
    static func exactInt64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        var i = 0
        var negative = false
        if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var digits: [UInt8] = []   // significant digits, leading zeros dropped
        var scale = 0              // value = digits × 10^scale
        var sawDigit = false
        while i < n, isDigit(bytes[i]) {
            if !digits.isEmpty || bytes[i] != UInt8(ascii: "0") { digits.append(bytes[i]) }
            sawDigit = true
            i += 1
            guard digits.count <= 40 else { return nil }
        }
        if i < n, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, isDigit(bytes[i]) {
                if !digits.isEmpty || bytes[i] != UInt8(ascii: "0") { digits.append(bytes[i]) }
                scale -= 1
                sawDigit = true
                i += 1
                guard digits.count <= 40, scale > -10_000 else { return nil }
            }
        }
        guard sawDigit else { return nil }
        if i < n, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < n else { return nil }
            var e = 0
            while i < n, isDigit(bytes[i]) {
                if e < 100_000 { e = e * 10 + Int(bytes[i] &- 48) }
                i += 1
            }
            scale += expNegative ? -e : e
        }
        guard i == n else { return nil }
        if digits.isEmpty { return 0 }
        while scale < 0, digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            scale += 1
        }
        guard scale >= 0, digits.count + scale <= 19 else { return nil }
        digits.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: scale))
        if negative { digits.insert(UInt8(ascii: "-"), at: 0) }
        return digits.withUnsafeBytes { parseInt64($0) }
    }

    /// Parses the `float` grammar above, or nil.
    static func parseDouble(_ bytes: UnsafeRawBufferPointer) -> Double? {
        let n = bytes.count
        guard n > 0, let base = bytes.baseAddress else { return nil }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var i = 0
        var negative = false
        if p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+") {
            negative = p[0] == UInt8(ascii: "-")
            i = 1
        }
        guard i < n else { return nil }
        if !isDigit(p[i]) && p[i] != UInt8(ascii: ".") {
            return parseSpecial(UnsafeRawBufferPointer(rebasing: bytes[i...]), negative: negative)
        }

        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var inexact = false
        var digits = 0
        while i < n, isDigit(p[i]) {
            let d = UInt64(p[i] &- 48)
            if significant < 19 {
                mantissa = mantissa * 10 + d
                if mantissa != 0 { significant += 1 }
            } else {
                exponent += 1
                if d != 0 { inexact = true }
            }
            digits += 1
            i += 1
        }
        if i < n, p[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, isDigit(p[i]) {
                let d = UInt64(p[i] &- 48)
                if significant < 19 {
                    mantissa = mantissa * 10 + d
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                } else if d != 0 {
                    inexact = true
                }
                digits += 1
                i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < n, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < n, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
                expNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < n, isDigit(p[i]) else { return nil }
            var e = 0
            while i < n, isDigit(p[i]) {
                if e < 100_000 { e = e * 10 + Int(p[i] &- 48) }
                i += 1
            }
            exponent += expNegative ? -e : e
        }
        guard i == n else { return nil }

        if mantissa == 0 && !inexact { return negative ? -0.0 : 0.0 }
        if !inexact && mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
            var v = Double(mantissa)
            v = exponent < 0 ? v / powersOfTen[-exponent] : v * powersOfTen[exponent]
            return negative ? -v : v
        }
        // Slow path: the grammar is already checked, so strtod sees only plain decimal text.
        // A finite literal beyond ±Double.greatestFiniteMagnitude (`1e400`) is no float64 (it
        // would silently become ±inf); only the `inf` spellings give infinities.
        guard let v = Double(String(decoding: bytes, as: UTF8.self)), v.isFinite else { return nil }
        return v
    }

    /// `inf`, `infinity`, `nan` in any case (after the sign).
    private static func parseSpecial(_ b: UnsafeRawBufferPointer, negative: Bool) -> Double? {
        guard b.count == 3 || b.count == 8 else { return nil }
        var lower: [UInt8] = []
        lower.reserveCapacity(8)
        for c in b { lower.append(c | 0x20) }
        switch lower {
        case Array("inf".utf8), Array("infinity".utf8): return negative ? -.infinity : .infinity
        case Array("nan".utf8): return .nan
        default: return nil
        }
    }
}
