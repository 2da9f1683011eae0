// Output form: YYYY-MM-DDThh:mm:ss[.fff|.ffffff|.fffffffff]Z, always UTC. The fraction appears only
// when non-zero, in the shortest group of 3 digits that is exact (milli, micro, nano).

extension Timestamps {
    /// ISO-8601 UTC text of `ns` nanoseconds since the epoch, e.g. `2019-01-01T00:00:00Z`,
    /// `2019-01-01T00:00:00.500Z`.
    public static func format(_ ns: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(30)
        format(ns, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the text of `format(_:)` to `out`.
    public static func format(_ ns: Int64, into out: inout [UInt8]) {
        // Floor division without multiplying back (ns may be Int64.min).
        var secs = ns / nanosPerSecond
        var frac = ns % nanosPerSecond
        if frac < 0 {
            frac += nanosPerSecond
            secs -= 1
        }
        var days = secs / secondsPerDay
        var sod = secs % secondsPerDay
        if sod < 0 {
            sod += secondsPerDay
            days -= 1
        }
        let (y, m, d) = civilFromDays(days)
        let hh = sod / 3600, mm = sod / 60 % 60, ss = sod % 60

        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buf in
            var i = 0
            @inline(__always) func put(_ b: UInt8) {
                buf[i] = b
                i += 1
            }
            @inline(__always) func digits(_ v: Int64, _ width: Int) {
                var v = v
                var k = width - 1
                while k >= 0 {
                    buf[i + k] = UInt8(truncatingIfNeeded: 48 + v % 10)
                    v /= 10
                    k -= 1
                }
                i += width
            }
            // The Int64 range only covers years 1677...2262, so four digits always suffice.
            digits(y, 4); put(0x2D); digits(m, 2); put(0x2D); digits(d, 2)
            put(0x54)
            digits(hh, 2); put(0x3A); digits(mm, 2); put(0x3A); digits(ss, 2)
            if frac != 0 {
                put(0x2E)
                if frac % 1_000_000 == 0 {
                    digits(frac / 1_000_000, 3)
                } else if frac % 1000 == 0 {
                    digits(frac / 1000, 6)
                } else {
                    digits(frac, 9)
                }
            }
            put(0x5A)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<i]))
        }
    }
}
