import Tape
/// A frame after binding: offsets are checked constants, or expressions evaluated per row
/// (`startOffset` / `endOffset`, DuckDB's non-constant offsets such as `ROWS BETWEEN k PRECEDING`).
struct BoundFrame: Sendable, CustomStringConvertible {
    enum Bound: Sendable {
        case unboundedPreceding
        /// ROWS/GROUPS: a row or group count (Int64 ≥ 0); RANGE: a number or an INTERVAL.
        /// `.null` when the offset is per row (the frame's `startOffset` / `endOffset`).
        case preceding(Datum)
        case currentRow
        case following(Datum)
        case unboundedFollowing

        var text: String {
            switch self {
            case .unboundedPreceding: return "UNBOUNDED PRECEDING"
            case .preceding(let d): return "\(d.sqlLiteral) PRECEDING"
            case .currentRow: return "CURRENT ROW"
            case .following(let d): return "\(d.sqlLiteral) FOLLOWING"
            case .unboundedFollowing: return "UNBOUNDED FOLLOWING"
            }
        }
    }

    var unit: WindowFrame.Unit
    var start: Bound
    var end: Bound
    var exclude: WindowFrame.Exclude = .noOthers
    /// The per-row offset expressions of `start` / `end` (nil: constant or no offset).
    var startOffset: BoundExpr? = nil
    var endOffset: BoundExpr? = nil

    /// DuckDB's default: RANGE UNBOUNDED PRECEDING to CURRENT ROW with ORDER BY, else the whole
    /// partition.
    static func defaultFrame(ordered: Bool) -> BoundFrame {
        ordered ? BoundFrame(unit: .range, start: .unboundedPreceding, end: .currentRow)
            : BoundFrame(unit: .rows, start: .unboundedPreceding, end: .unboundedFollowing)
    }

    var description: String {
        func text(_ b: Bound, _ e: BoundExpr?) -> String {
            guard let e else { return b.text }
            if case .preceding = b { return "\(e.text) PRECEDING" }
            return "\(e.text) FOLLOWING"
        }
        return "\(unit.rawValue) BETWEEN \(text(start, startOffset)) AND \(text(end, endOffset))" + (exclude == .noOthers ? "" : " EXCLUDE \(exclude.rawValue)")
    }

    /// Whether every frame starts at its partition's first row (running aggregates).
    var isCumulative: Bool { if case .unboundedPreceding = start { return true } else { return false } }
}

/// Per position of a `WindowLayout`: the frame `[start, end)` (empty when start ≥ end).
///
/// Within a partition both ends never move backwards as the position grows when the offsets are
/// constants; per-row offsets can move them either way (the sliding kernels then start over
/// where a frame moves back).
struct FrameBounds {
    var start: [Int32]
    var end: [Int32]

    init(start: [Int32], end: [Int32]) {
        self.start = start
        self.end = end
    }

    /// Per sorted position, the offsets of a frame's two ends: constants, or the values of
    /// per-row offset expressions (sorted like the rows).
    struct Offsets {
        let frame: BoundFrame
        let start: Vector?
        let end: Vector?

        /// The offset of `b` (the frame's start when `isEnd` is false) at position `i`: the
        /// constant, or the row's value — NULL or negative failing as DuckDB does for ROWS
        /// (a NULL RANGE/GROUPS offset is 0; a negative one fails).
        func at(_ b: BoundFrame.Bound, _ i: Int, isEnd: Bool) throws(QueryError) -> Datum {
            let d: Datum
            switch b {
            case .preceding(let c), .following(let c): d = c
            default: return .null
            }
            guard let v = isEnd ? end : start else { return d }
            var side = "FOLLOWING"
            if case .preceding = b { side = "PRECEDING" }
            let x = v.datum(i)
            switch x {
            case .null:
                if frame.unit == .rows { throw QueryError(.execution, "Window ROWS \(side) expression cannot be NULL") }
                return .int(0)
            case .int(let o) where o < 0:
                throw QueryError(.execution, frame.unit == .rows ? "Window ROWS \(side) expression cannot be negative" : "Invalid \(frame.unit.rawValue) \(side) value \(o)")
            case .double(let o) where o < 0 || o.isNaN:
                throw QueryError(.execution, "Invalid \(frame.unit.rawValue) \(side) value \(o)")
            case .interval(let o) where o.months < 0 || o.days < 0 || o.nanos < 0:
                throw QueryError(.execution, "Invalid \(frame.unit.rawValue) \(side) value \(x.sqlLiteral)")
            default:
                return x
            }
        }
    }

    /// REQUIRES for RANGE with an offset: exactly one ORDER BY key, `orderKey` (sorted order),
    /// numeric with a numeric offset or TIMESTAMP with an INTERVAL offset (the binder checks).
    /// `startOffsets` / `endOffsets`: the per-row offset values in sorted order, when the frame
    /// has `startOffset` / `endOffset`.
    init(_ frame: BoundFrame, layout: WindowLayout, orderKey: Vector?, descending: Bool,
         startOffsets: Vector? = nil, endOffsets: Vector? = nil) throws(QueryError) {
        let n = layout.count
        start = [Int32](repeating: 0, count: n)
        end = [Int32](repeating: 0, count: n)
        let offsets = Offsets(frame: frame, start: startOffsets, end: endOffsets)
        for part in layout.partitions {
            switch frame.unit {
            case .rows: try rows(frame, part, offsets)
            case .groups: try groups(frame, part, layout, offsets)
            case .range: try range(frame, part, layout, orderKey, descending, offsets)
            }
        }
        // Clamp: an end before the start is an empty frame.
        for i in 0..<n where end[i] < start[i] { end[i] = start[i] }
    }

