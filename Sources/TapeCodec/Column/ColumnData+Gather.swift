import TapeFormat

extension ColumnLayout {
    /// The slots at `rows` (ascending or not), in that order — the one gather kernel of storage and
    /// query. Dictionary storage keeps its entries; plain strings whose copy would pass
    /// `stringLimit` (4 GiB; tests pass less), e.g. rows repeated by a join, stay in their array,
    /// the rows as dictionary indices into it. A constant stays a constant (its count is the
    /// caller's: `rows.count`).
    public func gather(_ rows: [Int32], stringLimit: Int = StringArray.maxBytes) -> ColumnLayout {
        func pick<T>(_ a: [T]) -> [T] { rows.map { a[Int($0)] } }
        switch self {
        case .int64(let v): return .int64(pick(v))
        case .float64(let v): return .float64(pick(v))
        case .bool(let v): return .bool(v.gather(rows))
        case .dictionary(let e, let idx): return .dictionary(entries: e, indices: pick(idx))
        case .strings(let s):
            if let g = try? s.gather(rows, limit: stringLimit) { return .strings(g) }
            return .dictionary(entries: s, indices: rows.map { UInt32(truncatingIfNeeded: $0) })
        case .interval(let v): return .interval(pick(v))
        case .constant: return self
        }
    }
}

extension ColumnData {
    /// The rows at `rows` (ascending or not), in that order (`ColumnLayout.gather`); validity nil
    /// when none of them is null.
    public func gather(_ rows: [Int32]) -> ColumnData {
        var validity = self.validity?.gather(rows)
        if let v = validity, v.popCount == rows.count { validity = nil }
        return ColumnData(type: type, storage: storage.gather(rows), validity: validity, count: rows.count)
    }

    /// Rows `range` as a new column.
    public func slice(_ range: Range<Int>) -> ColumnData {
        gather(range.map { Int32($0) })
    }
}
