// RFC 4180 records, streamed.
//
//   file    := [BOM] { record | blank-line }
//   record  := field { DELIM field } ( CRLF | LF | CR | end-of-input )
//   field   := quoted | unquoted
//   quoted  := '"' { any byte except '"' | '""' } '"'     (may span lines)
//   unquoted:= { any byte except DELIM, '"', CR, LF }
//
// Blank lines (nothing between two line ends) are skipped, so a record never has zero fields.
// `""` inside a quoted field is one quote. A quote inside an unquoted field and anything but a
// delimiter or line end after a closing quote are errors.

/// Access to the fields of one text record (a `CSVReader`'s current record or a `CSVRecord` copy).
public protocol CSVFields {
    /// Number of fields (at least 1).
    var fieldCount: Int { get }
    /// 1-based line on which the record starts.
    var recordLine: Int { get }
    /// True when field `i` was written in quotes (so `""` is an empty string, not a null).
    func isQuoted(_ i: Int) -> Bool
    /// Calls `body` with the unescaped bytes of field `i`. The bytes are only valid inside `body`.
    func withField<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension CSVFields {
    /// Field `i` as a String (invalid UTF-8 is repaired with U+FFFD).
    public func field(_ i: Int) -> String {
        withField(i) { String(decoding: $0, as: UTF8.self) }
    }

    /// All fields as Strings.
    public var fields: [String] { (0..<fieldCount).map { field($0) } }
}

/// A streaming RFC 4180 reader over a file, standard input or bytes.
///
/// `readRecord()` advances to the next record; the reader itself is then a reusable view of that
/// record's fields (`CSVFields`), valid until the next call — no per-field allocation. Input is read
/// in 256 KiB blocks; memory is bounded by the longest record. Errors are `TextInputError`s whose
/// `column` is a 1-based **byte** offset within the line.
public final class CSVReader: CSVFields {
    public let delimiter: UInt8

    private let window: InputWindow
    /// Start of the unconsumed bytes in the window.
    private var pos = 0
    /// Line number at `pos`.
    private var line = 1
    private var spans: [Span] = []
    private var scratch: [UInt8] = []
    private var bomChecked = false
    /// Where the last syntax error was found (buffer index, line), for `skipAfterError()`.
    private var failure: (index: Int, line: Int)?

    public private(set) var recordLine = 0

    private struct Span {
        var start: Int
        var end: Int
        var quoted: Bool
        /// Holds `""` pairs; after the record is complete, its bytes live unescaped in `scratch`.
        var escaped: Bool
    }

    private static let quote = UInt8(ascii: "\"")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    /// Opens `source`. `delimiter` must not be a quote, CR or LF.
    public init(_ source: TextSource, delimiter: UInt8 = UInt8(ascii: ","), blockSize: Int = 256 << 10) throws {
        guard delimiter != CSVReader.quote, delimiter != CSVReader.cr, delimiter != CSVReader.lf else {
            throw TextInputError(.invalidOption("the delimiter cannot be a quote, CR or LF"), line: 0)
        }
        self.delimiter = delimiter
        self.window = try InputWindow(source, blockSize: blockSize)
    }

    /// Convenience for tests and small inputs.
    public convenience init(text: String, delimiter: UInt8 = UInt8(ascii: ","), blockSize: Int = 256 << 10) throws {
        try self.init(.bytes(Array(text.utf8)), delimiter: delimiter, blockSize: blockSize)
    }

    public var fieldCount: Int { spans.count }

    public func isQuoted(_ i: Int) -> Bool { spans[i].quoted }

