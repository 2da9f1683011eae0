/// An aggregate evaluated over window frames: per-position leaf states combined in position
/// order (`combine` must be associative; it need not be commutative or invertible).
protocol FrameAggregate {
    associatedtype State
    var empty: State { get }
    /// The state of the single row at sorted position `k` (`empty` when it does not count, e.g. NULL).
    func leaf(_ k: Int) -> State
    /// `a` then `b`: `a` covers earlier positions than `b`.
    func combine(_ a: State, _ b: State) -> State
}

/// Evaluates a `FrameAggregate` over every position's frame in amortised O(1) per row, without
/// inverting the aggregate: the "two stacks" sliding queue. Positions in the window `[lo, hi)` are
/// split at `mid`: `[mid, hi)` is folded into one running state as rows enter; `[lo, mid)` keeps,
/// per position, the fold of it up to `mid`, so a row leaving is a step forward. When the front
/// runs dry the back is re-folded from the right into suffix states (each row at most once).
/// A cumulative frame (UNBOUNDED PRECEDING) never pops, so it is a single running fold.
///
/// A frame that moves back (per-row offsets) starts the queue over: O(frame) for that row.
enum SlidingAggregation {
    static func run<A: FrameAggregate>(_ agg: A, frames: FrameBounds, partitions: [Range<Int>], emit: (Int, A.State) -> Void) {
        var suffix: [A.State] = []
        for part in partitions {
            var lo = part.lowerBound, mid = lo, hi = lo
            var back = agg.empty
            var base = lo   // suffix[k - base] holds the fold of [k, mid)
            for i in part {
                let fs = Int(frames.start[i]), fe = Int(frames.end[i])
                if fs >= fe { emit(i, agg.empty); continue }
                if fs >= hi || fs < lo || fe < hi {   // the window jumped past everything held, or moved back
                    lo = fs; mid = fs; hi = fs; back = agg.empty
                }
                while hi < fe { back = agg.combine(back, agg.leaf(hi)); hi += 1 }
                while lo < fs {
                    if lo == mid {
                        // Flip: fold [lo, hi) from the right into suffix states.
                        base = lo
                        let n = hi - lo
                        if suffix.count < n { suffix.append(contentsOf: repeatElement(agg.empty, count: n - suffix.count)) }
                        var acc = agg.empty
                        var k = hi - 1
                        while k >= lo {
                            acc = agg.combine(agg.leaf(k), acc)
                            suffix[k - base] = acc
                            k -= 1
                        }
                        mid = hi
                        back = agg.empty
                    }
                    lo += 1
                }
                emit(i, lo < mid ? agg.combine(suffix[lo - base], back) : back)
            }
        }
    }
}
