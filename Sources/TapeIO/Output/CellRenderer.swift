import TapeCodec
import TapeFormat

/// How cells are spelled.
enum CellStyle {
    /// RFC 4180 field: nulls empty; strings quoted when they contain the delimiter, a quote, CR or
    /// LF, start or end with a space or tab, are empty, or spell a null marker (`NA`, `NULL`,
    /// `null`), so that `CSVReader` + `ValueParser` read back exactly what was written.
    case csv(delimiter: UInt8)
    /// JSON value: strings and timestamps quoted and escaped; NaN and infinities, which JSON
    /// numbers cannot spell, as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (as pandas'
    /// and DuckDB's readers accept them), so they stay distinct from null.
    case json
    /// Terminal text: nulls as `NULL`, control characters escaped (`\n`, `\t`, ...).
    case table
}

/// The text of every cell of a batch, column after column in one byte array.
///
/// Cell `(column c, row r)` of an `n`-row batch is `bytes[start..<ends[c * n + r]]` where `start`
/// is the previous end (or 0). Numbers: int64 in decimal; float64 as Swift's shortest round-trip
/// `description` (integral values keep `.0`, e.g. `100.0`, so they read back as floats; `nan`,
/// `inf`, `-inf`); bool `true`/`false`; timestamps ISO-8601 UTC via `Timestamps.format`; durations
/// as DuckDB prints intervals (`2 days 03:00:00`) via `Durations.format`.
struct RenderedBatch {
    var bytes: [UInt8] = []
    var ends: [Int] = []
    var rows = 0
    private var dictionary: [UInt8] = []
    private var dictionaryEnds: [Int] = []

    mutating func render(_ batch: RecordBatch, style: CellStyle) {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        rows = batch.count
        ends.reserveCapacity(batch.count * batch.columns.count)
        for column in batch.columns { render(column, rows: batch.count, style: style) }
    }

    @inline(__always)
    func range(column c: Int, row r: Int) -> Range<Int> {
        let i = c * rows + r
        return (i == 0 ? 0 : ends[i - 1])..<ends[i]
    }

    private mutating func render(_ column: ColumnData, rows n: Int, style: CellStyle) {
        if case .constant = column.storage { return render(column.spread(), rows: n, style: style) }
        let validity = column.validity
        @inline(__always) func isNull(_ r: Int) -> Bool { validity.map { !$0[r] } ?? false }
        switch column.storage {
        case .int64(let v):
            let timestamp = column.type == .timestamp, duration = column.type == .duration
            for r in 0..<n {
                if isNull(r) {
                    CellRenderer.appendNull(style, to: &bytes)
                } else if timestamp || duration {
                    if case .json = style { bytes.append(0x22) }
                    if timestamp { Timestamps.format(v[r], into: &bytes) } else { Durations.format(v[r], into: &bytes) }
                    if case .json = style { bytes.append(0x22) }
                } else {
                    CellRenderer.appendDecimal(v[r], to: &bytes)
                }
                ends.append(bytes.count)
            }
        case .float64(let v):
            for r in 0..<n {
                if isNull(r) {
                    CellRenderer.appendNull(style, to: &bytes)
                } else {
                    CellRenderer.appendDouble(v[r], style: style, to: &bytes)
                }
                ends.append(bytes.count)
            }
        case .bool(let v):
            for r in 0..<n {
                if isNull(r) {
                    CellRenderer.appendNull(style, to: &bytes)
                } else {
                    CellRenderer.appendLiteral(v[r] ? "true" : "false", to: &bytes)
                }
                ends.append(bytes.count)
            }
        case .strings(let s):
            s.bytes.withUnsafeBytes { all in
                for r in 0..<n {
                    if isNull(r) {
                        CellRenderer.appendNull(style, to: &bytes)
                    } else {
                        CellRenderer.appendString(UnsafeRawBufferPointer(rebasing: all[s.range(r)]), style: style, to: &bytes)
                    }
                    ends.append(bytes.count)
                }
            }
        case .dictionary(let entries, let indices):
            // Render each entry once, then copy.
            dictionary.removeAll(keepingCapacity: true)
            dictionaryEnds.removeAll(keepingCapacity: true)
            entries.bytes.withUnsafeBytes { all in
                for e in 0..<entries.count {
                    CellRenderer.appendString(UnsafeRawBufferPointer(rebasing: all[entries.range(e)]), style: style, to: &dictionary)
                    dictionaryEnds.append(dictionary.count)
                }
            }
            dictionary.withUnsafeBufferPointer { d in
                for r in 0..<n {
                    let k = Int(indices[r])
                    if isNull(r) || k >= dictionaryEnds.count {
                        CellRenderer.appendNull(style, to: &bytes)
                    } else {
                        let lo = k == 0 ? 0 : dictionaryEnds[k - 1]
                        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: d[lo..<dictionaryEnds[k]]))
                    }
                    ends.append(bytes.count)
                }
            }
        case .interval(let v):
            // Intervals print as their text.
            for r in 0..<n {
                if isNull(r) {
                    CellRenderer.appendNull(style, to: &bytes)
                } else {
                    Array(v[r].description.utf8).withUnsafeBytes { CellRenderer.appendString($0, style: style, to: &bytes) }
                }
                ends.append(bytes.count)
            }
        case .constant: break   // spread above
        }
    }
}

