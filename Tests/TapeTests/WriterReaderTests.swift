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
        #expect(got.isIdentical(to: expected))
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
        #expect(try readAll(path, "t").isIdentical(to: expected))
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
            ColumnData(type: .string, storage: .strings(try StringArray(sym))),
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
        #expect(ra[7][1] == .null && ra[8][1] == .double(px[8]))
    }

    /// The bulk append path (`ColumnBuffer.append(_:range:)`): batches of odd sizes straddling
    /// chunk boundaries, nulls at every bit position of a word, garbage in null slots, durations,
    /// dictionary-encoded and plain strings (past the 4096-entry dictionary switch) give exactly
    /// the rows `append(values:)` gives.
    @Test("bulk column batches with nulls equal row appends", arguments: [1, 63, 64, 65, 1000, 4099])
    func bulkBatchesEqualRows(batch: Int) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let defs = Self.allTypes + [ColumnDef("d", .duration), ColumnDef("cat", .string), ColumnDef("many", .string)]
        let schema = try Schema(defs)
        var g = SplitMix64(seed: UInt64(batch))
        let n = 9_000
        var rows: [[Value]] = []
        for r in 0..<n {
            var row = Self.allTypes.map { randomValue($0.type, nullable: $0.nullable, &g) }
            row.append(g.next() % 4 == 0 ? .null : .int(Int64(g.next() % 1_000_000)))
            row.append(g.next() % 3 == 0 ? .null : .string(["a", "bb", "ccc"][Int(g.next() % 3)]))
            row.append(g.next() % 6 == 0 ? .null : .string("v\(r)"))     // > 4096 distinct: plain form
            rows.append(row)
        }
        let a = dir.path("bulk.tape"), b = dir.path("rows.tape")
        let wa = try TapeWriter(path: a, options: WriterOptions(rowsPerChunk: 3000))
        let ta = try wa.declareTable("t", schema: schema)
        var start = 0
        while start < n {
            let range = start..<min(n, start + batch)
            var columns: [ColumnData] = []
            for (c, def) in defs.enumerated() {
                var valid = Bitmap(count: range.count, value: true)
                var ints: [Int64] = [], doubles: [Double] = [], bools: [Bool] = [], strings: [String] = []
                for (k, r) in range.enumerated() {
                    let v = rows[r][c]
                    if v == .null { valid[k] = false }
                    switch v {
                    case .int(let x), .timestamp(let x): ints.append(x)
                    case .double(let x): doubles.append(x)
                    case .bool(let x): bools.append(x)
                    case .string(let x): strings.append(x)
                    default:   // null: garbage in the slot, which must not reach the file
                        ints.append(-777); doubles.append(-777); bools.append(true); strings.append("garbage")
                    }
                }
                let storage: ColumnLayout
                switch def.type {
                case .int64, .timestamp, .duration: storage = .int64(ints)
                case .float64: storage = .float64(doubles)
                case .bool: storage = .bool(Bitmap(bools))
                case .string where def.name == "cat":
                    let entries = ["a", "bb", "ccc", "garbage", "unused"]
                    storage = .dictionary(entries: try StringArray(entries), indices: strings.map { UInt32(entries.firstIndex(of: $0)!) })
                case .string: storage = .strings(try StringArray(strings))
                }
                columns.append(ColumnData(type: def.type, storage: storage, validity: valid.popCount == range.count ? nil : valid))
            }
            try ta.append(columns: columns)
            start = range.upperBound
        }
        try wa.close()
        let wb = try TapeWriter(path: b, options: WriterOptions(rowsPerChunk: 3000))
        let tb = try wb.declareTable("t", schema: schema)
        for row in rows { try tb.append(values: row) }
        try wb.close()
        #expect(try readAll(a, "t") == readAll(b, "t"))
        #expect(try readAll(a, "t").count == n)
        #expect(try Verifier.verify(path: a).problems.isEmpty)
    }

    @Test("empty table and several tables declared mid-run")
    func tables() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("m.tape")
        let w = try TapeWriter(path: path, metadata: ["strategy": "sma", "symbol": "SPY"])
        let e = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp), ColumnDef("equity", .float64)])
        try e.append(values: [.timestamp(0), .double(1)])
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
