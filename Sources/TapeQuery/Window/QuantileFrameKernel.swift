import TapeCodec

/// quantile_cont / quantile_disc / median over window frames (with EXCLUDE). Every non-NULL row
/// gets its rank in x's sorted order (ties by position, NaN last); the ranks in the frame are kept
/// in a sorted array that is updated as the frame moves (an insert or removal by binary search per
/// row entering or leaving: O(frame) per row), and the quantile is read at the positions
/// `QuantileState` uses — ⌈n·q⌉−1 for disc, (n−1)·q interpolated for cont — skipping the rows
/// the frame excludes.
enum QuantileFrameKernel {
    static func evaluate(continuous: Bool, fraction q: Double, _ x: Vector, _ frames: FrameBounds,
                         _ partitions: [Range<Int>], _ exclusion: FrameExclusion?) -> Vector {
        let n = x.count
        let order = x.rowOrder()
        var byRank = (0..<n).filter { !x.isNull($0) }
        byRank.sort { a, b in
            let c = order(a, b)
            return c != 0 ? c < 0 : a < b
        }
        var rank = [Int32](repeating: -1, count: n)
        for (r, row) in byRank.enumerated() { rank[row] = Int32(r) }

        var frame: [Int32] = []   // sorted ranks of the non-NULL rows in [lo, hi)
        func slot(_ r: Int32) -> Int {
            var a = 0, b = frame.count
            while a < b {
                let m = (a + b) / 2
                if frame[m] < r { a = m + 1 } else { b = m }
            }
            return a
        }
        func enter(_ k: Int) { if rank[k] >= 0 { frame.insert(rank[k], at: slot(rank[k])) } }
        func leave(_ k: Int) { if rank[k] >= 0 { frame.remove(at: slot(rank[k])) } }

        let values = continuous ? Evaluator.doubles(x) : .scalar(0)
        var picked = [Int32](repeating: -1, count: n)
        var out = [Double](repeating: 0, count: n)
        var skip: [Int32] = []
        for part in partitions {
            frame.removeAll(keepingCapacity: true)
            var lo = part.lowerBound, hi = lo
            for i in part {
                let fs = Int(frames.start[i]), fe = max(Int(frames.end[i]), fs)
                if fs >= hi || fe <= lo {   // no overlap with the last frame: start over
                    frame.removeAll(keepingCapacity: true)
                    lo = fs; hi = fs
                }
                while hi < fe { enter(hi); hi += 1 }
                while hi > fe { hi -= 1; leave(hi) }
                while lo < fs { leave(lo); lo += 1 }
                while lo > fs { lo -= 1; enter(lo) }
                skip.removeAll(keepingCapacity: true)
                if let e = exclusion {
                    for k in e.excluded(at: i, frameStart: fs, frameEnd: fe) where rank[k] >= 0 { skip.append(rank[k]) }
                    skip.sort()
                }
                let count = frame.count - skip.count
                guard count > 0 else { continue }
                /// The row of the k-th (0-based) frame rank that is not skipped.
                func nth(_ k: Int) -> Int {
                    guard !skip.isEmpty else { return byRank[Int(frame[k])] }
                    var idx = k, s = 0
                    while true {
                        while s < skip.count && skip[s] < frame[idx] { s += 1 }
                        if s < skip.count && skip[s] == frame[idx] {
                            idx += 1
                            continue
                        }
                        if idx - s == k { return byRank[Int(frame[idx])] }
                        idx += 1
                    }
                }
                if continuous {
                    let rn = Double(count - 1) * q
                    let a = Int(rn.rounded(.down)), b = Int(rn.rounded(.up))
                    let va = values.at(nth(a))
                    if a == b {
                        out[i] = va
                    } else {
                        // lo·(1−d) + hi·d, as QuantileState (and DuckDB).
                        let d = rn - Double(a)
                        out[i] = va * (1 - d) + values.at(nth(b)) * d
                    }
                    picked[i] = 0
                } else {
                    picked[i] = Int32(nth(max(Int((Double(count) * q).rounded(.up)) - 1, 0)))
                }
            }
        }
        guard continuous else { return x.picking(picked) }
        var valid = Bitmap(count: n, value: true)
        var anyNull = false
        for i in 0..<n where picked[i] < 0 { valid[i] = false; anyNull = true }
        return Vector(type: .double, storage: .float64(out), validity: anyNull ? valid : nil, count: n)
    }
}
