import Foundation
import Testing
import TapeCodec
import TapeFormat
@testable import TapeQuery

/// The typed fast paths of the window, join and grouping code give exactly what the general
/// paths they skip give: in-order layouts, constant-offset ROWS frames, contiguous slices, bulk
/// validity appends, constant GROUP BY keys, one-row join probes.
@Suite struct FastPathEquivalenceTests {
    /// `values` as a BIGINT vector; `forceValidity`: with an all-set validity bitmap (which keeps
    /// it off the typed layout path, so the general comparator path runs).
    static func ints(_ values: [Int64], forceValidity: Bool = false) -> Vector {
        Vector(type: .int, storage: .int64(values), validity: forceValidity ? Bitmap(count: values.count, value: true) : nil, count: values.count)
    }

    static func layouts(_ keys: [Int64], descending: Bool) -> (fast: WindowLayout, general: WindowLayout) {
        let order = [(descending: descending, nullsFirst: false)]
        return (WindowLayout(partitionKeys: [], orderKeys: [ints(keys)], order: order, count: keys.count),
                WindowLayout(partitionKeys: [], orderKeys: [ints(keys, forceValidity: true)], order: order, count: keys.count))
    }

    @Test func inOrderLayoutEqualsTheGeneralPath() {
        var rng = SystemRandomNumberGenerator()
        var cases: [[Int64]] = [[7], [1, 1], [1, 2], [Int64.min, 0, Int64.max], [5, 5, 5, 6, 6, 9], [3, 1, 2], [1, 2, 2, 1]]
        for _ in 0..<40 {
            let n = Int.random(in: 1...200, using: &rng)
            var a = (0..<n).map { _ in Int64.random(in: -20...20, using: &rng) }
            if Bool.random(using: &rng) { a.sort() }
            cases.append(a)
        }
        for keys in cases {
            for descending in [false, true] {
                let input = descending ? Array(keys.reversed()) : keys
                let (f, g) = Self.layouts(input, descending: descending)
                #expect(f.rows == g.rows, "\(input) desc=\(descending)")
                #expect(f.partitionStarts == g.partitionStarts)
                #expect(f.peerStart == g.peerStart, "\(input) desc=\(descending)")
                #expect(f.peerEnd == g.peerEnd, "\(input) desc=\(descending)")
            }
        }
        // Out of order: the fast path declines and the rows are sorted.
        #expect(WindowLayout.inOrderPeers(Self.ints([2, 1]), descending: false, count: 2) == nil)
        #expect(Self.layouts([2, 1], descending: false).fast.rows == [1, 0])
    }

    /// A constant-offset frame and the same frame with the offset as a per-row value.
    static func bothWays(_ start: BoundFrame.Bound, _ end: BoundFrame.Bound, partitions: [Int64]) throws -> (FrameBounds, FrameBounds) {
        let n = partitions.count
        let layout = WindowLayout(partitionKeys: [ints(partitions)], orderKeys: [ints(Array(0..<Int64(n)))], order: [(false, false)], count: n)
        let constant = BoundFrame(unit: .rows, start: start, end: end)
        func perRow(_ b: BoundFrame.Bound) -> (BoundFrame.Bound, Vector?) {
            switch b {
            case .preceding(let d): return (.preceding(.null), .constant(d, type: .int, count: n).materialized())
            case .following(let d): return (.following(.null), .constant(d, type: .int, count: n).materialized())
            default: return (b, nil)
            }
        }
        let (s, so) = perRow(start), (e, eo) = perRow(end)
        let dynamic = BoundFrame(unit: .rows, start: s, end: e)
        return (try FrameBounds(constant, layout: layout, orderKey: nil, descending: false),
                try FrameBounds(dynamic, layout: layout, orderKey: nil, descending: false, startOffsets: so, endOffsets: eo))
    }

    @Test func constantRowsFramesEqualPerRowOffsets() throws {
        let offsets: [Int64] = [0, 1, 2, 5, 1439, Int64.max]
        var bounds: [BoundFrame.Bound] = [.unboundedPreceding, .currentRow, .unboundedFollowing]
        for k in offsets { bounds += [.preceding(.int(k)), .following(.int(k))] }
        let partitions: [[Int64]] = [[1], [1, 1, 1, 1, 1, 1, 1], [1, 1, 2, 2, 2, 3, 4, 4, 4, 4, 4]]
        for p in partitions {
            for s in bounds {
                for e in bounds {
                    let (c, d) = try Self.bothWays(s, e, partitions: p)
                    #expect(c.start == d.start, "\(s.text) AND \(e.text) over \(p)")
                    #expect(c.end == d.end, "\(s.text) AND \(e.text) over \(p)")
                }
            }
        }
    }

    static func same(_ a: Vector, _ b: Vector) -> Bool {
        guard a.count == b.count, a.type == b.type, (a.validity == nil) == (b.validity == nil) else { return false }
        return (0..<a.count).allSatisfy { a.datum($0) == b.datum($0) }
    }