    private static func count(_ d: Datum) -> Int {
        if case .int(let v) = d { return Int(clamping: v) }
        return 0
    }

    private mutating func rows(_ frame: BoundFrame, _ part: Range<Int>, _ offsets: Offsets) throws(QueryError) {
        let lo = part.lowerBound, hi = part.upperBound
        if offsets.start == nil, offsets.end == nil {
            // Constant offsets: one tight pass per end, the same values as the per-row path below.
            Self.fillRows(frame.start, part, isEnd: false, into: &start)
            Self.fillRows(frame.end, part, isEnd: true, into: &end)
            return
        }
        func at(_ b: BoundFrame.Bound, _ i: Int, isEnd: Bool) throws(QueryError) -> Int {
            let e = isEnd ? 1 : 0
            switch b {
            case .unboundedPreceding: return lo
            case .unboundedFollowing: return hi
            case .currentRow: return i + e
            case .preceding:
                let (v, o) = i.subtractingReportingOverflow(Self.count(try offsets.at(b, i, isEnd: isEnd)))
                return o || v < lo ? lo : min(hi, v + e)
            case .following:
                let (v, o) = i.addingReportingOverflow(Self.count(try offsets.at(b, i, isEnd: isEnd)))
                return o || v >= hi ? hi : max(lo, v + e)
            }
        }
        for i in part {
            start[i] = Int32(try at(frame.start, i, isEnd: false))
            end[i] = Int32(try at(frame.end, i, isEnd: true))
        }
    }

    /// One end of constant-offset ROWS frames over `part`: the position shifted by the offset
    /// (+1 for an end, which is exclusive), clamped to the partition as `rows` clamps it.
    private static func fillRows(_ b: BoundFrame.Bound, _ part: Range<Int>, isEnd: Bool, into out: inout [Int32]) {
        let lo = part.lowerBound, hi = part.upperBound, e = isEnd ? 1 : 0
        // An offset past 2^62 reaches beyond every partition, as the offset itself does.
        let k: Int
        switch b {
        case .preceding(let d): k = -min(count(d), 1 << 62)
        case .following(let d): k = min(count(d), 1 << 62)
        default: k = 0
        }
        out.withUnsafeMutableBufferPointer { o in
            for i in part {
                switch b {
                case .unboundedPreceding: o[i] = Int32(lo)
                case .unboundedFollowing: o[i] = Int32(hi)
                case .currentRow: o[i] = Int32(i + e)
                case .preceding, .following:
                    let v = i + k
                    o[i] = Int32(v < lo ? lo : (v >= hi ? hi : v + e))
                }
            }
        }
    }

    private mutating func groups(_ frame: BoundFrame, _ part: Range<Int>, _ layout: WindowLayout, _ offsets: Offsets) throws(QueryError) {
        // Peer groups of the partition, by start position.
        var groupStarts: [Int] = []
        var k = part.lowerBound
        while k < part.upperBound { groupStarts.append(k); k = Int(layout.peerEnd[k]) }
        groupStarts.append(part.upperBound)
        let groupCount = groupStarts.count - 1
        var g = 0
        for i in part {
            while groupStarts[g + 1] <= i { g += 1 }
            func at(_ b: BoundFrame.Bound, isEnd: Bool) throws(QueryError) -> Int {
                let target: Int
                switch b {
                case .unboundedPreceding: return part.lowerBound
                case .unboundedFollowing: return part.upperBound
                case .currentRow: target = g
                case .preceding: target = g - min(Self.count(try offsets.at(b, i, isEnd: isEnd)), g + 1)
                case .following: target = g + min(Self.count(try offsets.at(b, i, isEnd: isEnd)), groupCount)
                }
                if target < 0 { return part.lowerBound }
                if target >= groupCount { return part.upperBound }
                return isEnd ? groupStarts[target + 1] : groupStarts[target]
            }
            start[i] = Int32(try at(frame.start, isEnd: false))
            end[i] = Int32(try at(frame.end, isEnd: true))
        }
    }

