import TapeFormat

/// The one in-memory layout of a column's values, shared by storage (`ColumnData`: what the writer
/// buffers and what a block decodes to) and the query engine (`Vector`), so a decoded block becomes
/// a query vector by handing its buffers over: no conversion, no copy.
///
/// The array cases are **spread**: one slot per row, and a null row's slot holds a placeholder
/// (0, 0.0, false, or string/dictionary index 0 / empty string) that must be ignored. Each is laid
/// out as an Apache Arrow array's: booleans bit-packed LSB first (`Bitmap`), numbers as contiguous
/// 8-byte values, strings as offsets + UTF-8 bytes (`StringArray`), dictionary strings as 32-bit
/// indices into a `StringArray`. Validity and the row count live beside the layout (`ColumnData`,
/// `Vector`), since `.constant` holds no array.
///
/// Case names follow Arrow's types, one name per case across the codebase.
public enum ColumnLayout: Sendable, Equatable {
    /// int64, timestamp and duration columns. A duration's slots are nanoseconds; the query engine
    /// reads them as INTERVAL values lazily (`Interval(durationNanos:)` per use), never converting
    /// the array when it scans one.
    case int64([Int64])
    case float64([Double])
    /// Bit-packed, Arrow's boolean layout (bit i = row i, 1 = true).
    case bool(Bitmap)
    /// Plain strings, one per row.
    case strings(StringArray)
    /// Dictionary strings: `indices[row]` indexes `entries` (a null row's index is 0 and ignored;
    /// a stored chunk whose rows are all null may have no entries; entries may repeat, e.g. after
    /// `upper()` mapped two of them to one).
    case dictionary(entries: StringArray, indices: [UInt32])
    /// Computed INTERVAL values (calendar months, days, nanoseconds: no fixed length, so no int64
    /// form). Only the query engine makes them; storage never holds one (the writer refuses it).
    case interval([Interval])
    /// The same value on every row (a literal, a run's metadata); `.null` is all-null. Expanded
    /// (`repeating(_:count:)`) only where a consumer needs slots.
    case constant(Datum)

    /// Slots in the array; nil for `.constant`, which has none.
    public var arrayCount: Int? {
        switch self {
        case .int64(let v): return v.count
        case .float64(let v): return v.count
        case .bool(let v): return v.count
        case .strings(let s): return s.count
        case .dictionary(_, let idx): return idx.count
        case .interval(let v): return v.count
        case .constant: return nil
        }
    }

    /// Approximate bytes held (for memory budgets); a constant's one value counts as nothing.
    public var approximateBytes: Int {
        switch self {
        case .int64(let a): return a.count * 8
        case .float64(let a): return a.count * 8
        case .bool(let a): return a.words.count * 8
        case .strings(let a): return a.approximateBytes
        case .dictionary(let e, let i): return i.count * 4 + e.approximateBytes
        case .interval(let a): return a.count * MemoryLayout<Interval>.stride
        case .constant: return 0
        }
    }

    /// `d` on each of `count` slots (timestamps as `.int64`, a string as a one-entry dictionary);
    /// nil for `.null`, whose placeholder slots depend on the column's type.
    public static func repeating(_ d: Datum, count: Int) -> ColumnLayout? {
        switch d {
        case .null: return nil
        case .int(let v), .timestamp(let v): return .int64([Int64](repeating: v, count: count))
        case .double(let v): return .float64([Double](repeating: v, count: count))
        case .bool(let v): return .bool(Bitmap(count: count, value: v))
        case .string(let s): return .dictionary(entries: StringArray(one: s), indices: [UInt32](repeating: 0, count: count))
        case .interval(let i): return .interval([Interval](repeating: i, count: count))
        }
    }
}
