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
            let row: [Value] = [.timestamp(Int64(i) * 60_000_000_000), .float(100 + Double(i % 977) / 100),
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
        #expect(got == rows[2500..<3200].map { Array($0[0...1]) })
        #expect(scan.chunksRead == 2)
        #expect(scan.chunksSkipped == 8)
    }

    @Test("filters match a brute-force filter", arguments: [
        ColumnPredicate("sym", .eq, .string("CCC")), ColumnPredicate("sym", .gt, .string("BBB")),
        ColumnPredicate("x", .lt, .int(100)), ColumnPredicate("x", .ne, .int(5)),
        ColumnPredicate("px", .ge, .float(109.7)), ColumnPredicate("px", .le, .int(100)),
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
            case let (.float(a), .float(b)): return predicate.op.holds(a < b ? -1 : (a == b ? 0 : 1))
            case let (.float(a), .int(b)): return predicate.op.holds(a < Double(b) ? -1 : (a == Double(b) ? 0 : 1))
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
