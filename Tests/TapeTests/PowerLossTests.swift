import Foundation
import Testing
@testable import Tape
import TapeFormat
import TapeTestSupport

/// Power-loss simulation (LevelDB's fault-injection recipe): a writer with durability `.chunk`
/// records its durable length after every fsync; a power cut at that moment leaves the file cut
/// to that length followed by whatever part of later writes the disk happened to keep — nothing,
/// a prefix of the next frame, the next frame with a damaged span (sectors written out of order),
/// or garbage. Recovery must keep every chunk durable at that point with identical rows, invent
/// nothing, and restore the metadata of the last durable metadata frame.
@Suite("Power loss")
struct PowerLossTests {
    /// What was durable after one fsync.
    struct SyncPoint {
        var length: Int
        var rows: [String: Int]
        /// User metadata as of that point (all of it was set before the synced frames).
        var metadata: [String: String]
    }

    static let equityColumns = [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64),
                                ColumnDef("note", .string)]
    static let tradeColumns = [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("qty", .int64), ColumnDef("buy", .bool)]

    /// Writes the run, returning its final bytes, rows, and the sync points seen after each append.
    static func writeRun(_ path: String) throws -> (bytes: [UInt8], rows: [String: [[Value]]], points: [SyncPoint]) {
        var metadata = ["strategy": "sma", "symbol": "SPY"]
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 40, durability: .chunk, maxChunkLag: 3),
                               metadata: metadata)
        let equity = try w.declareTable("equity", columns: equityColumns)
        let trades = try w.declareTable("trades", columns: tradeColumns)
        var rows: [String: [[Value]]] = ["equity": [], "trades": []]
        func durableRows(_ t: TableWriter) -> Int { t.chunks.last.map { $0.rowStart + $0.rowCount } ?? 0 }
        var points = [SyncPoint(length: w.durableLength, rows: [:], metadata: metadata)]
        var g = SplitMix64(seed: 0x9091)
        for i in 0..<1_600 {
            let ts = Int64(i) * 60_000_000_000
            let e: [Value] = [.timestamp(ts), i % 13 == 0 ? .null : .double(Double(100_000 + Int(g.next() % 5_000)) / 100),
                              .string(i % 50 == 0 ? "rebalance \(i)" : "")]
            try equity.append(values: e)
            rows["equity"]!.append(e)
            if g.next() % 6 == 0 {
                let t: [Value] = [.timestamp(ts), .int(Int64(g.next() % 1000) - 500), .bool(g.next() & 1 == 0)]
                try trades.append(values: t)
                rows["trades"]!.append(t)
            }
            if i % 300 == 150 {   // metadata changing during the run: progress and a parameter
                metadata["progress"] = "\(i)"
                try w.setMetadata("progress", "\(i)")
                if i == 450 { metadata["symbol"] = "QQQ"; try w.setMetadata("symbol", "QQQ") }
            }
            if w.durableLength != points.last!.length {
                points.append(SyncPoint(length: w.durableLength,
                                        rows: ["equity": durableRows(equity), "trades": durableRows(trades)].filter { $0.value > 0 },
                                        metadata: metadata))
            }
        }
        try w.close()
        return (Array(try Data(contentsOf: URL(fileURLWithPath: path))), rows, points)
    }

    @Test("≥ 400 simulated power cuts keep exactly the durable chunks and metadata")
    func powerCuts() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let (bytes, rows, points) = try Self.writeRun(dir.path("run.tape"))
        let dataEnd = try TapeReader(path: dir.path("run.tape")).footerOffset
        #expect(points.count >= 40, "\(points.count) sync points")
        #expect(Set(points.map { $0.metadata["progress"] }).count >= 4)
        // The frame that follows each durable length (what the next writes were filling).
        let path = dir.path("cut.tape")
        var g = SplitMix64(seed: 0x90E7)
        var kinds = [String: Int]()
        let cuts = 400
        for k in 0..<cuts {
            let p = points[k < points.count ? k : Int(g.next() % UInt64(points.count))]
            let nextEnd = p.length < dataEnd ? p.length + (try FramePrefix(
                decoding: Array(bytes[p.length..<(p.length + ChunkHeader.prefixSize)]), offset: p.length,
                limit: bytes.count - p.length).frameLength) : bytes.count
            var file = Array(bytes[0..<p.length])
            let kind: String
            switch g.next() % 4 {
            case 0:
                kind = "nothing after"
            case 1:
                kind = "torn next frame"
                let n = Int(g.next() % UInt64(nextEnd - p.length))
                file += bytes[p.length..<(p.length + n)]
            case 2:
                kind = "next frame with a damaged span"
                var next = Array(bytes[p.length..<nextEnd])
                let from = Int(g.next() % UInt64(next.count)), len = 1 + Int(g.next() % 600)
                for i in from..<min(next.count, from + len) { next[i] ^= 0xA5 }
                file += next
            default:
                kind = "garbage"
                file += (0..<(1 + Int(g.next() % 2000))).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            }
            kinds[kind, default: 0] += 1
            try Data(file).write(to: URL(fileURLWithPath: path))
            let report = try Recovery.recover(path: path)
            let label = "cut \(k) at \(p.length) + \(kind)"
            if p.length == bytes.count { #expect(report.wasSealed, "\(label)"); continue }
            // Declared tables without durable rows are kept empty (schema frames, format 1.2).
            #expect(report.rowsKept.filter { $0.value > 0 } == p.rows, "\(label)")
            let r = try TapeReader(path: path, options: ReaderOptions(verifyChecksums: true))
            for (table, n) in p.rows { #expect(try r.rows(table) == Array(rows[table]!.prefix(n)), "\(label): \(table)") }
            #expect(Set(r.tables.filter { $0.rowCount > 0 }.map(\.name)) == Set(p.rows.keys), "\(label)")
            var meta = Dictionary(r.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            #expect(meta.removeValue(forKey: "tape.recovered") == "true" && meta.removeValue(forKey: "tape.created") != nil
                    && meta.removeValue(forKey: "tape.writer") != nil, "\(label)")
            #expect(meta == p.metadata, "\(label)")
        }
        print("PowerLossTests: \(cuts) power cuts over \(points.count) sync points: \(kinds.sorted { $0.key < $1.key })")
    }
}
