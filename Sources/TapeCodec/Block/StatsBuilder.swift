import TapeFormat

/// Zone-map statistics of a block (format-spec §3.2), computed by the encoder over the dense
/// non-null values: min/max (floats: over non-NaN values, plus the NaN flag), strings by unsigned
/// bytes with the format's truncation.
enum StatsBuilder {
    static func int64(_ v: UnsafeBufferPointer<Int64>) -> ColumnStats {
        guard !v.isEmpty else { return .empty }
        var lo = Int64.max, hi = Int64.min
        for x in v {
            lo = min(lo, x)
            hi = max(hi, x)
        }
        return ColumnStats(min: .int(lo), max: .int(hi))
    }

    static func float64(_ v: UnsafeBufferPointer<Double>) -> ColumnStats {
        var lo = Double.infinity, hi = -Double.infinity
        var nan = false
        var seen = false
        for x in v {
            if x.isNaN {
                nan = true
                continue
            }
            seen = true
            if x < lo { lo = x }
            if x > hi { hi = x }
        }
        guard seen else { return ColumnStats(hasNaN: nan) }
        return ColumnStats(min: .float(lo), max: .float(hi), hasNaN: nan)
    }

    /// Stats of the non-null values of a bool column, given densely (one bit per non-null row).
    static func bool(_ dense: Bitmap) -> ColumnStats {
        let trues = dense.popCount
        let anyTrue = trues > 0, anyFalse = trues < dense.count
        guard anyTrue || anyFalse else { return .empty }
        return ColumnStats(min: .bool(!anyFalse), max: .bool(anyTrue))
    }

    /// Stats of `count` strings; `range(k)` is the byte range of string k within `bytes`.
    @inline(__always)
    static func strings(_ bytes: UnsafeRawBufferPointer, count: Int, range: (Int) -> (Int, Int)) -> ColumnStats {
        guard count > 0 else { return .empty }
        let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        var (minStart, minEnd) = range(0)
        var (maxStart, maxEnd) = (minStart, minEnd)
        for k in 1..<max(1, count) {
            let (s, e) = range(k)
            if ByteOrder.compare(base + s, e - s, base + minStart, minEnd - minStart) < 0 {
                (minStart, minEnd) = (s, e)
            } else if ByteOrder.compare(base + s, e - s, base + maxStart, maxEnd - maxStart) > 0 {
                (maxStart, maxEnd) = (s, e)
            }
        }
        let lo = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[minStart..<minEnd]), as: UTF8.self)
        let hi = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[maxStart..<maxEnd]), as: UTF8.self)
        return ColumnStats.strings(min: lo, max: hi)
    }
}
