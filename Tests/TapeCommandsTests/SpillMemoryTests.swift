import Foundation
import Testing
import Tape
import TapeTestSupport

/// `tape sql --memory-limit` as a child process: operators that spill give the unlimited answer at
/// a lower peak RSS (`/usr/bin/time -f %M`), and leave nothing in TMPDIR, after success or error.
@Suite(.serialized) struct SpillMemoryTests {
    static let rowCount = 200_000

    /// A run with table `t`: ts, v (DOUBLE, shuffled), k (distinct BIGINT), s (distinct VARCHAR).
    static let file: Result<String, any Error> = Result {
        let path = TempDir().path("spill.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(), metadata: [:])
        let t = try w.declareTable("t", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("v", .float64),
                                                  ColumnDef("k", .int64, nullable: false), ColumnDef("s", .string)])
        for i in 0..<rowCount {
            let k = Int64(i) * 7_919 % 1_000_003
            try t.append(values: [.timestamp(1_704_067_200_000_000_000 + Int64(i) * 60_000_000_000), .double(Double(k % 10_007) / 7),
                                  .int(k), .string("key-\(k)")])
        }
        _ = try w.close()
        return path
    }

    /// Runs `tape sql SQL FILE -f csv [--memory-limit limit]` with TMPDIR set to `tmp`.
    func sql(_ query: String, limit: String?, tmp: String) throws -> (status: Int32, output: String, peakKB: Int) {
        let exe = try #require(tapeExecutable())
        let args = ["sql", query, try Self.file.get(), "-f", "csv", "--threads", "2"] + (limit.map { ["--memory-limit", $0] } ?? [])
        let out = try runProcess("/usr/bin/time", ["-f", "PEAK_KB=%M", "/usr/bin/env", "TMPDIR=\(tmp)", exe] + args)
        let line = try #require(out.stderr.split(separator: "\n").last { $0.hasPrefix("PEAK_KB=") }, "no /usr/bin/time output")
        let kb = try #require(Int(line.dropFirst("PEAK_KB=".count)))
        return (out.status, out.status == 0 ? out.stdout : out.stderr, kb)
    }

    @Test(arguments: [
        "SELECT s, v FROM t ORDER BY v, k",
        "SELECT count(*), sum(a.k + b.k), max(a.v + b.v), min(b.s) FROM t a JOIN t b ON a.k = b.k",
        "SELECT count(*), sum(n) FROM (SELECT s, count(*) AS n FROM t GROUP BY s)",
        "SELECT count(*), sum(r) FROM (SELECT row_number() OVER (PARTITION BY k % 5000 ORDER BY v, k) AS r FROM t)",
        "SELECT count(*), sum(r), sum(c), max(m), sum(CAST(p * 199999 AS BIGINT)) FROM (SELECT row_number() OVER (ORDER BY v, k) AS r, count(*) OVER (ORDER BY v) AS c, max(v) OVER (ORDER BY s ROWS BETWEEN 5 PRECEDING AND 5 FOLLOWING) AS m, percent_rank() OVER (ORDER BY k) AS p FROM t)",
        "SELECT count(*), sum(k) FROM (SELECT k, s FROM t EXCEPT SELECT k, s FROM t WHERE v > 1000)",
        "SELECT count(DISTINCT s) FROM t",
    ])
    func spillingKeepsTheAnswerAndLowersPeakMemory(_ query: String) throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let free = try sql(query, limit: nil, tmp: tmp.path(""))
        let spilled = try sql(query, limit: "4MiB", tmp: tmp.path(""))
        #expect(free.status == 0 && spilled.status == 0, "\(free.output.prefix(300)) / \(spilled.output.prefix(300))")
        #expect(spilled.output == free.output)
        #expect(spilled.peakKB < free.peakKB, "spilled \(spilled.peakKB) KB, unlimited \(free.peakKB) KB")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path("")).isEmpty)
        print("peak RSS of `\(query)` over \(Self.rowCount) rows: \(free.peakKB) KB unlimited, \(spilled.peakKB) KB at --memory-limit 4MiB")
    }

    /// Window frames that stream over sorted spilled rows (a running stddev; suffix frames, run as
    /// running frames in the reverse order): the unlimited answer, with a peak RSS at most 16 MiB
    /// above that of a plain scan of the same file at the same limit (4 MiB).
    @Test func spilledWindowFramesStayWithinABound() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let query = "SELECT count(*), sum(CAST(sd * 1000 AS BIGINT)), sum(c), sum(CAST(m AS BIGINT)) FROM (SELECT stddev(v) OVER (ORDER BY k) AS sd, count(v) OVER (ORDER BY k ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS c, max(v) OVER (ORDER BY s RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS m FROM t)"
        let free = try sql(query, limit: nil, tmp: tmp.path(""))
        let spilled = try sql(query, limit: "4MiB", tmp: tmp.path(""))
        let scan = try sql("SELECT count(*), sum(k), max(s), min(v) FROM t", limit: "4MiB", tmp: tmp.path(""))
        #expect(free.status == 0 && spilled.status == 0 && scan.status == 0, "\(spilled.output.prefix(300))")
        #expect(spilled.output == free.output)
        #expect(spilled.peakKB <= scan.peakKB + 16 << 10, "spilled \(spilled.peakKB) KB, plain scan \(scan.peakKB) KB")
        #expect(spilled.peakKB < free.peakKB, "spilled \(spilled.peakKB) KB, unlimited \(free.peakKB) KB")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path("")).isEmpty)
        print("peak RSS of `\(query)`: \(free.peakKB) KB unlimited, \(spilled.peakKB) KB at 4 MiB, plain scan \(scan.peakKB) KB")
    }

    /// A query that fails after spilling (integer division by zero above a spilled join) leaves no
    /// file behind either.
    @Test func failingAfterSpillingLeavesNoTempFile() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let r = try sql("SELECT a.k // (b.k - a.k) FROM t a JOIN t b ON a.k = b.k", limit: "4MiB", tmp: tmp.path(""))
        #expect(r.status != 0)
        #expect(r.output.contains("division by zero"), "\(r.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path("")).isEmpty)
        let setOp = try sql("SELECT k // (k - k) FROM (SELECT k, s FROM t INTERSECT SELECT k, s FROM t WHERE v > 1)", limit: "4MiB", tmp: tmp.path(""))
        #expect(setOp.status != 0 && setOp.output.contains("division by zero"), "\(setOp.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path("")).isEmpty)
        // What does not spill fails naming the operator and the limit, leaving nothing either.
        let window = try sql("SELECT count(*) FROM (SELECT count(DISTINCT k) OVER (ORDER BY v) FROM t)", limit: "4MiB", tmp: tmp.path(""))
        #expect(window.status != 0 && window.output.contains("Window operator") && window.output.contains("4 MiB"), "\(window.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path("")).isEmpty)
        let windowSpilled = try sql("SELECT ntile(-k) OVER (ORDER BY v) FROM t", limit: "4MiB", tmp: tmp.path(""))
        #expect(windowSpilled.status != 0 && windowSpilled.output.contains("ntile() needs a positive number of buckets"), "\(windowSpilled.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path("")).isEmpty)
        let bad = try sql("SELECT s FROM t ORDER BY v", limit: "4MiB", tmp: tmp.path("missing"))
        #expect(bad.status != 0)
        #expect(bad.output.contains("cannot create a temporary file") && bad.output.contains("TMPDIR"), "\(bad.output)")
    }
}
