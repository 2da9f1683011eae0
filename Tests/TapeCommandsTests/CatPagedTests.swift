import Foundation
import Tape
import TapeTestSupport
import Testing

/// `tape cat --where` / `--from`/`--to` over format 1.4 pages: the condition's `column OP constant`
/// conjuncts skip chunks and pages, and the rows printed are those of the same data stored without
/// pages.
@Suite struct CatPagedTests {
    /// 3,000 minute bars (`x` ascending with NULLs, `f` random) in 1,000-row chunks, pages of 64
    /// rows when `rowsPerPage` is 64, whole blocks when 0.
    static func write(_ path: String, rowsPerPage: Int) throws {
        var options = WriterOptions(codec: .zstd(level: 1), rowsPerChunk: 1000, durability: .none, maxChunkLag: 0)
        options.rowsPerPage = rowsPerPage
        let w = try TapeWriter(path: path, options: options)
        let t = try w.declareTable("t", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("x", .int64),
                                                  ColumnDef("f", .float64), ColumnDef("s", .string)])
        var g = SplitMix64(seed: 21)
        for i in 0..<3000 {
            try t.append(values: [.timestamp(1_600_000_000_000_000_000 + Int64(i) * 60_000_000_000),
                                  i % 13 == 4 ? .null : .int(Int64(i) * 3), .double(Double(g.next() % 10_000) / 100),
                                  .string(["a", "b", "c"][i % 3])])
        }
        try w.close()
    }

    @Test("paged and unpaged files print the same rows for random conditions and time ranges")
    func pagedEqualsUnpaged() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try Self.write(dir.path("a.tape"), rowsPerPage: 0)
        try Self.write(dir.path("b.tape"), rowsPerPage: 64)
        var g = SplitMix64(seed: 22)
        for _ in 0..<12 {
            let lo = Int(g.next() % 9000), hi = lo + Int(g.next() % 900)
            let conditions = ["x >= \(lo) AND x < \(hi)", "x BETWEEN \(lo) AND \(hi) AND f > 50",
                              "x > \(lo) OR f < 1", "s = 'b' AND x <= \(hi)"]
            let condition = conditions[Int(g.next() % UInt64(conditions.count))]
            let from = "2020-09-13T12:\(String(format: "%02d", g.next() % 60)):00Z"
            for extra in [[], ["--from", from, "--to", "2020-09-14T00:00:00Z"]] {
                let args = ["t", "--where", condition, "-f", "csv"] + extra
                let a = try runTape(["cat", dir.path("a.tape")] + args)
                let b = try runTape(["cat", dir.path("b.tape")] + args)
                #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
                #expect(a.stdout == b.stdout, "\(args)")
            }
        }
    }
}
