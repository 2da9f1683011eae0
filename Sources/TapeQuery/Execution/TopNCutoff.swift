import Foundation
import Tape
import TapeCodec
import TapeFormat

/// ORDER BY … LIMIT's cut-off: the first sort key of the last row the top-N buffer kept when it
/// was last cut back. A row whose first key sorts strictly after it can never enter the result,
/// and neither can a chunk whose zone map puts every row after it.
///
/// Skipping such rows or chunks never changes the answer, whenever it happens: the cut-off only
/// moves towards the front, rows level with it are kept, and the buffer breaks ties by arrival
/// (task) order. So scan workers may read it at any time and the result is the same at any
/// thread count.
struct TopNBoundary {
    let key: SortKey
    /// One row: the first sort key's value at the cut-off.
    let value: Vector

    /// Whether row `r` of `v` (first-sort-key values) sorts before or level with the cut-off.
    func mayEnter(_ v: Vector, _ r: Int) -> Bool {
        Sorter.compare(v, r, value, 0, by: key) <= 0
    }

    /// Whether a chunk whose first-sort-key column has these statistics holds no row that sorts
    /// before or level with the cut-off (every value, NULL and NaN included, sorts after it).
    func excludes(_ stats: ColumnStats, nullCount: Int, rowCount: Int) -> Bool {
        guard !value.isNull(0) else { return false }
        if nullCount > 0 && key.nullsFirst { return false }
        if nullCount == rowCount { return !key.nullsFirst }
        let edge = key.descending ? stats.max : stats.min
        guard let edge, let d = FooterStatistics.datum(edge, as: value.type) else { return false }
        if key.descending && stats.hasNaN { return false }   // NaN sorts first when descending
        let c = Datum.compare(d, value.datum(0))
        return key.descending ? c < 0 : c > 0
    }
}

/// The cut-off shared between the consumer's top-N buffer (which publishes it) and the scan's
/// worker threads (which read it before and while scanning a chunk).
/// `@unchecked`: `boundary` is read and written only under `lock`; a `TopNBoundary` holds
/// copy-on-write arrays that are never mutated once published.
final class TopNCutoff: @unchecked Sendable {
    private let lock = NSLock()
    private var boundary: TopNBoundary?

    /// The latest cut-off, or nil before the buffer was first cut back.
    var current: TopNBoundary? {
        lock.lock()
        defer { lock.unlock() }
        return boundary
    }

    func publish(_ b: TopNBoundary) {
        lock.lock()
        boundary = b
        lock.unlock()
    }
}
