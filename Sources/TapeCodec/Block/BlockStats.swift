import TapeFormat

/// The zone-map statistics a block's rows call for (format-spec §3.2), recomputed from decoded
/// rows so that a verifier can hold a block's stored statistics against its data: a lie there
/// would make `min(x)` and zone-map pruning wrong without any checksum noticing.
public enum BlockStats {
    /// The statistics of `column`'s non-null rows, exactly as a writer must store them: min/max
    /// over non-null (floats: non-NaN) values, the NaN flag, strings by unsigned bytes, the min cut
    /// and the max dropped as §3.2 says.
    public static func of(_ column: ColumnData) -> ColumnStats {
        let validity = column.nullCount > 0 ? column.validity : nil
        switch column.storage {
        case .int64(let v):
            return dense(v, validity) { StatsBuilder.int64($0) }
        case .float64(let v):
            return dense(v, validity) { StatsBuilder.float64($0) }
        case .bool(let v):
            return StatsBuilder.bool(validity.map { v.compacted(by: $0) } ?? v)
        case .strings(let s):
            let rows = validRows(column.count, validity)
            return s.bytes.withUnsafeBytes { bytes in
                StatsBuilder.strings(bytes, count: rows.count) { k in
                    let r = s.range(rows[k])
                    return (r.lowerBound, r.upperBound)
                }
            }
        case .dictionary(let e, let idx):
            let rows = validRows(column.count, validity)
            return e.bytes.withUnsafeBytes { bytes in
                StatsBuilder.strings(bytes, count: rows.count) { k in
                    let r = e.range(Int(idx[rows[k]]))
                    return (r.lowerBound, r.upperBound)
                }
            }
        case .constant: return of(column.spread())
        case .interval: return ColumnStats()   // a query's INTERVAL values: no stored type, no statistics
        }
    }

    /// Why `stored` statistics do not describe `column`, or nil when they do. `-0.0` and `+0.0`
    /// are the same value here (§3.2: a zero extreme may carry either sign).
    public static func mismatch(stored: ColumnStats, column: ColumnData) -> String? {
        let actual = of(column)
        guard !same(stored, actual) else { return nil }
        return "statistics say \(describe(stored)) but the data has \(describe(actual))"
    }

    /// Equal statistics; strings compare by bytes (Swift's `==` would equate canonically
    /// equivalent strings), floats by value (so `-0.0 == +0.0`, and a stored NaN never matches).
    static func same(_ a: ColumnStats, _ b: ColumnStats) -> Bool {
        a.hasNaN == b.hasNaN && a.maxTruncated == b.maxTruncated && same(a.min, b.min) && same(a.max, b.max)
    }

    private static func same(_ a: StatValue?, _ b: StatValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (.string(x)?, .string(y)?): return x.utf8.elementsEqual(y.utf8)
        case let (x?, y?): return x == y
        default: return false
        }
    }

    /// "min 1, max 5, NaN" — for messages.
    static func describe(_ s: ColumnStats) -> String {
        var parts: [String] = []
        if let lo = s.min { parts.append("min \(describe(lo))") } else { parts.append("no min") }
        if let hi = s.max { parts.append("max \(describe(hi))") } else { parts.append(s.maxTruncated ? "max truncated" : "no max") }
        if s.hasNaN { parts.append("NaN") }
        return parts.joined(separator: ", ")
    }

    private static func describe(_ v: StatValue) -> String {
        switch v {
        case .int(let x): return String(x)
        case .float(let x): return String(x)
        case .bool(let x): return String(x)
        case .string(let x): return String(reflecting: x)
        }
    }

    /// `body` over the values of the valid rows, packed densely.
    private static func dense<T>(_ v: [T], _ validity: Bitmap?, _ body: (UnsafeBufferPointer<T>) -> ColumnStats) -> ColumnStats {
        guard let validity else { return v.withUnsafeBufferPointer(body) }
        let packed = validRows(v.count, validity).map { v[$0] }
        return packed.withUnsafeBufferPointer(body)
    }

    private static func validRows(_ n: Int, _ validity: Bitmap?) -> [Int] {
        guard let validity else { return Array(0..<n) }
        var rows: [Int] = []
        rows.reserveCapacity(validity.popCount)
        for (w, word) in validity.words.enumerated() {
            var bits = word
            while bits != 0 {
                let row = w << 6 + bits.trailingZeroBitCount
                if row < n { rows.append(row) }
                bits &= bits - 1
            }
        }
        return rows
    }
}
