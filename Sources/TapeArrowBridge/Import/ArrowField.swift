import CArrowABI
import TapeFormat

/// One column of an Arrow record batch handed to Tape through the C Data Interface, read from its
/// `ArrowSchema` (arrow.apache.org/docs/format/CDataInterface.html, "Data type description -
/// format strings"). Only what Tape can store is accepted:
///
///   n                      null (every value null; takes the type of the table's column)
///   b                      bool                                   -> bool
///   c C s S i I l L        int8 uint8 int16 uint16 int32 uint32 int64 uint64 -> int64
///   f g                    float32 float64                        -> float64
///   u U                    utf8, large utf8                        -> string
///   tdD tdm                date32 (days), date64 (ms)              -> timestamp (midnight UTC)
///   tss: tsm: tsu: tsn:    timestamp s/ms/us/ns, any time zone     -> timestamp (the UTC instant;
///                          a zone-less timestamp is read as UTC)
///   tDs tDm tDu tDn        duration                                -> duration (nanoseconds)
///   dictionary             indices of any integer type over utf8 / large utf8 values -> string
///
/// Anything else (nested types, decimals, binary, views) is refused with the column's name.
struct ArrowField {
    /// How one value is laid out in the array's buffers.
    enum Layout: Equatable {
        case null
        case bool
        /// A fixed-width integer of `bytes` bytes.
        case integer(bytes: Int, signed: Bool)
        case float(bytes: Int)
        /// utf8 (`int32` offsets) or large utf8 (`int64` offsets).
        case utf8(large: Bool)
        /// A 32- or 64-bit integer whose values times `nanos` are nanoseconds (timestamps, dates,
        /// durations).
        case scaled(bytes: Int, nanos: Int64)
    }

    var name: String
    /// The layout of the values (for a dictionary column: of its indices).
    var layout: Layout
    /// The layout of the dictionary's values, for a dictionary-encoded column.
    var dictionary: Layout?
    /// The Tape type this column stores as, when the table is created from it (nil for `null`).
    var naturalType: ColumnType?

    /// Reads the children of a struct schema (`+s`), the form a record batch takes.
    static func fields(of schema: UnsafePointer<ArrowSchema>) throws(BridgeError) -> [ArrowField] {
        let s = schema.pointee
        guard s.release != nil else { throw .invalid("the ArrowSchema is released (release is NULL)") }
        guard let format = s.format.map({ String(cString: $0) }) else { throw .invalid("the ArrowSchema has a NULL format") }
        guard format == "+s" else {
            throw .invalid("expected a record batch (struct schema '+s'), got format '\(format)'")
        }
        guard s.n_children >= 0, s.n_children <= Int64(Schema.maxColumns) else {
            throw .invalid("the batch has \(s.n_children) columns (1...\(Schema.maxColumns) allowed)")
        }
        guard s.n_children == 0 || s.children != nil else { throw .invalid("the ArrowSchema's children are NULL") }
        var out: [ArrowField] = []
        for i in 0..<Int(s.n_children) {
            guard let child = s.children?[i] else { throw .invalid("child schema \(i) is NULL") }
            out.append(try ArrowField(UnsafePointer(child), position: i))
        }
        return out
    }

    init(_ schema: UnsafePointer<ArrowSchema>, position: Int) throws(BridgeError) {
        let s = schema.pointee
        name = s.name.map { String(cString: $0) } ?? ""
        guard !name.isEmpty else { throw .invalid("column \(position) of the batch has no name") }
        guard let format = s.format.map({ String(cString: $0) }) else { throw .invalid("column '\(name)': NULL format") }
        guard s.n_children == 0 else { throw .invalid("column '\(name)': nested type '\(format)' is not supported (Tape stores int64, float64, bool, string, timestamp and duration columns)") }
        if let dict = s.dictionary {
            let indices = try Self.layout(format, column: name)
            guard case .integer = indices else { throw .invalid("column '\(name)': dictionary indices must be integers, got format '\(format)'") }
            let valueFormat = dict.pointee.format.map { String(cString: $0) } ?? ""
            let values = try Self.layout(valueFormat, column: name)
            guard case .utf8 = values else {
                throw .invalid("column '\(name)': only dictionaries of strings are supported (values have format '\(valueFormat)'); decode the column first")
            }
            layout = indices
            dictionary = values
            naturalType = .string
            return
        }
        layout = try Self.layout(format, column: name)
        dictionary = nil
        switch layout {
        case .null: naturalType = nil
        case .bool: naturalType = .bool
        case .integer: naturalType = .int64
        case .float: naturalType = .float64
        case .utf8: naturalType = .string
        case .scaled: naturalType = format.hasPrefix("tD") ? .duration : .timestamp
        }
    }

    /// The layout of an Arrow format string, or a clear refusal.
    static func layout(_ format: String, column: String) throws(BridgeError) -> Layout {
        switch format {
        case "n": return .null
        case "b": return .bool
        case "c": return .integer(bytes: 1, signed: true)
        case "C": return .integer(bytes: 1, signed: false)
        case "s": return .integer(bytes: 2, signed: true)
        case "S": return .integer(bytes: 2, signed: false)
        case "i": return .integer(bytes: 4, signed: true)
        case "I": return .integer(bytes: 4, signed: false)
        case "l": return .integer(bytes: 8, signed: true)
        case "L": return .integer(bytes: 8, signed: false)
        case "f": return .float(bytes: 4)
        case "g": return .float(bytes: 8)
        case "u": return .utf8(large: false)
        case "U": return .utf8(large: true)
        case "tdD": return .scaled(bytes: 4, nanos: 86_400_000_000_000)
        case "tdm": return .scaled(bytes: 8, nanos: 1_000_000)
        case "tDs": return .scaled(bytes: 8, nanos: 1_000_000_000)
        case "tDm": return .scaled(bytes: 8, nanos: 1_000_000)
        case "tDu": return .scaled(bytes: 8, nanos: 1_000)
        case "tDn": return .scaled(bytes: 8, nanos: 1)
        default: break
        }
        if format.hasPrefix("ts"), format.count >= 4, Array(format)[3] == ":" {
            switch Array(format)[2] {
            case "s": return .scaled(bytes: 8, nanos: 1_000_000_000)
            case "m": return .scaled(bytes: 8, nanos: 1_000_000)
            case "u": return .scaled(bytes: 8, nanos: 1_000)
            case "n": return .scaled(bytes: 8, nanos: 1)
            default: break
            }
        }
        throw .invalid("column '\(column)': Arrow type '\(format)' is not supported (Tape stores int64, float64, bool, string and timestamp columns; cast it first)")
    }
}
