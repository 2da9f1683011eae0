// Accepted grammar (what pandas, Python's isoformat, and most tools write):
//
//   timestamp := date [ sep time [ offset ] ]
//   date      := YYYY "-" MM "-" DD
//   sep       := "T" | "t" | " "
//   time      := hh ":" mm [ ":" ss [ ("." | ",") fraction ] ]
//   fraction  := 1 to 9 digits
//   offset    := "Z" | "z" | [" "] ("+" | "-") hh [ [":"] mm ]
//
// The date must exist (no Feb 30, month 13); hh 00-23, mm 00-59, ss 00-59 (no leap seconds, no
// 24:00); offsets up to ±23:59. A date without a time is midnight UTC. Results outside the Int64
// nanosecond range are rejected.

extension Timestamps {
    /// Nanoseconds since the epoch (UTC) of `text`, or nil when it is not a timestamp in the
    /// accepted grammar or falls outside 1677-09-21 ... 2262-04-11.
    public static func parse(_ text: Substring) -> Int64? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Same as `parse(_: Substring)`.
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Same as `parse(_: Substring)` over raw UTF-8 bytes.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        guard n >= 10, let base = bytes.baseAddress else { return nil }
        let p = base.assumingMemoryBound(to: UInt8.self)

        @inline(__always) func digit(_ i: Int) -> Int64? {
            let d = p[i] &- 48
            return d < 10 ? Int64(d) : nil
        }
        @inline(__always) func two(_ i: Int) -> Int64? {
            guard i + 2 <= n, let a = digit(i), let b = digit(i + 1) else { return nil }
            return a * 10 + b
        }

        guard let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3), p[4] == 0x2D,
            let month = two(5), p[7] == 0x2D, let day = two(8)
        else { return nil }
        let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
        guard month >= 1, month <= 12, day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }

        var seconds: Int64 = 0
        var fraction: Int64 = 0
        var i = 10
        if i < n {
            let sep = p[i]
            guard sep == 0x54 || sep == 0x74 || sep == 0x20 else { return nil }  // T t space
            guard let hh = two(11), i + 3 < n, p[13] == 0x3A, let mm = two(14), hh < 24, mm < 60 else { return nil }
            seconds = hh * 3600 + mm * 60
            i = 16
            if i < n, p[i] == 0x3A {  // :ss
                guard let ss = two(i + 1), ss < 60 else { return nil }
                seconds += ss
                i += 3
                if i < n, p[i] == 0x2E || p[i] == 0x2C {  // . or ,
                    i += 1
                    var digits = 0
                    while i < n, let d = digit(i) {
                        guard digits < 9 else { return nil }
                        fraction = fraction * 10 + d
                        digits += 1
                        i += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in digits..<9 { fraction *= 10 }
                }
            }
            if i < n {
                if p[i] == 0x5A || p[i] == 0x7A {  // Z z
                    i += 1
                } else {
                    if p[i] == 0x20 { i += 1 }
                    guard i < n, p[i] == 0x2B || p[i] == 0x2D else { return nil }
                    let negative = p[i] == 0x2D
                    guard let oh = two(i + 1), oh < 24 else { return nil }
                    i += 3
                    var om: Int64 = 0
                    if i < n {
                        if p[i] == 0x3A { i += 1 }
                        guard let m = two(i), m < 60 else { return nil }
                        om = m
                        i += 2
                    }
                    let offset = oh * 3600 + om * 60
                    // local = UTC + offset, so UTC = local - offset.
                    seconds += negative ? offset : -offset
                }
                guard i == n else { return nil }
            }
        }

        let total = daysFromCivil(year: year, month: month, day: day) * secondsPerDay + seconds
        return combine(seconds: total, nanoseconds: fraction)
    }

    /// `seconds * 1e9 + nanoseconds` (0 <= nanoseconds < 1e9), or nil on Int64 overflow. Works at the
    /// bottom of the range where `seconds * 1e9` alone would overflow.
    static func combine(seconds: Int64, nanoseconds: Int64) -> Int64? {
        if seconds < 0 && nanoseconds > 0 {
            let (a, o1) = (seconds + 1).multipliedReportingOverflow(by: nanosPerSecond)
            guard !o1 else { return nil }
            let (b, o2) = a.subtractingReportingOverflow(nanosPerSecond - nanoseconds)
            return o2 ? nil : b
        }
        let (a, o1) = seconds.multipliedReportingOverflow(by: nanosPerSecond)
        guard !o1 else { return nil }
        let (b, o2) = a.addingReportingOverflow(nanoseconds)
        return o2 ? nil : b
    }
}
