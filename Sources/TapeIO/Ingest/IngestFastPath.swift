#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TapeCodec
import TapeFormat

// The ingest fast path: a row line of a declared table whose keys come in the order of the
// table's previous row is parsed straight from its bytes into the table's column batch, without a
// String per key or value, a JSONScalar array or a Value row.
//
//   line := ws "{" ws "\"$table\"" ws ":" ws "\"" name "\"" { ws "," ws "\"" key "\"" ws ":" ws value } ws "}" ws
//
// Only the plain cases are taken: keys and strings without escapes, numbers for int64/float64,
// ISO-8601 strings for timestamps, true/false for bool, null anywhere nullable. Anything else
// (another key order, an escape, a type conversion, a malformed line, a missing not-null column)
// makes `scanRow` return false having appended nothing; the caller then runs the general path
// (`NDJSONReader.parseLine` + `JSONRowConverter`), which accepts the line or reports its error.
// Both paths accept exactly the same rows with the same values.

/// What the fast path knows about one table: the key order to expect and per-row scratch.
struct FastRowPlan {
    /// Keys after `$table`, in the order of the last row the general path accepted: key `k` is
    /// `keyBytes[keyEnds[k - 1]..<keyEnds[k]]` (UTF-8; one flat array, so no per-key retain).
    private var keyBytes: [UInt8] = []
    private var keyEnds: [Int] = []
    /// Column index of each key.
    private var columns: [Int] = []
    private let types: [ColumnType]
    private let nullable: [Bool]
    private var slots: [Slot]
    private var seen: [Bool]

    private enum Slot {
        case null, int(Int64), double(Double), bool(Bool), bytes(start: Int, count: Int)
    }

    init(schema: Schema) {
        types = schema.columns.map(\.type)
        nullable = schema.columns.map(\.nullable)
        slots = Array(repeating: .null, count: schema.count)
        seen = Array(repeating: false, count: schema.count)
    }

    /// Learns the key order of a row the general path accepted (`keys[first...]`, all columns).
    mutating func learn(keys rowKeys: [String], from first: Int, schema: Schema) {
        let n = rowKeys.count - first
        if n == keyEnds.count && (0..<n).allSatisfy({ key($0).elementsEqual(rowKeys[first + $0].utf8) }) { return }
        keyBytes = []
        keyEnds = []
        columns = []
        for k in rowKeys[first...] {
            guard let c = schema.index(of: k) else {
                keyEnds = []
                columns = []
                return
            }
            keyBytes.append(contentsOf: k.utf8)
            keyEnds.append(keyBytes.count)
            columns.append(c)
        }
    }

    private func key(_ k: Int) -> ArraySlice<UInt8> { keyBytes[(k == 0 ? 0 : keyEnds[k - 1])..<keyEnds[k]] }

    /// If `line` starts with `{"$table":"NAME"` (NAME without escapes), NAME's bytes and a cursor
    /// just after its closing quote.
    static func tableTag(_ line: UnsafeRawBufferPointer) -> (name: UnsafeRawBufferPointer, cursor: JSONObjectParser.Cursor)? {
        guard let base = line.baseAddress else { return nil }
        var c = JSONObjectParser.Cursor(p: base.assumingMemoryBound(to: UInt8.self), n: line.count, line: 0)
        c.skipWhitespace()
        guard c.peek == UInt8(ascii: "{") else { return nil }
        c.i += 1
        c.skipWhitespace()
        let tag: StaticString = "\"$table\""
        guard c.i + tag.utf8CodeUnitCount <= c.n,
              memcmp(c.p + c.i, tag.utf8Start, tag.utf8CodeUnitCount) == 0 else { return nil }
        c.i += tag.utf8CodeUnitCount
        c.skipWhitespace()
        guard c.peek == UInt8(ascii: ":") else { return nil }
        c.i += 1
        c.skipWhitespace()
        guard let name = plainString(&c) else { return nil }
        return (UnsafeRawBufferPointer(start: c.p + name.lowerBound, count: name.count), c)
    }