/// Byte-level spelling of single values.
enum CellRenderer {
    @inline(__always)
    static func appendLiteral(_ s: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    static func appendNull(_ style: CellStyle, to out: inout [UInt8]) {
        switch style {
        case .csv: break
        case .json: appendLiteral("null", to: &out)
        case .table: appendLiteral("NULL", to: &out)
        }
    }

    static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        var v = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            var i = 20
            repeat {
                i -= 1
                buf[i] = UInt8(truncatingIfNeeded: 48 + v % 10)
                v /= 10
            } while v != 0
            if value < 0 { out.append(0x2D) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<20]))
        }
    }

    static func appendDouble(_ v: Double, style: CellStyle, to out: inout [UInt8]) {
        if case .json = style, !v.isFinite {
            if v.isNaN { appendLiteral("\"NaN\"", to: &out) }
            else if v < 0 { appendLiteral("\"-Infinity\"", to: &out) }
            else { appendLiteral("\"Infinity\"", to: &out) }
            return
        }
        // `description`'s spelling without its `String`: Swift's shortest round-trip digits
        // written straight into `out` (a NaN of either sign is spelled `nan`, as `description`
        // spells it; `write(to:)` would keep the sign).
        if v.isNaN { appendLiteral("nan", to: &out); return }
        var stream = ByteStream(bytes: out)
        out = []
        v.write(to: &stream)
        out = stream.bytes
    }

    /// A `TextOutputStream` appending to a byte array: ASCII output (a number's spelling) arrives
    /// as bytes, with no `String` made for it.
    private struct ByteStream: TextOutputStream {
        var bytes: [UInt8]
        mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }
        mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }
    }

    static func appendString(_ s: UnsafeRawBufferPointer, style: CellStyle, to out: inout [UInt8]) {
        switch style {
        case .csv(let delimiter): appendCSV(s, delimiter: delimiter, to: &out)
        case .json: appendJSONString(s, to: &out)
        case .table: appendDisplay(s, to: &out)
        }
    }

    static func csvNeedsQuotes(_ s: UnsafeRawBufferPointer, delimiter: UInt8) -> Bool {
        let n = s.count
        if n == 0 { return true }
        if s[0] == 0x20 || s[0] == 0x09 || s[n - 1] == 0x20 || s[n - 1] == 0x09 { return true }
        for b in s where b == delimiter || b == 0x22 || b == 0x0A || b == 0x0D { return true }
        return TextValues.isNullToken(s)
    }

    static func appendCSV(_ s: UnsafeRawBufferPointer, delimiter: UInt8, to out: inout [UInt8]) {
        guard csvNeedsQuotes(s, delimiter: delimiter) else {
            out.append(contentsOf: s)
            return
        }
        out.append(0x22)
        for b in s {
            out.append(b)
            if b == 0x22 { out.append(0x22) }
        }
        out.append(0x22)
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func appendJSONString(_ s: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(0x22)
        var clean = true
        for b in s where b < 0x20 || b == 0x22 || b == 0x5C {
            clean = false
            break
        }
        if clean {
            out.append(contentsOf: s)
        } else {
            for b in s {
                switch b {
                case 0x22: out.append(0x5C); out.append(0x22)
                case 0x5C: out.append(0x5C); out.append(0x5C)
                case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
                case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
                case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
                case 0..<0x20:
                    appendLiteral("\\u00", to: &out)
                    out.append(hex[Int(b >> 4)])
                    out.append(hex[Int(b & 15)])
                default: out.append(b)
                }
            }
        }
        out.append(0x22)
    }

    /// Control characters shown as escapes so one cell stays on one line (`TerminalText`).
    static func appendDisplay(_ s: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        TerminalText.append(s, to: &out)
    }
}
