import TapeFormat

/// Guesses a `ColumnType` per column from sample values.
///
/// Each non-null sample is classified as int, float, bool, timestamp or string (rules in
/// `ValueParser`). A column's type is then:
/// - string if any sample is a string, if the samples mix families (numbers, bools, timestamps),
///   or if every sample is null;
/// - float64 if numbers include a float (ints and floats mix into float64), else int64;
/// - bool or timestamp when all samples are of that family;
/// - string, keeping every value's text exactly, when the numbers fit no numeric type without
///   changing a value: an integer outside Int64 (`9223372036854775808`), a literal beyond the
///   float64 range (`1e400`, which would become inf), or an integer beyond
///   ±2^53 (not exact as a double) among floats. Text fields with a redundant leading zero
///   (`007`, ZIP codes) are strings too, as an int64 would drop the zeros.
/// For JSON scalars: numbers are int or float as parsed; the strings `"NaN"`, `"Infinity"` and
/// `"-Infinity"` (how Tape's JSON output writes non-finite floats) are floats; other strings are
/// timestamps when `Timestamps.parse` accepts them and strings otherwise.
public struct TypeInference: Sendable {
    /// Which kinds of value a column has shown.
    public struct Kinds: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let int = Kinds(rawValue: 1)
        public static let float = Kinds(rawValue: 2)
        public static let bool = Kinds(rawValue: 4)
        public static let timestamp = Kinds(rawValue: 8)
        public static let string = Kinds(rawValue: 16)
        /// A number no numeric type holds: an integer outside Int64, or a literal beyond the
        /// float64 range (`1e400`).
        public static let unrepresentable = Kinds(rawValue: 32)
        /// An Int64 beyond ±2^53, which a float64 would round.
        public static let wideInt = Kinds(rawValue: 64)

        /// The kinds of the integer `v`.
        static func of(_ v: Int64) -> Kinds { v.magnitude > 1 << 53 ? [.int, .wideInt] : .int }
    }

    /// Kinds seen per column (grows as columns are observed).
    public private(set) var kinds: [Kinds]

    public init(columnCount: Int = 0) {
        kinds = Array(repeating: [], count: columnCount)
    }

    /// The kind of one text field, or `[]` for a null marker.
    public static func classify(_ field: UnsafeRawBufferPointer) -> Kinds {
        let b = TextValues.trimmed(field)
        if b.count == 0 || TextValues.isNullToken(b) { return [] }
        if TextValues.parseBool(b) != nil { return .bool }
        if NumberParsing.isIntegerSyntax(b) {
            if NumberParsing.hasLeadingZero(b) { return .string }
            return NumberParsing.parseInt64(b).map(Kinds.of) ?? .unrepresentable
        }
        if NumberParsing.parseDouble(b) != nil { return .float }
        if Timestamps.parse(b) != nil { return .timestamp }
        return .string
    }

    /// The kind of one JSON scalar, or `[]` for null.
    public static func classify(_ scalar: JSONScalar) -> Kinds {
        switch scalar {
        case .null: return []
        case .bool: return .bool
        case .int(let v): return Kinds.of(v)
        case .number(var text):
            let integral = text.withUTF8 { NumberParsing.isIntegerSyntax(UnsafeRawBufferPointer($0)) }
            if !integral { return scalar.doubleValue == nil ? .unrepresentable : .float }
            return scalar.exactInt64.map(Kinds.of) ?? .unrepresentable  // `-0` is an int
        case .string(let s):
            // How Tape's own JSON output spells non-finite floats (`CellStyle.json`).
            if s == "NaN" || s == "Infinity" || s == "-Infinity" { return .float }
            return Timestamps.parse(s) != nil ? .timestamp : .string
        }
    }

    /// Records one text field of column `column`.
    public mutating func observe(_ field: UnsafeRawBufferPointer, column: Int) {
        grow(to: column)
        kinds[column].formUnion(TypeInference.classify(field))
    }

    /// Records one JSON value of column `column`.
    public mutating func observe(_ scalar: JSONScalar, column: Int) {
        grow(to: column)
        kinds[column].formUnion(TypeInference.classify(scalar))
    }

    /// Records one text value (convenience for tests).
    public mutating func observe(_ text: String, column: Int) {
        var text = text
        text.withUTF8 { observe(UnsafeRawBufferPointer($0), column: column) }
    }

    private mutating func grow(to column: Int) {
        if column >= kinds.count { kinds.append(contentsOf: repeatElement([], count: column + 1 - kinds.count)) }
    }

    /// The type for a set of observed kinds.
    public static func resolve(_ k: Kinds) -> ColumnType {
        if k.isEmpty || k.contains(.string) || k.contains(.unrepresentable) { return .string }
        if k.contains(.wideInt) && k.contains(.float) { return .string }
        let numeric = !k.isDisjoint(with: [.int, .float])
        let families = (numeric ? 1 : 0) + (k.contains(.bool) ? 1 : 0) + (k.contains(.timestamp) ? 1 : 0)
        if families > 1 { return .string }
        if k.contains(.bool) { return .bool }
        if k.contains(.timestamp) { return .timestamp }
        return k.contains(.float) ? .float64 : .int64
    }

    /// The inferred type of every observed column.
    public var columnTypes: [ColumnType] { kinds.map(TypeInference.resolve) }

    /// The type inferred from `samples` of one column (convenience).
    public static func inferType<S: Sequence>(_ samples: S) -> ColumnType where S.Element == String {
        var t = TypeInference(columnCount: 1)
        for s in samples { t.observe(s, column: 0) }
        return t.columnTypes[0]
    }
}
