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
package struct ArrowField {
    /// How one value is laid out in the array's buffers.
    package enum Layout: Equatable {
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

    package var name: String
    /// The layout of the values (for a dictionary column: of its indices).
    package var layout: Layout
    /// The layout of the dictionary's values, for a dictionary-encoded column.
    package var dictionary: Layout?
    /// The Tape type this column stores as, when the table is created from it (nil for `null`).
    package var naturalType: ColumnType?

    /// Reads the children of a struct schema (`+s`), the form a record batch takes.
    package static func fields(of schema: UnsafePointer<ArrowSchema>) throws(ArrowImportError) -> [ArrowField] {
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

    package init(_ schema: UnsafePointer<ArrowSchema>, position: Int) throws(ArrowImportError) {
        let s = schema.pointee
        let name = s.name.map { String(cString: $0) } ?? ""
        guard !name.isEmpty else { throw .invalid("column \(position) of the batch has no name") }
        guard let format = s.format.map({ String(cString: $0) }) else { throw .invalid("column '\(name)': NULL format") }
        guard s.n_children == 0 else { throw .invalid("column '\(name)': nested type '\(format)' is not supported (Tape stores int64, float64, bool, string, timestamp and duration columns)") }
        let valueFormat = s.dictionary.map { d in d.pointee.format.map { String(cString: $0) } ?? "" }
        try self.init(name: name, format: format, dictionaryValueFormat: valueFormat)
    }

    /// A column from its C Data Interface format string: `format` is the type of the values, or
    /// for a dictionary-encoded column (`dictionaryValueFormat` not nil) the type of its indices.
    package init(name: String, format: String, dictionaryValueFormat: String?) throws(ArrowImportError) {
        self.name = name
        if let valueFormat = dictionaryValueFormat {
            let indices = try Self.layout(format, column: name)
            guard case .integer = indices else { throw .invalid("column '\(name)': dictionary indices must be integers, got format '\(format)'") }
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

    /// The schema a new table gets from these columns, all nullable, each of its natural type; a
    /// column of type null is refused (its type is unknown).
    package static func naturalSchema(table: String, _ fields: [ArrowField]) throws(ArrowImportError) -> Schema {
        var defs: [ColumnDef] = []
        for f in fields {
            guard let type = f.naturalType else {
                throw .invalid("column '\(f.name)' of table '\(table)' holds only nulls in the table's first batch, so its type is unknown: give the first batch a typed column (e.g. astype('float64'))")
            }
            defs.append(ColumnDef(f.name, type))
        }
        do { return try Schema(defs) } catch { throw .invalid("table '\(table)': \(error)") }
    }

    /// The layout of an Arrow format string, or a clear refusal.
    package static func layout(_ format: String, column: String) throws(ArrowImportError) -> Layout {
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
