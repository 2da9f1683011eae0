/// Downsamples one equity curve to a fixed number of pixel columns while it streams by, keeping
/// per column the first, last, minimum and maximum equity (with their times) and the minimum and
/// maximum drawdown, so a one-bar spike between two columns still shows. Memory is `columns`
/// buckets whatever the number of bars.
struct PixelBuckets {
    /// One pixel column's extremes.
    struct Bucket {
        var first: (ts: Int64, v: Double)
        var last: (ts: Int64, v: Double)
        var min: (ts: Int64, v: Double)
        var max: (ts: Int64, v: Double)
        /// Drawdown (equity / running peak - 1, ≤ 0) extremes within the column.
        var ddMin: Double
        var ddMax: Double
    }

    let start: Int64
    let end: Int64
    private(set) var buckets: [Bucket?]
    /// Divides every equity value (1 / first equity with `--normalize`).
    private var scale: Double?
    let normalize: Bool
    private var peak = -Double.infinity
    private(set) var bars = 0

    init(columns: Int, start: Int64, end: Int64, normalize: Bool) {
        self.start = start
        self.end = max(end, start)
        self.normalize = normalize
        buckets = [Bucket?](repeating: nil, count: max(1, columns))
    }

    /// The pixel column of time `ts` (clamped).
    func column(of ts: Int64) -> Int {
        let span = Double(end - start)
        guard span > 0 else { return 0 }
        let x = Int((Double(ts - start) / span * Double(buckets.count)).rounded(.down))
        return Swift.min(buckets.count - 1, Swift.max(0, x))
    }

    mutating func add(ts: Int64, equity raw: Double) {
        guard raw.isFinite else { return }
        if scale == nil { scale = normalize && raw != 0 ? 1 / raw : 1 }
        let v = raw * scale!
        bars += 1
        peak = Swift.max(peak, v)
        let dd = peak > 0 ? v / peak - 1 : 0
        let x = column(of: ts)
        if var b = buckets[x] {
            b.last = (ts, v)
            if v < b.min.v { b.min = (ts, v) }
            if v > b.max.v { b.max = (ts, v) }
            b.ddMin = Swift.min(b.ddMin, dd)
            b.ddMax = Swift.max(b.ddMax, dd)
            buckets[x] = b
        } else {
            buckets[x] = Bucket(first: (ts, v), last: (ts, v), min: (ts, v), max: (ts, v), ddMin: dd, ddMax: dd)
        }
    }

    /// The points to draw for the equity line: per column first, min, max, last in time order.
    var equityPoints: [(ts: Int64, v: Double)] {
        var out: [(ts: Int64, v: Double)] = []
        for case let b? in buckets {
            let pts = [b.first, b.min, b.max, b.last].sorted { $0.ts < $1.ts }
            for p in pts where out.last.map({ $0.ts != p.ts || $0.v != p.v }) ?? true { out.append(p) }
        }
        return out
    }

    /// Equity extremes over all columns.
    var equityRange: ClosedRange<Double>? {
        let bs = buckets.compactMap { $0 }
        guard let lo = bs.map(\.min.v).min(), let hi = bs.map(\.max.v).max() else { return nil }
        return lo...hi
    }

    /// Deepest drawdown over all columns (≤ 0).
    var deepestDrawdown: Double { buckets.compactMap { $0?.ddMin }.min() ?? 0 }
}
