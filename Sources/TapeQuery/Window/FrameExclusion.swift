/// The rows `EXCLUDE CURRENT ROW | GROUP | TIES` leaves out of each frame: per sorted position,
/// the range `[start, end)` removed from the frame (the row itself, or its peer group), and for
/// TIES the row itself put back. nil for `EXCLUDE NO OTHERS` (the default).
struct FrameExclusion {
    let start: [Int32]
    let end: [Int32]
    let keepCurrent: Bool

    init?(_ exclude: WindowFrame.Exclude, layout: WindowLayout) {
        switch exclude {
        case .noOthers:
            return nil
        case .currentRow:
            start = (0..<Int32(layout.count)).map { $0 }
            end = start.map { $0 + 1 }
            keepCurrent = false
        case .group, .ties:
            start = layout.peerStart
            end = layout.peerEnd
            keepCurrent = exclude == .ties
        }
    }

    /// The positions of the frame `[fs, fe)` of position `i` that are left out of it.
    func excluded(at i: Int, frameStart fs: Int, frameEnd fe: Int) -> [Int] {
        let from = max(fs, Int(start[i])), to = min(fe, Int(end[i]))
        guard from < to else { return [] }
        return (from..<to).filter { !(keepCurrent && $0 == i) }
    }
}

extension SlidingAggregation {
    /// `run` over each frame minus the rows `exclusion` leaves out: the frame's part before the
    /// excluded range and its part after it are two frame sets whose ends still never decrease,
    /// each slid once; their states (and, for TIES, the row itself) are combined in position order.
    static func run<A: FrameAggregate>(_ agg: A, frames: FrameBounds, partitions: [Range<Int>], excluding exclusion: FrameExclusion?,
                                       emit: (Int, A.State) -> Void) {
        guard let exclusion else { return run(agg, frames: frames, partitions: partitions, emit: emit) }
        let n = frames.start.count
        var before = frames, after = frames
        for i in 0..<n {
            before.end[i] = max(frames.start[i], min(frames.end[i], exclusion.start[i]))
            after.start[i] = max(frames.start[i], exclusion.end[i])
            after.end[i] = max(after.start[i], frames.end[i])
        }
        var head = [A.State](repeating: agg.empty, count: n)
        run(agg, frames: before, partitions: partitions) { head[$0] = $1 }
        run(agg, frames: after, partitions: partitions) { i, tail in
            var s = head[i]
            if exclusion.keepCurrent, frames.start[i] <= Int32(i), Int32(i) < frames.end[i] { s = agg.combine(s, agg.leaf(i)) }
            emit(i, agg.combine(s, tail))
        }
    }
}

/// first_value / last_value as a frame aggregate: the first (or last) counted position.
struct EdgeRowFrame: FrameAggregate {
    let counts: (Int) -> Bool
    let last: Bool
    var empty: Int32 { -1 }
    func leaf(_ k: Int) -> Int32 { counts(k) ? Int32(k) : -1 }
    func combine(_ a: Int32, _ b: Int32) -> Int32 { last ? (b >= 0 ? b : a) : (a >= 0 ? a : b) }
}
