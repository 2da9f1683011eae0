import Foundation
import Testing
@testable import Tape
import TapeTestSupport

@Suite("Scans: projection, zone-map pruning, exact filtering")
struct ScanTests {
    /// 10 chunks of 1,000 one-minute bars; `sym` changes every 2,500 rows; `x` has nulls.
    static func makeFile(_ dir: TempDir) throws -> (String, [[Value]]) {
        let path = dir.path("scan.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 1000))
        let t = try w.declareTable("bars", columns: [
            ColumnDef("ts", .timestamp, nullable: false), ColumnDef("px", .float64), ColumnDef("sym", .string),
            ColumnDef("x", .int64),
        ])
        var rows: [[Value]] = []
        for i in 0..<10_000 {
            let row: [Value] = [.timestamp(Int64(i) * 60_000_000_000), .double(100 + Double(i % 977) / 100),
                                .string(["AAA", "BBB", "CCC", "DDD"][i / 2500]), i % 3 == 0 ? .null : .int(Int64(i))]
            try t.append(values: row)
            rows.append(row)
        }
        try w.close()
        return (path, rows)
    }

    @Test func timeRangeReadsOnlyOverlappingChunks() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let (path, rows) = try Self.makeFile(dir)
        let lo: Int64 = 2_500 * 60_000_000_000, hi: Int64 = 3_200 * 60_000_000_000
        let r = try TapeReader(path: path)
        let scan = try r.scan("bars", columns: ["ts", "px"], where: [ColumnPredicate("ts", .ge, .timestamp(lo)),
                                                                     ColumnPredicate("ts", .lt, .timestamp(hi))])
        var got: [[Value]] = []
        while let b = try scan.nextBatch() {
            #expect(b.schema.columns.map(\.name) == ["ts", "px"])
            for i in 0..<b.count { got.append([b.value(row: i, column: 0), b.value(row: i, column: 1)]) }
        }
        #expect(got.isIdentical(to: rows[2500..<3200].map { Array($0[0...1]) }))
        #expect(scan.chunksRead == 2)
        #expect(scan.chunksSkipped == 8)
    }

    @Test("filters match a brute-force filter", arguments: [
        ColumnPredicate("sym", .eq, .string("CCC")), ColumnPredicate("sym", .gt, .string("BBB")),
        ColumnPredicate("x", .lt, .int(100)), ColumnPredicate("x", .ne, .int(5)),
        ColumnPredicate("px", .ge, .double(109.7)), ColumnPredicate("px", .le, .int(100)),
    ])
    func filters(predicate: ColumnPredicate) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let (path, rows) = try Self.makeFile(dir)
        let col = ["ts", "px", "sym", "x"].firstIndex(of: predicate.column)!
        let expected = rows.filter { row in
            switch (row[col], predicate.value) {
            case (.null, _): return false
            case let (.string(a), .string(b)): return predicate.op.holds(a < b ? -1 : (a == b ? 0 : 1))
            case let (.int(a), .int(b)): return predicate.op.holds(a < b ? -1 : (a == b ? 0 : 1))
            case let (.double(a), .double(b)): return predicate.op.holds(a < b ? -1 : (a == b ? 0 : 1))
            case let (.double(a), .int(b)): return predicate.op.holds(a < Double(b) ? -1 : (a == Double(b) ? 0 : 1))
            default: return false
            }
        }
        #expect(try readAll(path, "bars", where: [predicate]) == expected)
    }

    @Test func stringEqualitySkipsChunks() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let (path, _) = try Self.makeFile(dir)
        let scan = try TapeReader(path: path).scan("bars", columns: ["ts"], where: [ColumnPredicate("sym", .eq, .string("AAA"))])
        var n = 0
        while let b = try scan.nextBatch() { n += b.count }
        #expect(n == 2500)
        #expect(scan.chunksRead == 3)   // rows 0..<3000 hold AAA (chunk 2 is mixed)
        #expect(scan.chunksSkipped == 7)
    }

    @Test func unknownNamesAndMismatchedTypesAreErrors() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let (path, _) = try Self.makeFile(dir)
        let r = try TapeReader(path: path)
        #expect(throws: TapeError.unknownTable("nope")) { try r.scan("nope") }
        #expect(throws: TapeError.unknownColumn(table: "bars", column: "zz")) { try r.scan("bars", columns: ["zz"]) }
        #expect(throws: TapeError.self) {
            let s = try r.scan("bars", where: [ColumnPredicate("sym", .eq, .int(1))])
            _ = try s.nextBatch()
        }
    }
}

@Suite("Scans: NaN in SQL's total order (NaN == NaN, above +inf)")
struct NaNScanTests {
    /// Chunks of 3 rows: [1, NaN, 0.5] [2, 3, 4] [NaN, NaN, NULL] [-inf, +inf, 0].
    static let values: [Double?] = [1, .nan, 0.5, 2, 3, 4, .nan, .nan, nil, -.infinity, .infinity, 0]

    static func rows(_ p: ColumnPredicate) throws -> [Double] {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("nan.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 3))
        let t = try w.declareTable("t", columns: [ColumnDef("x", .float64)])
        for v in values { try t.append(values: [v.map(Value.double) ?? .null]) }
        try w.close()
        let scan = try TapeReader(path: path).scan("t", columns: ["x"], where: [p])
        var got: [Double] = []
        while let b = try scan.nextBatch() {
            for i in 0..<b.count { if case .double(let x) = b.value(row: i, column: 0) { got.append(x) } }
        }
        return got
    }

    /// The same predicate applied row by row in the total order.
    static func expected(_ p: ColumnPredicate) -> [Double] {
        guard case .double(let c) = p.value else { return [] }
        return values.compactMap { $0 }.filter { x in
            let k = x.isNaN || c.isNaN ? (x.isNaN == c.isNaN ? 0 : (x.isNaN ? 1 : -1)) : (x < c ? -1 : (x == c ? 0 : 1))
            return p.op.holds(k)
        }
    }

    @Test(arguments: ColumnPredicate.Op.allCases.flatMap { op in [2.5, .nan, .infinity, 0].map { ColumnPredicate("x", op, .double($0)) } })
    func predicateKeepsExactlyTheMatchingRows(_ p: ColumnPredicate) throws {
        let got = try Self.rows(p), want = Self.expected(p)
        #expect(got.count == want.count && zip(got, want).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(p): \(got) vs \(want)")
    }
}
