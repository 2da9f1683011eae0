import TapeCodec

/// Ranking functions over a `WindowLayout`: each value depends only on the row's place in its
/// partition and peer group. Results are in sorted order.
enum RankingKernels {
    /// `continuing`: the layout is one piece of a longer partition (starting at a peer group's
    /// start) that had `before` rows and `dense` peer groups earlier and has `size` rows in all
    /// (a streamed spilled partition, `SortedWindowStream`).
    static func evaluate(_ f: WindowFunction, _ layout: WindowLayout, ntileBuckets: Vector?,
                         continuing: (before: Int, dense: Int64, size: Int)? = nil) throws(QueryError) -> Vector {
        let n = layout.count
        var ints = [Int64](repeating: 0, count: n)
        var doubles = [Double](repeating: 0, count: n)
        var valid: Bitmap?
        for part in layout.partitions {
            let size = continuing?.size ?? part.count
            let first = part.lowerBound - (continuing?.before ?? 0)
            var dense: Int64 = continuing?.dense ?? 0
            for i in part {
                let rank = Int64(Int(layout.peerStart[i]) - first + 1)
                if layout.peerStart[i] == Int32(i) { dense += 1 }
                switch f {
                case .rowNumber: ints[i] = Int64(i - first + 1)
                case .rank: ints[i] = rank
                case .denseRank: ints[i] = dense
                case .percentRank: doubles[i] = size > 1 ? Double(rank - 1) / Double(size - 1) : 0
                case .cumeDist: doubles[i] = Double(Int(layout.peerEnd[i]) - first) / Double(size)
                case .ntile:
                    guard let b = ntileBuckets, !b.isNull(i) else {
                        if valid == nil { valid = Bitmap(count: n, value: true) }
                        valid?[i] = false
                        continue
                    }
                    guard case .int(let want) = b.datum(i), want > 0 else {
                        throw QueryError(.execution, "ntile() needs a positive number of buckets, got \(b.datum(i).sqlLiteral)")
                    }
                    ints[i] = ntile(row: i - first, size: size, buckets: want)
                default: break
                }
            }
        }
        switch f {
        case .percentRank, .cumeDist: return Vector(type: .double, storage: .float64(doubles), count: n)
        default: return Vector(type: .int, storage: .int64(ints), validity: valid, count: n)
        }
    }

    /// DuckDB's bucket of row `row` (0-based) among `size` rows: the first `size % buckets`
    /// buckets hold one row more.
    static func ntile(row: Int, size: Int, buckets: Int64) -> Int64 {
        let b = Int(min(Int64(size), buckets))
        let small = size / b
        let large = size - b * small
        let inLarge = large * (small + 1)
        if row < inLarge { return Int64(1 + row / (small + 1)) }
        return Int64(1 + large + (row - inLarge) / small)
    }
}

/// lag/lead and first_value/last_value/nth_value: the position of the row whose value is taken
/// (-1: none, so NULL or the default). Results are positions in sorted order.
enum NavigationKernels {
    /// lag (`sign` -1) or lead (+1) by a per-row offset (NULL offset: no row).
    static func shifted(_ layout: WindowLayout, offsets: Vector?, sign: Int) -> [Int32] {
        var out = [Int32](repeating: -1, count: layout.count)
        for part in layout.partitions {
            for i in part {
                var off = 1
                if let offsets {
                    guard !offsets.isNull(i), case .int(let o) = offsets.datum(i) else { continue }
                    off = Int(clamping: o)
                }
                let (j, overflow) = i.addingReportingOverflow(sign > 0 ? off : -off)
                if !overflow && part.contains(j) { out[i] = Int32(j) }
            }
        }
        return out
    }

    /// first_value, last_value, nth_value(x, n) over each frame; nth_value counts only the rows
    /// `exclusion` keeps (first/last_value with EXCLUDE take `EdgeRowFrame` instead).
    static func framed(_ f: WindowFunction, _ frames: FrameBounds, nth: Vector?, excluding exclusion: FrameExclusion? = nil) throws(QueryError) -> [Int32] {
        let n = frames.start.count
        var out = [Int32](repeating: -1, count: n)
        for i in 0..<n {
            let s = Int(frames.start[i]), e = Int(frames.end[i])
            guard s < e else { continue }
            switch f {
            case .firstValue: out[i] = Int32(s)
            case .lastValue: out[i] = Int32(e - 1)
            default:
                guard let nth, !nth.isNull(i), case .int(let k) = nth.datum(i) else { continue }
                guard k > 0 else { throw QueryError(.execution, "nth_value() needs a position of at least 1, got \(k)") }
                guard k <= Int64(e - s) else { continue }
                guard let ex = exclusion else {
                    out[i] = Int32(s + Int(k) - 1)
                    continue
                }
                // In frame order: [s, es), the row itself when EXCLUDE TIES keeps it, [ee, e).
                let es = min(max(Int(ex.start[i]), s), e), ee = max(min(Int(ex.end[i]), e), es)
                var j = Int(k) - 1
                if j < es - s { out[i] = Int32(s + j); continue }
                j -= es - s
                if ex.keepCurrent && es <= i && i < ee {
                    if j == 0 { out[i] = Int32(i); continue }
                    j -= 1
                }
                if j < e - ee { out[i] = Int32(ee + j) }
            }
        }
        return out
    }
}
