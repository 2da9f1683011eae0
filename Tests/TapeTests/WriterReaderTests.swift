import Foundation
import Testing
@testable import Tape
import TapeTestSupport

@Suite("Writer and reader round trips")
struct WriterReaderTests {
    static let allTypes: [ColumnDef] = [
        ColumnDef("ts", .timestamp, nullable: false),
        ColumnDef("i", .int64), ColumnDef("f", .float64), ColumnDef("b", .bool), ColumnDef("s", .string),
    ]

    /// Writes `rows` random rows with `rowsPerChunk` and checks every value reads back in order.
    @Test("round trip across chunk boundaries", arguments: [
        (0, 4), (1, 4), (3, 4), (4, 4), (5, 4), (1000, 64), (1023, 1024), (1025, 1024), (70_000, 65_536),
    ])
    func roundTrip(rows: Int, rowsPerChunk: Int) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("r.tape")
        var g = SplitMix64(seed: UInt64(rows * 31 + rowsPerChunk))
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: rowsPerChunk))
        let t = try w.declareTable("t", columns: Self.allTypes)
        var expected: [[Value]] = []
        for _ in 0..<rows {
            let row = Self.allTypes.map { randomValue($0.type, nullable: $0.nullable, &g) }
            try t.append(values: row)
            expected.append(row)
        }
        let summary = try w.close()
        #expect(summary.tables.first?.rows == rows)
        #expect(summary.tables.first?.chunks == (rows + rowsPerChunk - 1) / rowsPerChunk)
        let got = try readAll(path, "t")
        #expect(got == expected)
    }

    @Test("every codec round-trips", arguments: [Codec.none, .lz4, .zstd(level: 1), .zstd(level: 19)])
    func codecs(codec: Codec) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("c.tape")
        var g = SplitMix64(seed: 7)
        let w = try TapeWriter(path: path, options: WriterOptions(codec: codec, rowsPerChunk: 500))
        let t = try w.declareTable("t", columns: Self.allTypes)
        var expected: [[Value]] = []
        for _ in 0..<1234 {
            let row = Self.allTypes.map { randomValue($0.type, nullable: $0.nullable, &g) }
            try t.append(values: row); expected.append(row)
        }
        try w.close()
        #expect(try readAll(path, "t") == expected)
    }

    @Test("column batches and typed rows produce the same file contents")
    func batchesEqualRows() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let n = 10_000
        let ts = (0..<n).map { Int64($0) * 60_000_000_000 }
        let px = (0..<n).map { 100 + Double($0 % 500) / 100 }
        let sym = (0..<n).map { ["AAPL", "MSFT", "SPY"][$0 % 3] }
        var valid = Bitmap(count: n, value: true)
        for i in stride(from: 0, to: n, by: 7) { valid[i] = false }
        let schema = try Schema([ColumnDef("ts", .timestamp, nullable: false), ColumnDef("px", .float64), ColumnDef("sym", .string)])

        let a = dir.path("a.tape"), b = dir.path("b.tape")
        let wa = try TapeWriter(path: a, options: WriterOptions(rowsPerChunk: 3000))
        try wa.declareTable("q", schema: schema).append(columns: [
            ColumnData(type: .timestamp, storage: .int64(ts)),
            ColumnData(type: .float64, storage: .float64(px), validity: valid),
            ColumnData(type: .string, storage: .strings(StringArray(sym))),
        ])
        try wa.close()
        let wb = try TapeWriter(path: b, options: WriterOptions(rowsPerChunk: 3000))
        let q = try wb.declareTable("q", schema: schema)
        for i in 0..<n {
            try q.appendRow { r in
                try r.set(0, timestamp: ts[i])
                if i % 7 != 0 { try r.set(1, double: px[i]) }
                try r.set(2, string: sym[i])
            }
        }
        try wb.close()
        let ra = try readAll(a, "q"), rb = try readAll(b, "q")
        #expect(ra.count == n)
        #expect(ra == rb)
        #expect(ra[7][1] == .null && ra[8][1] == .float(px[8]))
    }

    @Test("empty table and several tables declared mid-run")
    func tables() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("m.tape")
        let w = try TapeWriter(path: path, metadata: ["strategy": "sma", "symbol": "SPY"])
        let e = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp), ColumnDef("equity", .float64)])
        try e.append(values: [.timestamp(0), .float(1)])
        let empty = try w.declareTable("nothing", columns: [ColumnDef("x", .int64)])
        let late = try w.declareTable("late", columns: [ColumnDef("x", .int64)])
        try late.append(values: [.int(42)])
        _ = empty
        try w.close()
        let r = try TapeReader(path: path)
        #expect(r.tables.map(\.name) == ["equity", "nothing", "late"])
        #expect(try r.table("nothing").rowCount == 0)
        #expect(try readAll(path, "nothing").isEmpty)
        #expect(try readAll(path, "late") == [[.int(42)]])
        #expect(r.footer.metadataValue("strategy") == "sma")
        #expect(r.footer.metadataValue("tape.writer")?.hasPrefix("tape ") == true)
    }

    @Test("a file can be reopened to add tables and rows")
    func appendMode() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("a.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 2), metadata: ["k": "v"])
        let t = try w.declareTable("t", columns: [ColumnDef("x", .int64)])
        for i in 0..<5 { try t.append(values: [.int(Int64(i))]) }
        try w.close()

        let w2 = try TapeWriter(appendingTo: path, options: WriterOptions(rowsPerChunk: 2))
        let u = try w2.declareTable("u", columns: [ColumnDef("s", .string)])
        try u.append(values: [.string("new")])
        let t2 = try w2.declareTable("t", columns: [ColumnDef("x", .int64)])
        try t2.append(values: [.int(5)])
        #expect(throws: TapeError.self) { try w2.declareTable("t", columns: [ColumnDef("x", .int64)]) }
        try w2.close()

        let r = try TapeReader(path: path)
        #expect(Set(r.tables.map(\.name)) == ["t", "u"])
        #expect(try readAll(path, "t") == (0...5).map { [.int(Int64($0))] })
        #expect(try readAll(path, "u") == [[.string("new")]])
        #expect(r.footer.metadataValue("k") == "v")
    }
}
