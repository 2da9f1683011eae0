import TapeFormat

/// The values of one column over a run of rows, in memory: what the writer buffers for a chunk and
/// what the reader decodes from a block.
///
/// Values are **spread**: there is one slot per row, and a null row's slot holds a placeholder
/// (0, 0.0, false, or string/dictionary index 0 / empty string) that must be ignored.
/// Every buffer is laid out as an Apache Arrow array's: validity and booleans bit-packed LSB first
/// (`Bitmap`), numbers as contiguous 8-byte values, strings as offsets + UTF-8 bytes
/// (`StringArray`), dictionary strings as 32-bit indices into a `StringArray`.
/// `validity == nil` means no row is null.
public struct ColumnData: Sendable, Equatable {
    public enum Storage: Sendable, Equatable {
        /// int64 and timestamp columns.
        case int64([Int64])
        case float64([Double])
        /// Bit-packed, Arrow's boolean layout (bit i = row i, 1 = true).
        case bool(Bitmap)
        /// Plain strings, one per row.
        case strings(StringArray)
        /// Dictionary strings: `indices[row]` indexes `entries` (a null row's index is 0 and ignored;
        /// when every row is null `entries` may be empty).
        case dictionary(entries: StringArray, indices: [UInt32])
    }

    public var type: ColumnType
    public var storage: Storage
    /// One bit per row, 1 = valid; nil when no row is null.
    public var validity: Bitmap?

    public init(type: ColumnType, storage: Storage, validity: Bitmap? = nil) {
        self.type = type
        self.storage = storage
        self.validity = validity
    }

    /// Number of rows.
    public var count: Int {
        switch storage {
        case .int64(let v): return v.count
        case .float64(let v): return v.count
        case .bool(let v): return v.count
        case .strings(let s): return s.count
        case .dictionary(_, let idx): return idx.count
        }
    }

    /// Number of null rows.
    public var nullCount: Int { validity.map { count - $0.popCount } ?? 0 }

    @inlinable public func isNull(_ row: Int) -> Bool { validity.map { !$0[row] } ?? false }

    /// Bytes of the string at `row` for string storage (0 for other storage).
    public func utf8Count(at row: Int) -> Int {
        switch storage {
        case .strings(let s): return s.range(row).count
        case .dictionary(let e, let idx): return e.count == 0 ? 0 : e.range(Int(idx[row])).count
        default: return 0
        }
    }

    /// String value of `row` for string storage (empty for other storage).
    public func string(at row: Int) -> String {
        switch storage {
        case .strings(let s): return s[row]
        case .dictionary(let e, let idx): return e.count == 0 ? "" : e[Int(idx[row])]
        default: return ""
        }
    }
}