    static func samples() throws -> [Vector] {
        var valid = Bitmap(count: 70, value: true)
        for i in [0, 3, 64, 69] { valid[i] = false }
        let n = 70
        return [
            Vector(type: .int, storage: .int64((0..<Int64(n)).map { $0 * 3 }), validity: valid, count: n),
            Vector(type: .timestamp, storage: .int64((0..<Int64(n)).map { $0 }), count: n),
            Vector(type: .double, storage: .float64((0..<n).map { Double($0) / 7 }), validity: valid, count: n),
            Vector(type: .bool, storage: .bool(Bitmap((0..<n).map { $0 % 3 == 0 })), validity: valid, count: n),
            Vector(type: .string, storage: .strings(try StringArray((0..<n).map { "s\($0)" })), validity: valid, count: n),
            Vector(type: .string, storage: .dictionary(entries: try StringArray(["p", "q", "r"]), indices: (0..<n).map { UInt32($0 % 3) }), validity: valid, count: n),
            Vector(type: .interval, storage: .interval((0..<n).map { Interval(months: Int64($0), days: 1, nanos: 2) }), count: n),
            .constant(.string("run"), type: .string, count: n),
            .constant(.null, type: .int, count: n),
        ]
    }

    @Test func sliceEqualsGatherOfTheRange() throws {
        for v in try Self.samples() {
            for r in [0..<70, 0..<0, 0..<1, 3..<4, 1..<65, 63..<70, 64..<70, 10..<20] {
                let s = v.slice(r), g = v.gather(r.map { Int32($0) })
                #expect(Self.same(s, g), "\(v.type) \(r)")
            }
        }
        let b = Batch(columns: try Self.samples(), count: 70)
        let s = b.slice(5..<66)
        #expect(s.count == 61)
        #expect(zip(s.columns, b.gather((5..<66).map { Int32($0) }).columns).allSatisfy { Self.same($0.0, $0.1) })
    }

    @Test func builderAppendsValidityInBulkAsRowByRow() throws {
        for v in try Self.samples() {
            let parts = [v.slice(0..<1), v.slice(1..<64), v.slice(64..<65), v.slice(65..<70)]
            var bulk = VectorBuilder(type: v.type)
            var rowwise = VectorBuilder(type: v.type)
            for p in parts { bulk.append(p) }
            for r in 0..<v.count { rowwise.append(v.datum(r)) }
            let a = try bulk.build(), b = try rowwise.build()
            #expect(a.count == 70 && (0..<70).allSatisfy { a.datum($0) == b.datum($0) }, "\(v.type)")
            #expect((a.validity == nil) == (b.validity == nil), "\(v.type)")
        }
        // No NULL appended: no validity at all.
        var b = VectorBuilder(type: .int)
        b.append(Self.ints([1, 2, 3]))
        b.append(.constant(.int(4), type: .int, count: 2))
        let out = try b.build()
        #expect(out.validity == nil && out.count == 5 && out.datum(4) == .int(4))
    }

    @Test func concatenatedDictionariesKeepTheirNulls() throws {
        let entries = try StringArray(["a", "b"])
        var valid = Bitmap(count: 3, value: true)
        valid[1] = false
        let parts = [
            Vector(type: .string, storage: .dictionary(entries: entries, indices: [0, 1, 1]), validity: valid, count: 3),
            .constant(.string("b"), type: .string, count: 2),
            .constant(.null, type: .string, count: 1),
            Vector(type: .string, storage: .dictionary(entries: entries, indices: [1, 0]), validity: Bitmap(count: 2, value: true), count: 2),
        ]
        let all = try Batch.concatenate(parts.map { Batch(columns: [$0], count: $0.count) }, types: [.string], label: "test").columns[0]
        let want: [Datum] = [.string("a"), .null, .string("b"), .string("b"), .string("b"), .null, .string("b"), .string("a")]
        #expect((0..<8).map { all.datum($0) } == want)
        // No NULL among the parts: no validity.
        let clean = try Batch.concatenate([parts[1], parts[3]].map { Batch(columns: [$0], count: $0.count) }, types: [.string], label: "test").columns[0]
        #expect(clean.validity == nil && clean.count == 4)
    }

    @Test func constantGroupKeysGroupAsTheirValues() throws {
        let rows: [(Datum, Datum)] = [(.string("r1"), .double(1)), (.string("r2"), .double(1)), (.string("r1"), .double(1)),
                                      (.null, .double(-0.0)), (.null, .double(0.0))]
        let viaConstants = GroupTable(types: [.string, .double])
        let viaRows = GroupTable(types: [.string, .double])
        for (s, d) in rows {
            let keys = [Vector.constant(s, type: .string, count: 3), Vector.constant(d, type: .double, count: 3)]
            let ids = viaConstants.assign(keys, count: 3)
            #expect(Set(ids).count == 1)
            #expect(ids == viaRows.assign(keys.map { $0.materialized() }, count: 3))
        }
        #expect(viaConstants.count == viaRows.count)
        let a = try viaConstants.keyVectors(), b = try viaRows.keyVectors()
        #expect(zip(a, b).allSatisfy { x, y in (0..<x.count).allSatisfy { x.datum($0) == y.datum($0) } })
    }

    @Test func fileStemEqualsFoundation() {
        let paths = ["run1.tape", "/a/b/run1.tape", "runs/x.y.tape", "noext", "/a/b/", "a/b.tape/", "/", "//", "", ".tape", "a/.tape",
                     "a.", "a..", "a..b", "dir.d/file", "dir.d/file.", "x/..", "a/.", "/.x", "run.2024-01-01.tape", "héllo wörld.tape", "a/b c.t a", "./x.tape", "../", "a//b.tape", ".", ".."]
        for p in paths {
            #expect(RunSet.fileStem(p) == ((p as NSString).lastPathComponent as NSString).deletingPathExtension, "\(p)")
        }
    }
}