    /// RANGE: offsets compare order-key values; rows with a NULL key are peers of each other and
    /// an offset bound reaches only them (DuckDB).
    private mutating func range(_ frame: BoundFrame, _ part: Range<Int>, _ layout: WindowLayout, _ key: Vector?, _ descending: Bool,
                                _ offsets: Offsets) throws(QueryError) {
        // The non-NULL rows of the partition, a contiguous run (NULLs sort first or last).
        var nn = part
        if let key {
            var a = part.lowerBound, b = part.upperBound
            while a < b && key.isNull(a) { a += 1 }
            while b > a && key.isNull(b - 1) { b -= 1 }
            nn = a..<b
        }
        let hasOffsets = [frame.start, frame.end].contains { if case .preceding = $0 { return true }; if case .following = $0 { return true }; return false }
        var probe: RangeProbe?
        if hasOffsets, let key { probe = try RangeProbe(key, descending: descending) }
        // Two pointers per bound: with constant offsets targets only move forward as i does;
        // per-row offsets binary-search each target instead.
        let perRow = offsets.start != nil || offsets.end != nil
        var cursor = (nn.lowerBound, nn.lowerBound)
        func position(_ b: BoundFrame.Bound, _ i: Int, isEnd: Bool, _ cursor: inout Int) throws(QueryError) -> Int {
            switch b {
            case .unboundedPreceding: return part.lowerBound
            case .unboundedFollowing: return part.upperBound
            case .currentRow: return Int(isEnd ? layout.peerEnd[i] : layout.peerStart[i])
            case .preceding, .following:
                let d = try offsets.at(b, i, isEnd: isEnd)
                guard let probe, nn.contains(i) else { return Int(isEnd ? layout.peerEnd[i] : layout.peerStart[i]) }
                var sign: Int64 = 1
                if case .preceding = b { sign = -1 }
                // The bound's value, in sort direction.
                let target = try probe.shifted(i, by: d, sign: descending ? -sign : sign)
                if perRow {
                    // start: first row not before the target; end: first row after it.
                    var a = nn.lowerBound, z = nn.upperBound
                    while a < z {
                        let m = (a + z) / 2
                        if isEnd ? !probe.after(m, target) : probe.before(m, target) { a = m + 1 } else { z = m }
                    }
                    return a
                }
                var c = max(cursor, nn.lowerBound)
                // start: first row not before the target; end: first row after it.
                while c < nn.upperBound && (isEnd ? !probe.after(c, target) : probe.before(c, target)) { c += 1 }
                cursor = c
                return c
            }
        }
        for i in part {
            start[i] = Int32(try position(frame.start, i, isEnd: false, &cursor.0))
            end[i] = Int32(try position(frame.end, i, isEnd: true, &cursor.1))
        }
    }
}

/// Order-key arithmetic for RANGE offsets: the value `key ± offset` and comparisons of other
/// rows' keys against it, in the window's sort direction.
struct RangeProbe {
    private enum Keys { case int([Int64]), double([Double]) }
    private let keys: Keys
    private let descending: Bool

    init(_ key: Vector, descending: Bool) throws(QueryError) {
        self.descending = descending
        switch key.materialized().storage {
        case .int64(let a) where key.type != .interval: keys = .int(a)
        case .float64(let a): keys = .double(a)
        default: throw QueryError(.binding, "RANGE with an offset needs a numeric or TIMESTAMP ORDER BY key")
        }
    }

    /// A bound value: exact for integers and timestamps (saturated at the Int64 ends), else a double.
    enum Target { case int(Int64, saturated: Int), double(Double) }

    /// The key of position `i` moved by `sign × offset` (sign already in value terms).
    func shifted(_ i: Int, by offset: Datum, sign: Int64) throws(QueryError) -> Target {
        switch (keys, offset) {
        case (.int(let a), .int(let o)):
            let (v, over) = sign > 0 ? a[i].addingReportingOverflow(o) : a[i].subtractingReportingOverflow(o)
            if over { throw QueryError(.execution, "RANGE frame bound \(a[i]) \(sign > 0 ? "+" : "-") \(o) overflows BIGINT") }
            return .int(v, saturated: 0)
        case (.int(let a), .interval(let iv)):
            if let v = CalendarMath.add(a[i], iv, sign: sign) { return .int(v, saturated: 0) }
            return .int(0, saturated: Int(sign))
        case (.int(let a), .double(let o)): return .double(Double(a[i]) + Double(sign) * o)
        case (.double(let a), .double(let o)): return .double(a[i] + Double(sign) * o)
        case (.double(let a), .int(let o)): return .double(a[i] + Double(sign) * Double(o))
        default: return .int(0, saturated: 0)
        }
    }

    /// -1/0/1 comparing the key at `c` with `t` in value order.
    private func compare(_ c: Int, _ t: Target) -> Int {
        switch (keys, t) {
        case (.int(let a), .int(let v, let s)):
            if s != 0 { return -s }
            return a[c] < v ? -1 : (a[c] == v ? 0 : 1)
        case (.int(let a), .double(let v)): return compareDoubles(Double(a[c]), v)
        case (.double(let a), .double(let v)): return compareDoubles(a[c], v)
        case (.double(let a), .int(let v, let s)):
            if s != 0 { return -s }
            return compareDoubles(a[c], Double(v))
        }
    }

    /// Whether the key at `c` sorts before the target (outside a start bound).
    func before(_ c: Int, _ t: Target) -> Bool {
        let r = compare(c, t)
        return descending ? r > 0 : r < 0
    }

    /// Whether the key at `c` sorts after the target (outside an end bound).
    func after(_ c: Int, _ t: Target) -> Bool {
        let r = compare(c, t)
        return descending ? r < 0 : r > 0
    }
}
