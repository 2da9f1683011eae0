import TapeFormat

/// count / sum / avg (DISTINCT x) over window frames: a multiset of the values in the frame,
/// updated as the frame slides (rows enter at the end, leave at the start), so each row is added
/// and removed once while the frame only moves forward (per-row offsets that move it back start
/// the multiset over). Rows EXCLUDE leaves out are
/// taken out of the multiset for their row's result and put back after it.
enum DistinctFrameKernel {
    static func evaluate(_ f: AggregateFunction, _ w: BoundWindow, _ x: Vector, _ frames: FrameBounds,
                         _ partitions: [Range<Int>], _ exclusion: FrameExclusion? = nil) throws(QueryError) -> Vector {
        let n = x.count
        var out = VectorBuilder(type: w.type)
        var results = [Datum](repeating: .null, count: n)
        var counts: [Datum: Int] = [:]
        var distinct = 0
        var intSum: Int128 = 0
        var doubleSum = 0.0
        func update(_ k: Int, _ delta: Int) {
            guard !x.isNull(k) else { return }
            let d = x.datum(k)
            let c = counts[d, default: 0] + delta
            if c == 0 { counts[d] = nil } else { counts[d] = c }
            guard (delta > 0 && c == 1) || (delta < 0 && c == 0) else { return }
            distinct += delta
            switch d {
            case .int(let v): intSum += Int128(v) * Int128(delta)
            case .double(let v): doubleSum += delta > 0 ? v : -v
            default: break
            }
        }
        for part in partitions {
            var lo = part.lowerBound, hi = lo
            counts.removeAll(keepingCapacity: true)
            distinct = 0; intSum = 0; doubleSum = 0
            for i in part {
                let fs = Int(frames.start[i]), fe = Int(frames.end[i])
                if fs >= hi || fe < hi || fs < lo {   // the frame jumped, moved back or is empty: start over
                    counts.removeAll(keepingCapacity: true)
                    distinct = 0; intSum = 0; doubleSum = 0
                    lo = fs; hi = fs
                }
                while hi < fe { update(hi, 1); hi += 1 }
                while lo < fs { update(lo, -1); lo += 1 }
                let saved = (distinct, intSum, doubleSum)
                let excluded = exclusion?.excluded(at: i, frameStart: fs, frameEnd: fe) ?? []
                for k in excluded { update(k, -1) }
                defer {
                    for k in excluded { update(k, 1) }
                    if !excluded.isEmpty { (distinct, intSum, doubleSum) = saved }
                }
                switch f {
                case .count:
                    results[i] = .int(Int64(distinct))
                case .sum where distinct > 0:
                    if w.type == .int {
                        guard let v = Int64(exactly: intSum) else {
                            throw QueryError(.execution, "\(w.text) = \(intSum) overflows BIGINT; use sum(DISTINCT CAST(x AS DOUBLE))", at: w.position)
                        }
                        results[i] = .int(v)
                    } else {
                        results[i] = .double(doubleSum)
                    }
                case .avg where distinct > 0:
                    results[i] = .double((x.type == .int ? Double(intSum) : doubleSum) / Double(distinct))
                default:
                    results[i] = .null
                }
            }
        }
        for d in results { out.append(d) }
        return try out.build()
    }
}
