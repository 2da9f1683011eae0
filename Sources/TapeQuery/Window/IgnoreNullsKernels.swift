/// lag, lead and nth_value with `IGNORE NULLS`: positions counted among the non-NULL values of
/// the argument only (DuckDB's semantics). Results are positions in sorted order (-1: none).
enum IgnoreNullsKernels {
    /// Sorted positions of the non-NULL values, and per position the number of them before it.
    private static func index(_ values: Vector) -> (positions: [Int32], before: [Int32]) {
        let n = values.count
        var positions: [Int32] = []
        var before = [Int32](repeating: 0, count: n + 1)
        for i in 0..<n {
            before[i] = Int32(positions.count)
            if !values.isNull(i) { positions.append(Int32(i)) }
        }
        before[n] = Int32(positions.count)
        return (positions, before)
    }

    /// lag (`sign` -1) or lead (+1) by a per-row offset, skipping NULL values; offset 0 is the
    /// row itself.
    static func shifted(_ layout: WindowLayout, values: Vector, offsets: Vector?, sign: Int) -> [Int32] {
        let (positions, before) = index(values)
        var out = [Int32](repeating: -1, count: layout.count)
        for part in layout.partitions {
            let first = Int(before[part.lowerBound]), end = Int(before[part.upperBound])
            for i in part {
                var off = 1
                if let offsets {
                    guard !offsets.isNull(i), case .int(let o) = offsets.datum(i) else { continue }
                    off = Int(clamping: o)
                }
                if off == 0 { out[i] = Int32(i); continue }
                var s = sign
                if off < 0 { s = -s; off = off == Int.min ? Int.max : -off }
                // lag: the off-th non-NULL before i; lead: the off-th after i.
                let (k, overflow) = s < 0 ? Int(before[i]).subtractingReportingOverflow(off)
                    : Int(before[i + 1]).addingReportingOverflow(off - 1)
                if !overflow && k >= first && k < end { out[i] = positions[k] }
            }
        }
        return out
    }

    /// nth_value(x, n) IGNORE NULLS: the n-th non-NULL value of each frame, counting only the
    /// rows `exclusion` keeps (in frame order: before the excluded range, the row itself when
    /// EXCLUDE TIES keeps it, after the range).
    static func nth(_ values: Vector, _ frames: FrameBounds, nth: Vector, excluding exclusion: FrameExclusion? = nil) throws(QueryError) -> [Int32] {
        let (positions, before) = index(values)
        var out = [Int32](repeating: -1, count: values.count)
        for i in 0..<values.count {
            let s = Int(frames.start[i]), e = Int(frames.end[i])
            guard s < e, !nth.isNull(i), case .int(let k) = nth.datum(i) else { continue }
            guard k > 0 else { throw QueryError(.execution, "nth_value() needs a position of at least 1, got \(k)") }
            // The frame's kept pieces as ranges of positions.
            var pieces = [s..<e]
            if let ex = exclusion {
                let es = min(max(Int(ex.start[i]), s), e), ee = max(min(Int(ex.end[i]), e), es)
                pieces = [s..<es]
                if ex.keepCurrent && es <= i && i < ee { pieces.append(i..<(i + 1)) }
                pieces.append(ee..<e)
            }
            var left = Int(clamping: k) - 1
            for p in pieces where !p.isEmpty {
                let first = Int(before[p.lowerBound]), inPiece = Int(before[p.upperBound]) - first
                if left < inPiece { out[i] = positions[first + left]; break }
                left -= inPiece
            }
        }
        return out
    }
}
