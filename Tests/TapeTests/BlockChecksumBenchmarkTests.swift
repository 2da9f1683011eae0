import Foundation
import Testing
@testable import Tape
import TapeFormat
import TapeTestSupport

/// What checking every block's CRC32C costs a read; opt-in (TAPE_BENCH=1), meant for release:
/// `TAPE_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter BlockChecksumBenchmark`. The same file is read as
/// written (blocks checked) and with a footer whose descriptors carry no checksum (nothing to
/// check: how a 1.0 file reads), full and projected, with and without frame CRCs.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TAPE_BENCH"] != nil))
struct BlockChecksumBenchmarkTests {
    static let rows = 2_000_000

    /// Writes a 2M-bar equity-like table; returns the paths of the file and of its copy whose
    /// footer has no block checksums.
    static func files(_ dir: TempDir) throws -> (checked: String, unchecked: String) {
        let path = dir.path("bench.tape")
        let w = try TapeWriter(path: path)
        let t = try w.declareTable("equity", columns: [
            ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64), ColumnDef("pos", .int64),
            ColumnDef("noise", .float64), ColumnDef("signal", .string),
        ])
        var g = SplitMix64(seed: 42)
        var equity = 100_000.0
        for i in 0..<rows {
            equity += Double(Int(g.next() % 2001) - 1000) / 100
            try t.appendRow { r in
                try r.set(0, timestamp: Int64(i) * 60_000_000_000)
                try r.set(1, double: equity)
                try r.set(2, int: Int64(i / 1000 % 7) - 3)
                try r.set(3, double: Double(bitPattern: g.next() >> 2))
                try r.set(4, string: ["buy", "sell", "hold"][i / 500 % 3])
            }
        }
        try w.close()
        let reader = try TapeReader(path: path)
        var footer = reader.footer
        for t in footer.tables.indices {
            for c in footer.tables[t].chunks.indices {
                for b in footer.tables[t].chunks[c].blocks.indices { footer.tables[t].chunks[c].blocks[b].checksum = nil }
            }
        }
        var out = ByteWriter()
        out.writeBytes(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(reader.footerOffset))
        footer.encodeSealed(at: reader.footerOffset, into: &out)
        let unchecked = dir.path("unchecked.tape")
        try Data(out.bytes).write(to: URL(fileURLWithPath: unchecked))
        return (path, unchecked)
    }

    /// Best of 7 scans of `columns`, in seconds.
    static func scanSeconds(_ path: String, columns: [String]?, verify: Bool) throws -> Double {
        var best = Double.infinity
        for _ in 0..<7 {
            let start = monotonicNanos()
            let scan = try TapeReader(path: path, options: ReaderOptions(verifyChecksums: verify)).scan("equity", columns: columns)
            var n = 0
            while let b = try scan.nextBatch() { n += b.count }
            #expect(n == rows)
            best = min(best, Double(monotonicNanos() - start) / 1e9)
        }
        return best
    }

    @Test func readCost() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let (checked, unchecked) = try Self.files(dir)
        #expect(try TapeReader(path: checked).rows("equity", columns: ["noise"]) == TapeReader(path: unchecked).rows("equity", columns: ["noise"]))
        print("BENCH block checksums: crc32 instruction \(CRC32C.hardware ? "used" : "not available")")
        for (label, columns) in [("all 5 columns", nil), ("projection [equity]", ["equity"]), ("projection [noise]", ["noise"]),
                                 ("projection [ts]", ["ts"])] as [(String, [String]?)] {
            for verify in [false, true] {
                let without = try Self.scanSeconds(unchecked, columns: columns, verify: verify)
                let with = try Self.scanSeconds(checked, columns: columns, verify: verify)
                print("BENCH block checksums: \(label), verifyChecksums \(verify): "
                      + "\(String(format: "%.1f", Double(Self.rows) / without / 1e6)) M rows/s without, "
                      + "\(String(format: "%.1f", Double(Self.rows) / with / 1e6)) M rows/s with "
                      + "(\(String(format: "%+.1f", (with / without - 1) * 100)) %)")
            }
        }
    }
}
