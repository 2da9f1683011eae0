import TapeFormat

/// Guesses a `ColumnType` per column from sample values.
///
/// Each non-null sample is classified as int, float, bool, timestamp or string (rules in
/// `ValueParser`). A column's type is then:
/// - string if any sample is a string, if the samples mix families (numbers, bools, timestamps),
///   or if every sample is null;
/// - float64 if numbers include a float (ints and floats mix into float64), else int64;
/// - bool or timestamp when all samples are of that family.
/// For JSON scalars: numbers are int or float as parsed, strings are timestamps when
/// `Timestamps.parse` accepts them and strings otherwise.
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
        if NumberParsing.parseInt64(b) != nil { return .int }
        if NumberParsing.parseDouble(b) != nil { return .float }
        if Timestamps.parse(b) != nil { return .timestamp }
        return .string
    }

    /// The kind of one JSON scalar, or `[]` for null.
    public static func classify(_ scalar: JSONScalar) -> Kinds {
        switch scalar {
        case .null: return []
        case .bool: return .bool
        case .int: return .int
        case .double: return .float
        case .string(let s): return Timestamps.parse(s) != nil ? .timestamp : .string
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
        if k.isEmpty || k.contains(.string) { return .string }
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
