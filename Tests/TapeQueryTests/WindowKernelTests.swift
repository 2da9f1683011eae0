import Testing
import TapeCodec
import TapeTestSupport
import TapeFormat
@testable import TapeQuery

/// The window kernels against direct definitions: frames, the sliding fold, ranking.
@Suite struct WindowKernelTests {
    static func ints(_ a: [Int64?]) -> Vector {
        var b = VectorBuilder(type: .int)
        for x in a { b.append(x.map(Datum.int) ?? .null) }
        return (try? b.build()) ?? .constant(.null, type: .int, count: a.count)
    }

    @Test func layoutSortsPartitionsAndPeers() {
        let part = Self.ints([2, 1, 2, 1, 2])
        let ord = Self.ints([5, 7, 5, nil, 3])
        let l = WindowLayout(partitionKeys: [part], orderKeys: [ord], order: [(false, false)], count: 5)
        // Partition 1: rows 1 (7), 3 (NULL last); partition 2: rows 4 (3), 0 (5), 2 (5).
        #expect(l.rows == [1, 3, 4, 0, 2])
        #expect(l.partitions == [0..<2, 2..<5])
        #expect(l.peerStart == [0, 1, 2, 3, 3])
        #expect(l.peerEnd == [1, 2, 3, 5, 5])
    }

    @Test func alreadySortedInputIsNotPermuted() {
        let l = WindowLayout(partitionKeys: [Self.ints([1, 1, 2])], orderKeys: [Self.ints([1, 2, 0])], order: [(false, false)], count: 3)
        #expect(l.rows == nil)
        #expect(l.partitions == [0..<2, 2..<3])
    }

    func frames(_ f: BoundFrame, keys: [Int64?], descending: Bool = false) throws -> [[Int32]] {
        let k = Self.ints(keys)
        let l = WindowLayout(partitionKeys: [], orderKeys: [k], order: [(descending, false)], count: keys.count)
        let b = try FrameBounds(f, layout: l, orderKey: l.sorted(k), descending: descending)
        return [b.start, b.end]
    }

    @Test func rowsFramesClampAtPartitionEdges() throws {
        let f = BoundFrame(unit: .rows, start: .preceding(.int(2)), end: .preceding(.int(1)))
        #expect(try frames(f, keys: [1, 2, 3, 4]) == [[0, 0, 0, 1], [0, 1, 2, 3]])
        let g = BoundFrame(unit: .rows, start: .following(.int(1)), end: .following(.int(Int64.max)))
        #expect(try frames(g, keys: [1, 2, 3]) == [[1, 2, 3], [3, 3, 3]])
    }

    @Test func rangeFramesUseValuesAndKeepNullsAsPeers() throws {
        let f = BoundFrame(unit: .range, start: .preceding(.int(2)), end: .currentRow)
        // Sorted keys: 1 1 2 5 NULL.
        #expect(try frames(f, keys: [1, 1, 2, 5, nil]) == [[0, 0, 0, 3, 4], [2, 2, 3, 4, 5]])
        let d = BoundFrame(unit: .range, start: .preceding(.int(1)), end: .following(.int(1)))
        // Descending keys 5 2 1 1: PRECEDING means larger.
        #expect(try frames(d, keys: [1, 1, 2, 5], descending: true) == [[0, 1, 1, 1], [1, 4, 4, 4]])
    }

    @Test func groupsFramesCountPeerGroups() throws {
        let f = BoundFrame(unit: .groups, start: .preceding(.int(1)), end: .currentRow)
        // Groups: {1,1} {2} {5,5}.
        #expect(try frames(f, keys: [1, 1, 2, 5, 5]) == [[0, 0, 0, 2, 2], [2, 2, 3, 5, 5]])
    }

    /// The sliding fold equals a direct fold over every frame, for random monotone frames.
    @Test func slidingFoldMatchesDirectFold() {
        var g = SplitMix64(seed: 99)
        for _ in 0..<200 {
            let n = Int(g.next() % 60) + 1
            let values = (0..<n).map { _ in Int64(g.next() % 100) - 50 }
            var start: [Int32] = [], end: [Int32] = []
            var s = 0, e = 0
            for i in 0..<n {
                s = min(i + 3, max(s, i - Int(g.next() % 5)))
                e = max(e, min(n, s + Int(g.next() % 8)))
                start.append(Int32(s)); end.append(Int32(max(e, s)))
            }
            let frames = FrameBounds(start: start, end: end)
            let agg = ExtremeFrame(order: { values[$0] < values[$1] ? -1 : (values[$0] == values[$1] ? 0 : 1) }, counts: { values[$0] % 7 != 0 }, isMax: true)
            var got = [Int32](repeating: -2, count: n)
            SlidingAggregation.run(agg, frames: frames, partitions: [0..<n]) { got[$0] = $1 }
            for i in 0..<n {
                var best: Int32 = -1
                for k in Int(start[i])..<Int(end[i]) where values[k] % 7 != 0 {
                    if best < 0 || values[k] > values[Int(best)] { best = Int32(k) }
                }
                #expect(got[i] == best, "row \(i) frame \(start[i])..<\(end[i])")
            }
            var sums = [Int64](repeating: 0, count: n)
            SlidingAggregation.run(SumIntFrame(values: values, valid: nil), frames: frames, partitions: [0..<n]) { sums[$0] = Int64($1.0) }
            for i in 0..<n { #expect(sums[i] == values[Int(start[i])..<Int(end[i])].reduce(0, +)) }
        }
    }

    @Test func ntileSpreadsRemainderOverFirstBuckets() {
        #expect((0..<10).map { RankingKernels.ntile(row: $0, size: 10, buckets: 3) } == [1, 1, 1, 1, 2, 2, 2, 3, 3, 3])
        #expect((0..<3).map { RankingKernels.ntile(row: $0, size: 3, buckets: 5) } == [1, 2, 3])
    }

    @Test func momentsMergeLikeOnePass() {
        let xs = [1.5, 2.0, -3.25, 8.0, 0.5]
        let all = xs.reduce(Moments()) { $0.merged(Moments(n: 1, mean: $1, m2: 0)) }
        let mean = xs.reduce(0, +) / 5
        let m2 = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        #expect(abs(all.result(sample: true, root: false)! - m2 / 4) < 1e-12)
        #expect(Moments(n: 1, mean: 3, m2: 0).result(sample: true, root: true) == nil)
    }
}
