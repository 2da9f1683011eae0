#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// One flat JSON object (RFC 8259), parsed straight from bytes:
//
//   object := ws "{" ws [ member { ws "," ws member } ] ws "}" ws
//   member := string ws ":" ws scalar
//   scalar := "null" | "true" | "false" | number | string
//   number := [ "-" ] ( "0" | [1-9] digit* ) [ "." digit+ ] [ ("e"|"E") [ "+"|"-" ] digit+ ]
//   string := '"' { unescaped | "\" ( '"' | "\" | "/" | "b" | "f" | "n" | "r" | "t" | "u" hex4 ) } '"'
//
// Nested objects and arrays are rejected (`nestedValue`) rather than stringified: a flat table has
// nowhere faithful to put them. Raw control characters in strings, lone surrogates, duplicate keys
// and invalid UTF-8 are errors. Columns in errors are 1-based byte offsets in the line.

struct JSONObjectParser {
    private var scratch: [UInt8] = []
    /// Keys of the previous object, reused when the next object spells them the same way.
    private var previousKeys: [String] = []
    /// The keys of the object being parsed, once it has more than `linearKeyLimit` (duplicate check).
    private var keySet: Set<String> = []
    private static let linearKeyLimit = 32

    /// Parses `line` (no line terminator) into `keys` / `values` (cleared first).
    mutating func parse(_ line: UnsafeRawBufferPointer, lineNumber: Int,
                        keys: inout [String], values: inout [JSONScalar]) throws {
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        guard let base = line.baseAddress else {
            throw TextInputError(.invalidJSON("expected an object"), line: lineNumber, column: 1)
        }
        var cursor = Cursor(p: base.assumingMemoryBound(to: UInt8.self), n: line.count, line: lineNumber)
        cursor.skipWhitespace()
        guard cursor.peek == UInt8(ascii: "{") else {
            if cursor.peek == UInt8(ascii: "[") { throw cursor.error(.nestedValue) }
            throw cursor.error(.invalidJSON("expected '{' at the start of the line"))
        }
        cursor.i += 1
        cursor.skipWhitespace()
        if cursor.peek == UInt8(ascii: "}") {
            cursor.i += 1
        } else {
            while true {
                cursor.skipWhitespace()
                guard cursor.peek == UInt8(ascii: "\"") else { throw cursor.error(.invalidJSON("expected a key string")) }
                let keyAt = cursor.i
                let key = try parseKey(&cursor, index: keys.count)
                if keys.count < Self.linearKeyLimit {
                    if keys.contains(key) { throw cursor.error(.duplicateKey(key), at: keyAt) }
                } else {
                    // One set per object, grown key by key: O(keys) per line, not O(keys²).
                    if keys.count == Self.linearKeyLimit { keySet = Set(keys) }
                    guard keySet.insert(key).inserted else { throw cursor.error(.duplicateKey(key), at: keyAt) }
                }
                cursor.skipWhitespace()
                guard cursor.peek == UInt8(ascii: ":") else { throw cursor.error(.invalidJSON("expected ':' after a key")) }
                cursor.i += 1
                cursor.skipWhitespace()
                let value = try parseScalar(&cursor)
                keys.append(key)
                values.append(value)
                cursor.skipWhitespace()
                if cursor.peek == UInt8(ascii: ",") {
                    cursor.i += 1
                    continue
                }
                guard cursor.peek == UInt8(ascii: "}") else { throw cursor.error(.invalidJSON("expected ',' or '}'")) }
                cursor.i += 1
                break
            }
        }
        cursor.skipWhitespace()
        guard cursor.i == cursor.n else { throw cursor.error(.invalidJSON("unexpected text after the object")) }
        if previousKeys != keys { previousKeys = keys }
    }

    struct Cursor {
        let p: UnsafePointer<UInt8>
        let n: Int
        let line: Int
        var i = 0

        init(p: UnsafePointer<UInt8>, n: Int, line: Int) {
            self.p = p
            self.n = n
            self.line = line
        }

