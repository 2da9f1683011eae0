import TapeFormat

/// A problem in CSV or NDJSON input, with the place it happened.
///
/// `line` is the 1-based line of the file where the offending record starts (0 when the problem is
/// not tied to a line, e.g. a file that cannot be opened). `column` is a 1-based **byte** offset
/// within the line where the problem was found, when the reader knows it. `field` names the column
/// (header name or JSON key) when the problem concerns one value.
public struct TextInputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Problem: Equatable, Sendable, CustomStringConvertible {
        // CSV syntax
        case unterminatedQuotedField
        case strayQuote
        case charactersAfterClosingQuote
        // NDJSON syntax
        case invalidJSON(String)
        case nestedValue
        case duplicateKey(String)
        // Shape and values
        case wrongFieldCount(expected: Int, found: Int)
        case invalidValue(expected: ColumnType, text: String)
        case invalidUTF8
        case nullInNonNullableColumn
        case missingColumn(String)
        case unexpectedColumn(String)
        case badHeader(String)
        case emptyInput
        // Ingest framing (`tape ingest`)
        case invalidRecord(String)
        // Environment
        case invalidOption(String)
        case io(String)

        public var description: String {
            switch self {
            case .unterminatedQuotedField: return "quoted field is not closed before the end of the input"
            case .strayQuote: return "stray quote in an unquoted field"
            case .charactersAfterClosingQuote: return "characters after the closing quote of a field"
            case .invalidJSON(let why): return "invalid JSON: \(why)"
            case .nestedValue: return "nested objects and arrays are not supported (values must be scalars)"
            case .duplicateKey(let k): return "duplicate key \"\(k)\""
            case .wrongFieldCount(let e, let f): return "expected \(e) fields, found \(f)"
            case .invalidValue(.timestamp, let text) where TimestampRange.isOutOfRange(text):
                return "timestamp \"\(text)\" is outside the range Tape stores (\(TimestampRange.first) to \(TimestampRange.last): int64 nanoseconds since 1970)"
            case .invalidValue(let t, let text): return "expected \(t), got \"\(text)\""
            case .invalidUTF8: return "invalid UTF-8"
            case .nullInNonNullableColumn: return "null in a non-nullable column"
            case .missingColumn(let c): return "column '\(c)' of the schema is missing from the input"
            case .unexpectedColumn(let c): return "column '\(c)' is not in the schema"
            case .badHeader(let why): return "bad header: \(why)"
            case .emptyInput: return "the input is empty"
            case .invalidRecord(let why): return why
            case .invalidOption(let why): return "invalid option: \(why)"
            case .io(let why): return why
            }
        }
    }

    public var problem: Problem
    public var line: Int
    public var column: Int?
    public var field: String?

    public init(_ problem: Problem, line: Int, column: Int? = nil, field: String? = nil) {
        self.problem = problem
        self.line = line
        self.column = column
        self.field = field
    }

    /// E.g. `line 12, column 7: stray quote in an unquoted field` or
    /// `line 3, field 'price': expected float64, got "abc"`.
    public var description: String {
        var place: [String] = []
        if line > 0 { place.append("line \(line)") }
        if let c = column { place.append("column \(c)") }
        if let f = field { place.append("field '\(f)'") }
        return place.isEmpty ? problem.description : place.joined(separator: ", ") + ": " + problem.description
    }
}
