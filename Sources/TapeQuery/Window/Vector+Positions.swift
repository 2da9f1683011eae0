import Tape
import TapeCodec

extension Vector {
    /// The rows at `positions`, in that order, where -1 stands for NULL (a frame with no row, a
    /// lag past the partition's start).
    func picking(_ positions: [Int32]) -> Vector {
        let m = materialized()
        var valid = Bitmap(count: positions.count, value: true)
        var anyNull = false
        let safe = positions.enumerated().map { i, p -> Int32 in
            if p < 0 || m.isNull(Int(p)) { valid[i] = false; anyNull = true; return 0 }
            return p
        }
        if m.count == 0 { return Vector.filled(.null, type: type, count: positions.count) }
        var out = m.gather(safe)
        out.validity = anyNull ? valid : nil
        return out
    }

    /// -1/0/1 ordering of two rows' non-NULL values (numbers numerically, NaN last; strings by
    /// bytes), for min/max and arg_min/arg_max over frames.
    func rowOrder() -> (Int, Int) -> Int {
        let m = materialized()
        switch m.storage {
        case .int64(let a): return { a[$0] < a[$1] ? -1 : (a[$0] == a[$1] ? 0 : 1) }
        case .float64(let a): return { compareDoubles(a[$0], a[$1]) }
        case .bool(let a): return { a[$0] == a[$1] ? 0 : (!a[$0] ? -1 : 1) }
        case .strings(let a): return { a.compare($0, a, $1) }
        case .dictionary(let e, let idx): return { e.compare(Int(idx[$0]), e, Int(idx[$1])) }
        case .interval(let a): return { Evaluator.compareIntervals(a[$0], a[$1]) }
        case .constant: return { _, _ in 0 }
        }
    }
}