    public func withField<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let s = spans[i]
        if s.escaped {
            return try scratch.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[s.start..<s.end])) }
        }
        return try body(UnsafeRawBufferPointer(start: window.storage + s.start, count: s.end - s.start))
    }

    /// An owned copy of the current record.
    public func copyRecord() -> CSVRecord {
        var r = CSVRecord(line: recordLine)
        for i in 0..<spans.count { withField(i) { r.append($0, quoted: spans[i].quoted) } }
        return r
    }

    /// Advances to the next record. Returns false at the end of the input.
    public func readRecord() throws -> Bool {
        failure = nil
        if !bomChecked {
            while window.end - pos < 3 && !window.isAtEOF { try refill() }
            let p = window.storage
            if window.end - pos >= 3 && p[pos] == 0xEF && p[pos + 1] == 0xBB && p[pos + 2] == 0xBF { pos += 3 }
            bomChecked = true
        }
        while true {
            switch try scan() {
            case .needMore:
                try refill()
            case .endOfInput:
                spans.removeAll(keepingCapacity: true)
                return false
            case .record(let next, let nextLine):
                recordLine = line
                line = nextLine
                pos = next
                unescape()
                return true
            }
        }
    }

    /// After `readRecord()` threw a syntax error, skips the rest of the physical line on which the
    /// error was found (to the end of the input for an unterminated quote), so that reading resumes
    /// with the next line. Does nothing if the last call did not fail.
    public func skipAfterError() throws {
        guard let f = failure else { return }
        failure = nil
        pos = f.index
        line = f.line
        while true {
            let p = window.storage
            let end = window.end
            var i = pos
            while i < end && p[i] != CSVReader.lf && p[i] != CSVReader.cr { i += 1 }
            if i == end {
                pos = end
                if window.isAtEOF { return }
                try refill()
                continue
            }
            if p[i] == CSVReader.cr && i + 1 == end && !window.isAtEOF {
                pos = i
                try refill()
                continue
            }
            i += (p[i] == CSVReader.cr && i + 1 < end && p[i + 1] == CSVReader.lf) ? 2 : 1
            pos = i
            line += 1
            return
        }
    }

    private func refill() throws {
        try window.refill(keepingFrom: pos)
        pos = 0
    }

    private enum ScanResult {
        case needMore
        case endOfInput
        case record(next: Int, nextLine: Int)
    }

    /// Scans one record from `pos`. Consumes blank lines; otherwise changes nothing but `spans`
    /// unless the record is complete, so it can be restarted after a refill.
    private func scan() throws -> ScanResult {
        let p = window.storage
        let end = window.end
        let eof = window.isAtEOF
        let delim = delimiter
        let quote = CSVReader.quote, cr = CSVReader.cr, lf = CSVReader.lf

        var i = pos
        // Blank lines.
        while i < end && (p[i] == lf || p[i] == cr) {
            if p[i] == cr {
                if i + 1 == end && !eof { return .needMore }
                if i + 1 < end && p[i + 1] == lf { i += 1 }
            }
            i += 1
            line += 1
            pos = i
        }
        if i == end { return eof ? .endOfInput : .needMore }

        spans.removeAll(keepingCapacity: true)
        var ln = line
        var lineStart = i
        while true {
            if i == end {
                // Only after a delimiter: the input ends with an empty last field.
                if !eof { return .needMore }
                spans.append(Span(start: i, end: i, quoted: false, escaped: false))
                return .record(next: i, nextLine: ln)
            }
            if p[i] == quote {
                let openLine = ln, openColumn = i - lineStart + 1
                i += 1
                let contentStart = i
                var contentEnd = i
                var escaped = false
                while true {
                    if i == end {
                        if !eof { return .needMore }
                        failure = (end, ln)
                        throw TextInputError(.unterminatedQuotedField, line: openLine, column: openColumn)
                    }
                    let b = p[i]
                    if b == quote {
                        if i + 1 == end && !eof { return .needMore }
                        if i + 1 < end && p[i + 1] == quote {
                            escaped = true
                            i += 2
                            continue
                        }
                        contentEnd = i
                        i += 1
                        break
                    } else if b == lf {
                        i += 1
                        ln += 1
                        lineStart = i
                    } else if b == cr {
                        if i + 1 == end && !eof { return .needMore }
                        i += (i + 1 < end && p[i + 1] == lf) ? 2 : 1
                        ln += 1
                        lineStart = i
                    } else {
                        i += 1
                    }
                }
                spans.append(Span(start: contentStart, end: contentEnd, quoted: true, escaped: escaped))
                if i < end {
                    let b = p[i]
                    if b != delim && b != cr && b != lf {
                        failure = (i, ln)
                        throw TextInputError(.charactersAfterClosingQuote, line: ln, column: i - lineStart + 1)
                    }
                }
            } else {
                let start = i
                while i < end {
                    let b = p[i]
                    if b == delim || b == lf || b == cr { break }
                    if b == quote {
                        failure = (i, ln)
                        throw TextInputError(.strayQuote, line: ln, column: i - lineStart + 1)
                    }
                    i += 1
                }
                if i == end && !eof { return .needMore }
                spans.append(Span(start: start, end: i, quoted: false, escaped: false))
            }
            // After a field: delimiter, line end, or end of input.
            if i == end { return .record(next: i, nextLine: ln) }
            let b = p[i]
            if b == delim {
                i += 1
                continue
            }
            if b == cr {
                if i + 1 == end && !eof { return .needMore }
                i += (i + 1 < end && p[i + 1] == lf) ? 2 : 1
            } else {
                i += 1  // LF
            }
            return .record(next: i, nextLine: ln + 1)
        }
    }

    /// Moves fields holding `""` pairs into `scratch`, unescaped.
    private func unescape() {
        scratch.removeAll(keepingCapacity: true)
        let p = window.storage
        for k in spans.indices where spans[k].escaped {
            let s = spans[k]
            let start = scratch.count
            var i = s.start
            while i < s.end {
                scratch.append(p[i])
                i += p[i] == CSVReader.quote ? 2 : 1
            }
            spans[k].start = start
            spans[k].end = scratch.count
        }
    }
}

/// An owned copy of one CSV record (see `CSVReader.copyRecord()`).
public struct CSVRecord: CSVFields, Sendable, Equatable {
    public var bytes: [UInt8] = []
    /// End offset in `bytes` of each field.
    public var ends: [Int] = []
    public var quoted: [Bool] = []
    public var recordLine: Int

    public init(line: Int) { recordLine = line }

    public mutating func append(_ field: UnsafeRawBufferPointer, quoted q: Bool) {
        bytes.append(contentsOf: field)
        ends.append(bytes.count)
        quoted.append(q)
    }

    public var fieldCount: Int { ends.count }
    public func isQuoted(_ i: Int) -> Bool { quoted[i] }
    public func withField<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = i == 0 ? 0 : ends[i - 1]
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<ends[i]])) }
    }
}