    /// The bytes of a string at the cursor without escapes or control characters (quotes
    /// excluded), moving past it; nil (cursor unspecified) otherwise.
    private static func plainString(_ c: inout JSONObjectParser.Cursor) -> Range<Int>? {
        guard c.peek == UInt8(ascii: "\"") else { return nil }
        c.i += 1
        let start = c.i
        while c.i < c.n {
            let b = c.p[c.i]
            if b == UInt8(ascii: "\"") {
                c.i += 1
                return start..<(c.i - 1)
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { return nil }
            c.i += 1
        }
        return nil
    }

    private static func literal(_ c: inout JSONObjectParser.Cursor, _ word: StaticString) -> Bool {
        let k = word.utf8CodeUnitCount
        guard c.i + k <= c.n, memcmp(c.p + c.i, word.utf8Start, k) == 0 else { return false }
        c.i += k
        return true
    }

    /// Parses the rest of a row (after the table tag) into `batch`; false, with nothing appended,
    /// when the line needs the general path.
    mutating func scanRow(_ c: inout JSONObjectParser.Cursor, into batch: inout ColumnBatchBuilder) -> Bool {
        for i in 0..<seen.count { seen[i] = false }
        var position = 0
        while true {
            c.skipWhitespace()
            if c.peek == UInt8(ascii: "}") {
                c.i += 1
                break
            }
            guard c.peek == UInt8(ascii: ","), position < keyEnds.count else { return false }
            c.i += 1
            c.skipWhitespace()
            guard let key = Self.plainString(&c) else { return false }
            let expectedStart = position == 0 ? 0 : keyEnds[position - 1]
            guard keyEnds[position] - expectedStart == key.count,
                  key.count == 0 || keyBytes.withUnsafeBytes({ memcmp($0.baseAddress! + expectedStart, c.p + key.lowerBound, key.count) }) == 0
            else { return false }
            let column = columns[position]
            position += 1
            guard !seen[column] else { return false }
            seen[column] = true
            c.skipWhitespace()
            guard c.peek == UInt8(ascii: ":") else { return false }
            c.i += 1
            c.skipWhitespace()
            guard let slot = scanValue(&c, type: types[column]) else { return false }
            slots[column] = slot
        }
        c.skipWhitespace()
        guard c.i == c.n else { return false }
        for column in 0..<slots.count {
            if !seen[column] { slots[column] = .null }
            if case .null = slots[column], !nullable[column] { return false }
        }
        for column in 0..<slots.count {
            switch slots[column] {
            case .null: batch.appendNull(column)
            case .int(let v): batch.appendInt(column, v)
            case .double(let v): batch.appendDouble(column, v)
            case .bool(let v): batch.appendBool(column, v)
            case .bytes(let start, let count): batch.appendString(column, UnsafeRawBufferPointer(start: c.p + start, count: count))
            }
        }
        batch.endRow()
        return true
    }

    private func scanValue(_ c: inout JSONObjectParser.Cursor, type: ColumnType) -> Slot? {
        switch c.peek {
        case UInt8(ascii: "n"):
            return Self.literal(&c, "null") ? .null : nil
        case UInt8(ascii: "t"):
            return type == .bool && Self.literal(&c, "true") ? .bool(true) : nil
        case UInt8(ascii: "f"):
            return type == .bool && Self.literal(&c, "false") ? .bool(false) : nil
        case UInt8(ascii: "\""):
            guard type == .timestamp || type == .string, let r = Self.plainString(&c) else { return nil }
            let raw = UnsafeRawBufferPointer(start: c.p + r.lowerBound, count: r.count)
            if type == .timestamp { return Timestamps.parse(raw).map { .int($0) } }
            guard UTF8Validation.isASCII(raw) || UTF8Validation.isValid(raw, 0..<raw.count) else { return nil }
            return .bytes(start: r.lowerBound, count: r.count)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard let (range, isInteger) = try? JSONObjectParser.scanNumber(&c) else { return nil }
            let text = c.bytes(range)
            switch type {
            case .int64 where isInteger: return NumberParsing.parseInt64(text).map { .int($0) }
            case .float64: return NumberParsing.parseDouble(text).map { .double($0) }
            default: return nil
            }
        default:
            return nil
        }
    }
}
