import TapeFormat

/// The text of a TIMESTAMP inside SQL — `CAST(ts AS VARCHAR)`, `ts || '…'`, concat, a UNION with
/// text — as DuckDB prints it: `2024-01-02 03:04:05`, then a fraction only when it is not zero,
/// without trailing zeros (`.5`, `.123456789`). Output formats (CSV, JSON, `tape cat`) print
/// ISO-8601 instead (`Timestamps.format`).
enum TimestampText {
    static func sql(_ ns: Int64) -> String {
        var b: [UInt8] = []
        b.reserveCapacity(30)
        Timestamps.format(ns, into: &b)   // YYYY-MM-DDThh:mm:ss[.fff|.ffffff|.fffffffff]Z
        b.removeLast()   // Z
        b[10] = UInt8(ascii: " ")
        if b.count > 19 {   // a fraction: drop its trailing zeros
            while b.last == UInt8(ascii: "0") { b.removeLast() }
            if b.last == UInt8(ascii: ".") { b.removeLast() }
        }
        return String(decoding: b, as: UTF8.self)
    }
}
