import Foundation
import Testing
@testable import Tape
import TapeTestSupport

@Suite("Writer errors and accounting")
struct WriterErrorTests {
    func withTable(_ body: (TapeWriter, TableWriter, String) throws -> Void) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("e.tape")
        let w = try TapeWriter(path: path)
        let t = try w.declareTable("t", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("x", .float64)])
        try body(w, t, path)
    }

    @Test func wrongTypeIsRejectedAndRowRolledBack() throws {
        try withTable { w, t, path in
            #expect(throws: TapeError.typeMismatch(table: "t", column: "x", expected: .float64, got: "string")) {
                try t.appendRow { r in try r.set(0, timestamp: 1); try r.set(1, string: "oops") }
            }
            try t.appendRow { r in try r.set(0, timestamp: 2); try r.set(1, double: 3) }
            try w.close()
            #expect(try readAll(path, "t") == [[.timestamp(2), .double(3)]])
        }
    }

    @Test func missingNonNullableColumn() throws {
        try withTable { _, t, _ in
            #expect(throws: TapeError.nullInNonNullable(table: "t", column: "ts")) {
                try t.appendRow { r in try r.set(1, double: 1) }
            }
            #expect(t.rowCount == 0)
        }
    }

    @Test func unknownColumnSetTwiceAndBadIndex() throws {
        try withTable { _, t, _ in
            #expect(throws: TapeError.unknownColumn(table: "t", column: "nope")) {
                try t.appendRow { r in try r.set("nope", .int(1)) }
            }
            #expect(throws: TapeError.columnSetTwice(table: "t", column: "x")) {
                try t.appendRow { r in try r.set(0, timestamp: 0); try r.set(1, double: 1); try r.set(1, double: 2) }
            }
            #expect(throws: TapeError.self) { try t.appendRow { r in try r.set(9, int: 1) } }
            #expect(t.rowCount == 0)
        }
    }

    @Test func appendAfterClose() throws {
        try withTable { w, t, _ in
            try w.close()
            #expect(throws: TapeError.writerClosed) { try t.append(values: [.timestamp(0), .null]) }
            #expect(throws: TapeError.writerClosed) { try w.close() }
        }
    }

    /// A query's layouts as writer input: a constant column is spread to its rows (NULL ones
    /// too), INTERVAL values are refused naming what they are, and nothing of a refused batch lands.
    @Test func constantColumnsAreSpreadAndIntervalsRefused() throws {
        try withTable { w, t, path in
            try t.append(columns: [ColumnData(type: .timestamp, storage: .int64([1, 2, 3])),
                                   ColumnData(type: .float64, storage: .constant(.double(2.5)), count: 3)])
            try t.append(columns: [ColumnData(type: .timestamp, storage: .constant(.timestamp(9)), count: 2),
                                   ColumnData(type: .float64, storage: .constant(.null), count: 2)])
            do {
                try t.append(columns: [ColumnData(type: .timestamp, storage: .int64([1])),
                                       ColumnData(type: .float64, storage: .interval([Interval()]))])
                Issue.record("INTERVAL values accepted")
            } catch let e as TapeError {
                #expect("\(e)".contains("INTERVAL values") && "\(e)".contains("'x'"))
            }
            #expect(t.rowCount == 5)
            _ = try w.close()
            let scan = try TapeReader(path: path).scan("t")
            var rows: [[Value]] = []
            while let b = try scan.nextBatch() { for r in 0..<b.count { rows.append([b.value(row: r, column: 0), b.value(row: r, column: 1)]) } }
            #expect(rows == [[.timestamp(1), .double(2.5)], [.timestamp(2), .double(2.5)], [.timestamp(3), .double(2.5)],
                             [.timestamp(9), .null], [.timestamp(9), .null]])
        }
    }

    @Test func badBatches() throws {
        try withTable { _, t, _ in
            #expect(throws: TapeError.self) { try t.append(columns: [ColumnData(type: .timestamp, storage: .int64([1]))]) }
            #expect(throws: TapeError.self) {
                try t.append(columns: [ColumnData(type: .timestamp, storage: .int64([1, 2])),
                                       ColumnData(type: .float64, storage: .float64([1]))])
            }
            #expect(throws: TapeError.self) {
                try t.append(columns: [ColumnData(type: .timestamp, storage: .int64([1]), validity: Bitmap(count: 1, value: false)),
                                       ColumnData(type: .float64, storage: .float64([1]))])
            }
            #expect(t.rowCount == 0)
        }
    }

    @Test func invalidOptionsAndPaths() throws {
        #expect(throws: TapeError.self) { try TapeWriter(path: "/tmp/x.tape", options: WriterOptions(rowsPerChunk: 0)) }
        #expect(throws: TapeError.self) { try TapeWriter(path: "/nonexistent-dir/x.tape") }
        #expect(throws: TapeError.self) { try TapeReader(path: "/nonexistent-dir/x.tape") }
    }

    @Test func secondWriterIsRefused() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("lock.tape")
        let w = try TapeWriter(path: path)
        #expect(throws: TapeError.self) { try TapeWriter(path: path) }
        try w.close()
    }

    @Test("progress never exceeds its total", arguments: [0, 50, 100, 150])
    func progress(rows: Int) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let w = try TapeWriter(path: dir.path("p.tape"))
        w.expectBars(100)
        let t = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp)])
        for i in 0..<rows {
            try t.append(values: [.timestamp(Int64(i))])
            let p = w.progress
            #expect(p.processed <= p.total!)
        }
        let p = w.progress
        #expect(p.processed == rows)
        #expect(p.total == max(100, rows))
        #expect(p.expectedExceeded == (rows > 100))
        let s = try w.close()
        #expect(s.progress == p)
    }

    @Test("summary stays small whatever the run length")
    func summarySize() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var sizes: [Int] = []
        for n in [10, 200_000] {
            let w = try TapeWriter(path: dir.path("s\(n).tape"), metadata: ["strategy": "sma"])
            let t = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
            let ts = (0..<n).map { 1_700_000_000_000_000_000 + Int64($0) * 60_000_000_000 }
            try t.append(columns: [ColumnData(type: .timestamp, storage: .int64(ts)),
                                   ColumnData(type: .float64, storage: .float64(ts.map { Double($0 % 1000) }))])
            let s = try w.close()
            #expect(s.tables[0].rows == n)
            #expect(s.firstTimestamp == "2023-11-14T22:13:20Z")
            let json = try s.json()
            sizes.append(json.utf8.count)
        }
        #expect(sizes.allSatisfy { $0 < 2048 })
        #expect(abs(sizes[0] - sizes[1]) < 64)
    }
}

@Suite("Chunk lag")
struct ChunkLagTests {
    @Test("a slow table is flushed after maxChunkLag chunks of others", arguments: [0, 1, 3])
    func lag(maxLag: Int) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("lag.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 100, maxChunkLag: maxLag))
        let fast = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp)])
        let slow = try w.declareTable("trades", columns: [ColumnDef("x", .int64)])
        for i in 0..<1000 {
            try fast.append(values: [.timestamp(Int64(i))])
            if i % 50 == 0 { try slow.append(values: [.int(Int64(i))]) }
        }
        try w.close()
        let r = try TapeReader(path: path)
        let chunks = try r.table("trades").chunks.count
        // 20 trade rows: one chunk at close without lag flushing, else one per `maxLag` of the 10 equity chunks, rounded up (the rest flushes at close).
        #expect(chunks == (maxLag == 0 ? 1 : (10 + maxLag - 1) / maxLag))
        #expect(try readAll(path, "trades").count == 20)
    }
}
