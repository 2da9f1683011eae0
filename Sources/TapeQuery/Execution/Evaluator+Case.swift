import TapeCodec
import TapeFormat

extension Evaluator {
    /// CASE WHEN: each branch value is evaluated only on the rows that reach it, so a branch that
    /// would fail (`1 // x` guarded by `WHEN x <> 0`) fails only when actually taken.
    static func caseWhen(_ whens: [(BoundExpr, BoundExpr)], _ otherwise: BoundExpr, _ type: SQLType, _ b: Batch) throws(QueryError) -> Vector {
        var remaining = (0..<Int32(b.count)).map { $0 }
        var pieces: [(rows: [Int32], values: Vector)] = []
        for (cond, value) in whens where !remaining.isEmpty {
            let sub = remaining.count == b.count ? b : b.gather(remaining)
            let c = try evaluate(cond, sub)
            var taken: [Int32] = [], left: [Int32] = [], takenLocal: [Int32] = []
            for (k, row) in remaining.enumerated() {
                if !c.isNull(k) && c.datumBool(k) { taken.append(row); takenLocal.append(Int32(k)) } else { left.append(row) }
            }
            if !taken.isEmpty {
                let values = try evaluate(value, takenLocal.count == sub.count ? sub : sub.gather(takenLocal))
                pieces.append((taken, values))
            }
            remaining = left
        }
        if !remaining.isEmpty {
            let sub = remaining.count == b.count ? b : b.gather(remaining)
            pieces.append((remaining, try evaluate(otherwise, sub)))
        }
        if pieces.count == 1 && pieces[0].rows.count == b.count { return pieces[0].values }
        return try scatter(pieces, type, b.count)
    }

    /// Assembles a vector of `count` rows from pieces that each cover some rows.
    static func scatter(_ pieces: [(rows: [Int32], values: Vector)], _ type: SQLType, _ count: Int) throws(QueryError) -> Vector {
        var valid = Bitmap(count: count, value: true)
        var anyNull = false
        func fill<T>(_ initial: T, _ get: (Vector, Int) -> T) -> [T] {
            var out = [T](repeating: initial, count: count)
            for (rows, v) in pieces {
                for (k, r) in rows.enumerated() {
                    if v.isNull(k) { valid[Int(r)] = false; anyNull = true } else { out[Int(r)] = get(v, k) }
                }
            }
            return out
        }
        let storage: ColumnLayout
        switch type {
        case .int, .timestamp, .null: storage = .int64(fill(0) { v, k in ints(v).at(k) })
        case .double: storage = .float64(fill(0) { v, k in doubles(v).at(k) })
        case .bool: storage = .bool(Bitmap(fill(false) { v, k in v.datumBool(k) }))
        case .string:
            // Which piece and row fills each output row, then the bytes in row order.
            var source = [(piece: Int32, row: Int32)](repeating: (-1, 0), count: count)
            for (p, (rows, v)) in pieces.enumerated() {
                for (k, r) in rows.enumerated() {
                    if v.isNull(k) { valid[Int(r)] = false; anyNull = true } else { source[Int(r)] = (Int32(p), Int32(k)) }
                }
            }
            var out = StringArray()
            out.offsets.reserveCapacity(count + 1)
            for s in source {
                try out.appendString(in: "CASE") { bytes in
                    if s.piece >= 0 { pieces[Int(s.piece)].values.withUTF8(Int(s.row)) { bytes.append(contentsOf: $0) } }
                }
            }
            storage = .strings(out)
        case .interval: storage = .interval(fill(Interval()) { v, k in intervals(v).at(k) })
        }
        return Vector(type: type, storage: storage, validity: anyNull ? valid : nil, count: count)
    }
}