        /// The byte at `i`, or 0 at the end.
        var peek: UInt8 { i < n ? p[i] : 0 }

        mutating func skipWhitespace() {
            while i < n {
                let b = p[i]
                guard b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A else { return }
                i += 1
            }
        }

        func error(_ problem: TextInputError.Problem, at position: Int? = nil) -> TextInputError {
            TextInputError(problem, line: line, column: (position ?? i) + 1)
        }

        func bytes(_ r: Range<Int>) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: p + r.lowerBound, count: r.count)
        }
    }

    private mutating func parseKey(_ c: inout Cursor, index: Int) throws -> String {
        // Fast path: an unescaped key equal to the previous object's key at the same position.
        if index < previousKeys.count {
            let start = c.i + 1
            var j = start
            while j < c.n, c.p[j] != UInt8(ascii: "\""), c.p[j] != UInt8(ascii: "\\") { j += 1 }
            if j < c.n, c.p[j] == UInt8(ascii: "\"") {
                let candidate = previousKeys[index]
                let raw = c.bytes(start..<j)
                let same = candidate.utf8.count == raw.count
                    && candidate.utf8.withContiguousStorageIfAvailable {
                        raw.count == 0 || memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0
                    } == true
                if same {
                    c.i = j + 1
                    return candidate
                }
            }
        }
        return try parseString(&c)
    }

    private mutating func parseScalar(_ c: inout Cursor) throws -> JSONScalar {
        switch c.peek {
        case UInt8(ascii: "\""): return .string(try parseString(&c))
        case UInt8(ascii: "n"): try literal(&c, "null"); return .null
        case UInt8(ascii: "t"): try literal(&c, "true"); return .bool(true)
        case UInt8(ascii: "f"): try literal(&c, "false"); return .bool(false)
        case UInt8(ascii: "{"), UInt8(ascii: "["): throw c.error(.nestedValue)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try JSONObjectParser.parseNumber(&c)
        case 0: throw c.error(.invalidJSON("expected a value"))
        default: throw c.error(.invalidJSON("unexpected character in a value"))
        }
    }

    private func literal(_ c: inout Cursor, _ word: StaticString) throws {
        let w = word.utf8Start
        let k = word.utf8CodeUnitCount
        guard c.i + k <= c.n else { throw c.error(.invalidJSON("invalid literal")) }
        for j in 0..<k where c.p[c.i + j] != w[j] { throw c.error(.invalidJSON("invalid literal")) }
        c.i += k
    }

    /// Parses a JSON number at the cursor: `.int` when it is an integer literal in Int64 range
    /// written canonically, else `.number` with its literal text (see `JSONScalar`).
    static func parseNumber(_ c: inout Cursor) throws -> JSONScalar {
        let (range, isInteger) = try scanNumber(&c)
        let text = c.bytes(range)
        if isInteger, !(text.count > 1 && text[0] == UInt8(ascii: "-") && text[1] == UInt8(ascii: "0")),
           let v = NumberParsing.parseInt64(text) {
            return .int(v)
        }
        return .number(String(decoding: text, as: UTF8.self))
    }

    /// Moves past a JSON number (grammar above) at the cursor; its byte range and whether it has
    /// neither fraction nor exponent. Throws `invalidJSON` at the first byte that breaks the grammar.
    static func scanNumber(_ c: inout Cursor) throws -> (range: Range<Int>, isInteger: Bool) {
        let start = c.i
        var isInteger = true
        if c.peek == UInt8(ascii: "-") { c.i += 1 }
        if c.peek == UInt8(ascii: "0") {
            c.i += 1
        } else if NumberParsing.isDigit(c.peek) && c.i < c.n {
            while c.i < c.n, NumberParsing.isDigit(c.p[c.i]) { c.i += 1 }
        } else {
            throw c.error(.invalidJSON("invalid number"))
        }
        if c.peek == UInt8(ascii: ".") {
            isInteger = false
            c.i += 1
            guard c.i < c.n, NumberParsing.isDigit(c.p[c.i]) else { throw c.error(.invalidJSON("invalid number")) }
            while c.i < c.n, NumberParsing.isDigit(c.p[c.i]) { c.i += 1 }
        }
        if c.peek == UInt8(ascii: "e") || c.peek == UInt8(ascii: "E") {
            isInteger = false
            c.i += 1
            if c.peek == UInt8(ascii: "+") || c.peek == UInt8(ascii: "-") { c.i += 1 }
            guard c.i < c.n, NumberParsing.isDigit(c.p[c.i]) else { throw c.error(.invalidJSON("invalid number")) }
            while c.i < c.n, NumberParsing.isDigit(c.p[c.i]) { c.i += 1 }
        }
        return (start..<c.i, isInteger)
    }

    /// Parses a string starting at its opening quote.
    private mutating func parseString(_ c: inout Cursor) throws -> String {
        let open = c.i
        c.i += 1
        let start = c.i
        // Fast path: no escapes.
        while c.i < c.n {
            let b = c.p[c.i]
            if b == UInt8(ascii: "\"") {
                let raw = c.bytes(start..<c.i)
                c.i += 1
                guard let s = TextValues.string(raw) else { throw c.error(.invalidUTF8, at: start) }
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw c.error(.invalidJSON("control character in a string")) }
            c.i += 1
        }
        if c.i >= c.n { throw c.error(.invalidJSON("unterminated string"), at: open) }

        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: c.bytes(start..<c.i))
        while true {
            guard c.i < c.n else { throw c.error(.invalidJSON("unterminated string"), at: open) }
            let b = c.p[c.i]
            if b == UInt8(ascii: "\"") {
                c.i += 1
                let s = scratch.withUnsafeBytes { TextValues.string($0) }
                guard let s else { throw c.error(.invalidUTF8, at: start) }
                return s
            }
            if b < 0x20 { throw c.error(.invalidJSON("control character in a string")) }
            if b != UInt8(ascii: "\\") {
                scratch.append(b)
                c.i += 1
                continue
            }
            let escapeAt = c.i
            c.i += 1
            guard c.i < c.n else { throw c.error(.invalidJSON("unterminated string"), at: open) }
            let e = c.p[c.i]
            c.i += 1
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(&c, escapeAt: escapeAt)
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard c.i + 1 < c.n, c.p[c.i] == UInt8(ascii: "\\"), c.p[c.i + 1] == UInt8(ascii: "u") else {
                        throw c.error(.invalidJSON("unpaired surrogate"), at: escapeAt)
                    }
                    c.i += 2
                    let low = try hex4(&c, escapeAt: escapeAt)
                    guard low >= 0xDC00 && low <= 0xDFFF else {
                        throw c.error(.invalidJSON("unpaired surrogate"), at: escapeAt)
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    throw c.error(.invalidJSON("unpaired surrogate"), at: escapeAt)
                }
                appendUTF8(scalar)
            default:
                throw c.error(.invalidJSON("invalid escape"), at: escapeAt)
            }
        }
    }

    private func hex4(_ c: inout Cursor, escapeAt: Int) throws -> UInt32 {
        guard c.i + 4 <= c.n else { throw c.error(.invalidJSON("invalid \\u escape"), at: escapeAt) }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = c.p[c.i]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - 55)
            default: throw c.error(.invalidJSON("invalid \\u escape"), at: escapeAt)
            }
            v = v << 4 | d
            c.i += 1
        }
        return v
    }

    private mutating func appendUTF8(_ v: UInt32) {
        switch v {
        case 0..<0x80:
            scratch.append(UInt8(v))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | v >> 6))
            scratch.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | v >> 12))
            scratch.append(UInt8(0x80 | v >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | v & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | v >> 18))
            scratch.append(UInt8(0x80 | v >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | v >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | v & 0x3F))
        }
    }
}
