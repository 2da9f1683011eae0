import TapeFormat

/// Why a text field did not convert to a column's type.
public enum ValueParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `text` (possibly shortened) is not a value of `expected`.
    case invalid(expected: ColumnType, text: String)
    /// A string field is not valid UTF-8.
    case invalidUTF8

    public var description: String {
        switch self {
        case .invalid(let t, let text): return "expected \(t), got \"\(text)\""
        case .invalidUTF8: return "invalid UTF-8"
        }
    }
}

/// Converts one text field to a `Value` of a given column type.
///
/// Rules (the same ones `TypeInference` uses to guess types):
/// - null: an empty field, or `NULL` / `null` / `NA`. For string columns a **quoted** field is never
///   null (`""` is the empty string, `"NA"` the two letters); for other types quoting is ignored.
/// - int64: `[+-]digits` that fit in Int64.
/// - float64: decimal or exponent notation, `inf`, `-inf`, `infinity`, `nan` (any case); a
///   literal beyond the double range (`1e400`) is not a float64 (it is not read as inf).
/// - bool: `true True TRUE false False FALSE` (not 0/1).
/// - timestamp: the ISO-8601 forms of `Timestamps.parse` (not integers).
/// - string: the bytes as they are (must be valid UTF-8).
/// Spaces and tabs around non-string values are ignored.
public enum ValueParser {
    /// True when `field` is a null marker (empty, `NULL`, `null`, `NA`), ignoring quoting.
    public static func isNullToken(_ field: UnsafeRawBufferPointer) -> Bool { TextValues.isNullToken(field) }

    /// Converts `text` to a value of `type`; `quoted` says whether the CSV field was quoted.
    public static func parse(_ text: String, as type: ColumnType, quoted: Bool = false) throws(ValueParseError) -> Value {
        var text = text
        let result = text.withUTF8 { u in
            Result { () throws(ValueParseError) -> Value in try parse(UnsafeRawBufferPointer(u), as: type, quoted: quoted) }
        }
        return try result.get()
    }

    /// Converts the bytes of one field to a value of `type`.
    public static func parse(_ field: UnsafeRawBufferPointer, as type: ColumnType, quoted: Bool) throws(ValueParseError) -> Value {
        if type == .string {
            if !quoted && TextValues.isNullToken(field) { return .null }
            guard let s = TextValues.string(field) else { throw .invalidUTF8 }
            return .string(s)
        }
        let b = TextValues.trimmed(field)
        if b.count == 0 || TextValues.isNullToken(b) { return .null }
        switch type {
        case .int64:
            if let v = NumberParsing.parseInt64(b) { return .int(v) }
        case .float64:
            if let v = NumberParsing.parseDouble(b) { return .double(v) }
        case .bool:
            if let v = TextValues.parseBool(b) { return .bool(v) }
        case .timestamp:
            if let v = Timestamps.parse(b) { return .timestamp(v) }
        case .duration:
            // Nanoseconds, DuckDB/pandas text (2 days 03:00:00) or ISO-8601 (P2DT3H).
            if let v = Durations.parse(String(decoding: b, as: UTF8.self)) { return .int(v) }
        case .string:
            break
        }
        throw .invalid(expected: type, text: TextValues.excerpt(field))
    }
}
