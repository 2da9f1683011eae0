import TapeFormat

/// The values of one column over a run of rows, in memory: what the writer buffers for a chunk and
/// what the reader decodes from a block.
///
/// The values are a `ColumnLayout` — the same enum a query `Vector` holds, so a decoded block is
/// handed to the query engine as it is. Stored and decoded columns use its array cases (spread,
/// Arrow-laid-out: see `ColumnLayout`); `.interval` and `.constant` come only from the query side
/// (`TableWriter` refuses them). `validity == nil` means no row is null.
public struct ColumnData: Sendable, Equatable {
    public var type: ColumnType
    /// The values, in the layout the query engine's vectors share (see `ColumnLayout`).
    public var storage: ColumnLayout
    /// One bit per row, 1 = valid; nil when no row is null (a `.constant(.null)` is all-null with
    /// `validity` nil).
    public var validity: Bitmap?
    /// The row count of a `.constant` storage, which has no array (set by `init`).
    private var constantCount: Int

    /// A column of `storage`'s rows; `count` is needed only for a `.constant` (which has no array)
    /// and is ignored otherwise.
    public init(type: ColumnType, storage: ColumnLayout, validity: Bitmap? = nil, count: Int = 0) {
        self.type = type
        self.storage = storage
        self.validity = validity
        self.constantCount = storage.arrayCount ?? count
    }

    /// Number of rows.
    public var count: Int { storage.arrayCount ?? constantCount }

    /// Number of null rows.
    public var nullCount: Int {
        if let v = validity { return count - v.popCount }
        if case .constant(.null) = storage { return count }
        return 0
    }

    @inlinable public func isNull(_ row: Int) -> Bool {
        if let v = validity { return !v[row] }
        if case .constant(.null) = storage { return true }
        return false
    }

    /// Bytes of the string at `row` for string storage (0 for other storage).
    public func utf8Count(at row: Int) -> Int {
        switch storage {
        case .strings(let s): return s.range(row).count
        case .dictionary(let e, let idx): return e.count == 0 ? 0 : e.range(Int(idx[row])).count
        case .constant(.string(let s)): return s.utf8.count
        default: return 0
        }
    }

    /// String value of `row` for string storage (empty for other storage).
    public func string(at row: Int) -> String {
        switch storage {
        case .strings(let s): return s[row]
        case .dictionary(let e, let idx): return e.count == 0 ? "" : e[Int(idx[row])]
        case .constant(.string(let s)): return s
        default: return ""
        }
    }
}

extension ColumnData {
    /// The column with every slot materialised: a `.constant` expanded to the array of its type
    /// (a `.constant(.null)` to placeholders with an all-false validity); others unchanged.
    public func spread() -> ColumnData {
        guard case .constant(let d) = storage else { return self }
        if let filled = ColumnLayout.repeating(d, count: count) { return ColumnData(type: type, storage: filled) }
        return ColumnData(type: type, storage: .placeholder(type, count: count), validity: Bitmap(count: count, value: false))
    }
}

extension ColumnLayout {
    /// `count` placeholder slots for a column of `type`.
    public static func placeholder(_ type: ColumnType, count: Int) -> ColumnLayout {
        switch type {
        case .int64, .timestamp, .duration: return .int64([Int64](repeating: 0, count: count))
        case .float64: return .float64([Double](repeating: 0, count: count))
        case .bool: return .bool(Bitmap(count: count, value: false))
        case .string: return .dictionary(entries: .oneEmptyString, indices: [UInt32](repeating: 0, count: count))
        }
    }
}
