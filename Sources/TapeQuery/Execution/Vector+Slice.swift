import TapeCodec

extension Vector {
    /// Rows `range` (a contiguous run of rows), equal to `gather` of the range's rows: fixed-width
    /// buffers and dictionary indices are copied as one block instead of row by row (pieces of a
    /// result, a streaming window's context rows).
    func slice(_ range: Range<Int>) -> Vector {
        if range.lowerBound == 0 && range.upperBound == count { return self }
        let sliced: ColumnLayout
        switch storage {
        case .int64(let a): sliced = .int64(Array(a[range]))
        case .float64(let a): sliced = .float64(Array(a[range]))
        case .interval(let a): sliced = .interval(Array(a[range]))
        case .dictionary(let e, let idx): sliced = .dictionary(entries: e, indices: Array(idx[range]))
        case .constant: sliced = storage
        case .bool, .strings: return gather(range.map { Int32($0) })
        }
        var valid: Bitmap?
        if let v = validity {
            var b = Bitmap()
            b.append(contentsOf: v, range: range)
            valid = b
        }
        return Vector(type: type, storage: sliced, validity: valid, count: range.count)
    }
}

extension Batch {
    /// Rows `range` of every column (`Vector.slice`).
    func slice(_ range: Range<Int>) -> Batch {
        if range.lowerBound == 0 && range.upperBound == count { return self }
        return Batch(columns: columns.map { $0.slice(range) }, count: range.count)
    }
}
