import TapeFormat

extension ColumnData {
    /// The rows at `rows` (ascending or not), in that order. Dictionary storage keeps its entries;
    /// plain strings whose copy would pass 4 GiB (rows repeated) become indices into the original.
    public func gather(_ rows: [Int32]) -> ColumnData {
        let storage: Storage
        switch self.storage {
        case .int64(let v): storage = .int64(rows.map { v[Int($0)] })
        case .float64(let v): storage = .float64(rows.map { v[Int($0)] })
        case .bool(let v): storage = .bool(v.gather(rows))
        case .dictionary(let e, let idx): storage = .dictionary(entries: e, indices: rows.map { idx[Int($0)] })
        case .strings(let s):
            if let g = try? s.gather(rows) { storage = .strings(g) } else {
                storage = .dictionary(entries: s, indices: rows.map { UInt32(truncatingIfNeeded: $0) })
            }
        case .interval(let v): storage = .interval(rows.map { v[Int($0)] })
        case .constant: return ColumnData(type: type, storage: self.storage, count: rows.count)
        }
        var validity: Bitmap? = nil
        if let v = self.validity {
            var b = Bitmap()
            var nulls = 0
            for r in rows {
                let ok = v[Int(r)]
                b.append(ok)
                if !ok { nulls += 1 }
            }
            if nulls > 0 { validity = b }
        }
        return ColumnData(type: type, storage: storage, validity: validity)
    }

    /// Rows `range` as a new column.
    public func slice(_ range: Range<Int>) -> ColumnData {
        gather(range.map { Int32($0) })
    }
}
