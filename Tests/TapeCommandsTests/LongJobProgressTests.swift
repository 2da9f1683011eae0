import Foundation
import Tape
@testable import TapeCommands
import TapeQuery
import TapeTestSupport
import Testing

/// Progress of `recover`, `sql`, `summary` and `report` over many runs: through the one shared
/// `ProgressReporter`, on stderr only, a bar only on a terminal, plain lines when forced into a
/// pipe, nothing otherwise, never done above total, and stdout the same with and without it.
@Suite("progress of recover, sql, summary and report", .serialized)
struct LongJobProgressTests {
    /// Every `DONE/TOTAL` count in `text` (progress lines and bars).
    static func counts(in text: String) -> [(done: Int, total: Int)] {
        var found: [(Int, Int)] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" }) {
            let parts = word.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 2, let d = Int(parts[0]), let t = Int(parts[1]) { found.append((d, t)) }
        }
        return found
    }

    /// Expects no progress count in `text` to show done above its total.
    static func expectDoneWithinTotal(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for c in counts(in: text) { #expect(c.done <= c.total, "\(c.done)/\(c.total) in \(text)", sourceLocation: sourceLocation) }
    }

    /// Six runs of 20,000 bars in chunks of 1,000 rows (several chunks each) under `runs/`.
    static func makeRuns() throws -> TempDir {
        let dir = TempDir()
        let r = try runTape(["demo", dir.path("d"), "--bars", "20000", "--rows-per-chunk", "1000"])
        try #require(r.status == 0, "\(r.stderr)")
        try FileManager.default.createDirectory(atPath: dir.path("runs/sub"), withIntermediateDirectories: true)
        for i in 0..<6 {
            try FileManager.default.copyItem(atPath: dir.path("d/demo.tape"), toPath: dir.path(i < 3 ? "runs/r\(i).tape" : "runs/sub/r\(i).tape"))
        }
        return dir
    }

    /// Copies the demo run to `path` with 200 bytes in the middle overwritten (a damaged chunk
    /// with intact chunks after it) and, when `cut`, its last 100 bytes gone (unsealed).
    static func damagedCopy(_ dir: TempDir, to path: String, cut: Bool) throws {
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.path("d/demo.tape"))))
        for i in (bytes.count / 2)..<(bytes.count / 2 + 200) { bytes[i] = 0xFF }
        if cut { bytes.removeLast(100) }
        try? FileManager.default.removeItem(atPath: path)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test("sql, summary and report over many runs: forced lines on stderr end at total/total; stdout identical; nothing unasked")
    func forcedInAPipe() throws {
        let dir = try Self.makeRuns()
        defer { dir.cleanup() }
        let runs = dir.path("runs")
        let jobs: [(args: [String], final: [String])] = [
            // A full scan (every chunk read), one over several threads, one answered from footers.
            (["sql", "SELECT run, sum(equity) AS s FROM equity WHERE equity > 0 GROUP BY run ORDER BY run", runs],
             ["sql open 6/6 runs (100%)", "sql scan "]),
            (["sql", "SELECT ts, equity FROM equity ORDER BY ts, equity LIMIT 5", runs, "--threads", "2"], ["sql open 6/6 runs (100%)"]),
            (["sql", "SELECT count(*) FROM trades", runs], ["sql open 6/6 runs (100%)", "sql scan "]),
            (["summary", runs, "-f", "csv"], ["summary 6/6 runs (100%)"]),
        ]
        for job in jobs {
            let plain = try runTape(job.args)
            let forced = try runTape(job.args + ["--progress"])
            let off = try runTape(job.args + ["--no-progress"])
            #expect(plain.status == 0 && forced.status == 0 && off.status == 0, "\(job.args): \(forced.stderr)")
            #expect(plain.stderr.isEmpty && off.stderr.isEmpty, "\(job.args): progress without a terminal or --progress: \(plain.stderr)")
            #expect(!plain.stdout.isEmpty && forced.stdout == plain.stdout && off.stdout == plain.stdout, "\(job.args): stdout changed")
            for f in job.final { #expect(forced.stderr.contains(f), "\(job.args): \(forced.stderr)") }
            #expect(!forced.stderr.contains("["), "no bar without a terminal: \(forced.stderr)")
            Self.expectDoneWithinTotal(forced.stderr)
        }
        // A full scan ends with every planned chunk done (6 runs × 20 chunks of equity).
        let scan = try runTape(["sql", "SELECT max(equity) FROM equity WHERE equity > 0", runs, "--progress"])
        #expect(scan.stderr.contains("sql scan 120/120 chunks (100%)"), "\(scan.stderr)")
        // Zone maps prune before the total is set: a condition no chunk can meet plans nothing.
        let pruned = try runTape(["sql", "SELECT * FROM equity WHERE equity < 0", runs, "--progress"])
        #expect(!pruned.stderr.contains("sql scan") || pruned.stderr.contains("0/0 chunks"), "\(pruned.stderr)")

        // report: footers of every run, then the curves of a comparison; the page is the same.
        let plain = try runTape(["report", runs, "-o", dir.path("plain.html")])
        let forced = try runTape(["report", runs, "-o", dir.path("forced.html"), "--progress"])
        #expect(plain.status == 0 && forced.status == 0, "\(forced.stderr)")
        #expect(plain.stderr == "wrote \(dir.path("plain.html")) (6 runs)\n", "\(plain.stderr)")
        #expect(forced.stderr.contains("report 6/6 runs (100%)") && forced.stderr.contains("report curves 6/6 runs (100%)"), "\(forced.stderr)")
        #expect(forced.stdout.isEmpty)
        Self.expectDoneWithinTotal(forced.stderr)
        let page = { (p: String) in try String(contentsOfFile: dir.path(p), encoding: .utf8) }
        #expect(try page("plain.html") == page("forced.html").replacingOccurrences(of: "forced.html", with: "plain.html"))
    }

    @Test("recover and recover --salvage: forced lines for the scan and the rewrite; the same file and stdout without them")
    func recoverForcedInAPipe() throws {
        let dir = try Self.makeRuns()
        defer { dir.cleanup() }
        let path = dir.path("broken.tape")
        let size = try FileManager.default.attributesOfItem(atPath: dir.path("d/demo.tape"))[.size] as? Int ?? 0
        for (args, cut) in [(["recover", path], true), (["recover", path, "--dry-run"], true), (["recover", path, "--salvage"], false)] {
            try Self.damagedCopy(dir, to: path, cut: cut)
            let plain = try runTape(args)
            let plainFile = try Data(contentsOf: URL(fileURLWithPath: path))
            try Self.damagedCopy(dir, to: path, cut: cut)
            let forced = try runTape(args + ["--progress"])
            let forcedFile = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(plain.status == 0 && forced.status == 0, "\(args): \(forced.stderr)")
            #expect(forced.stdout == plain.stdout && !plain.stdout.isEmpty, "\(args): stdout changed")
            #expect(!plain.stderr.contains("recover "), "\(args): \(plain.stderr)")
            // What the recovery wrote does not depend on being watched (except creation times:
            // none are written by recover).
            #expect(forcedFile == plainFile, "\(args): the recovered file differs")
            // The scan covers the file (a sealed file's up to its footer) and ends at 100%.
            let scanned = Self.counts(in: forced.stderr.split(separator: "\n").filter { $0.hasPrefix("recover scan") }.joined(separator: "\n"))
            let last = try #require(scanned.last, "\(args): \(forced.stderr)")
            #expect(last.done == last.total && last.total <= size - (cut ? 100 : 0) && last.total > size / 2, "\(args): \(forced.stderr)")
            #expect(forced.stderr.contains("recover rewrite") == args.contains("--salvage"), "\(args): \(forced.stderr)")
            if args.contains("--salvage") { #expect(forced.stderr.contains(Regex(/recover rewrite (\d+)\/\1 bytes \(100%\)/)), "\(forced.stderr)") }
            Self.expectDoneWithinTotal(forced.stderr)
        }
    }

    @Test("QueryProgress: footers opened of the runs named, chunks done never above those planned, across threads and re-run scans")
    func queryProgressCounts() throws {
        let dir = try Self.makeRuns()
        defer { dir.cleanup() }
        let paths = try RunPaths.expand([dir.path("runs")])
        for (sql, threads) in [("SELECT run, avg(equity) FROM equity GROUP BY run", 2), ("SELECT * FROM equity", 1), ("SELECT * FROM equity", 2),
                               // A correlated subquery scans trades again per outer row: the total follows.
                               ("SELECT run, (SELECT count(*) FROM trades t WHERE t.pnl > e.equity - 1e9) FROM equity e WHERE e.equity > 0 LIMIT 3", 2)] {
            let events = LockedValue<[(QueryProgress.Phase, Int, Int)]>([])
            var options = QueryOptions(threads: threads)
            options.progress = QueryProgress { phase, done, total in events.current.append((phase, done, total)) }
            let q = try Query(sql: sql, paths: paths, options: options)
            _ = try q.rows()
            let seen = events.current
            let opened = seen.filter { $0.0 == .opening }
            #expect(opened.map(\.1) == Array(1...6) && opened.allSatisfy { $0.2 == 6 }, "\(sql)")
            let scanned = seen.filter { $0.0 == .scanning }
            #expect(!scanned.isEmpty && scanned.allSatisfy { $0.1 <= $0.2 }, "\(sql)")
            #expect(scanned.map(\.1) == scanned.map(\.1).sorted(), "done only grows: \(sql)")
            if !sql.contains("LIMIT") { #expect(scanned.last.map { $0.1 == $0.2 } == true, "a full scan ends at its total: \(sql)") }
        }
    }

    @Test("on a terminal (a pty): sql, summary, report and recover draw a bar in place and clear it; output never lands behind it",
          .enabled(if: TestPython.isAvailable))
    func barsOnATerminal() throws {
        let tape = try #require(tapeExecutable())
        let dir = try Self.makeRuns()
        defer { dir.cleanup() }
        let sql = try TestPython.run(ProgressAndTopTests.onATerminal,
                                     arguments: ["30", tape, "sql", "SELECT ts, equity FROM equity WHERE equity > 0 LIMIT 3", dir.path("runs"), "--threads", "2"])
        #expect(sql.contains("\\rsql open ["), "\(sql)")
        #expect(sql.contains("\\rsql scan ["), "\(sql)")
        #expect(sql.contains("\\r\\x1b[K"), "the bar is cleared: \(sql)")
        // Every result line is printed after the bar was cleared (what the terminal shows of a
        // line starts after its last carriage return).
        let table = try #require(sql.range(of: "ts  "), "\(sql)")
        let beforeTable = sql[..<table.lowerBound]
        #expect(beforeTable.hasSuffix("\\r\\x1b[K"), "the header followed the bar: \(sql)")
        for line in sql[table.lowerBound...].components(separatedBy: "\\r\\n") {
            #expect(!line.contains("sql "), "a bar inside the result: \(line)")
        }
        Self.expectDoneWithinTotal(sql.replacingOccurrences(of: "\\r", with: "\n").replacingOccurrences(of: "\\x1b[K", with: " "))

        // summary and report over many runs: their bars too, cleared before report's last line.
        let summary = try TestPython.run(ProgressAndTopTests.onATerminal, arguments: ["30", tape, "summary", dir.path("runs"), "-f", "csv"])
        #expect(summary.contains("\\rsummary [") && summary.contains("6/6 runs"), "\(summary)")
        let report = try TestPython.run(ProgressAndTopTests.onATerminal, arguments: ["30", tape, "report", dir.path("runs"), "-o", dir.path("r.html")])
        #expect(report.contains("\\rreport [") && report.contains("\\rreport curves ["), "\(report)")
        #expect(report.contains("\\r\\x1b[Kwrote "), "\(report)")

        let path = dir.path("broken.tape")
        try Self.damagedCopy(dir, to: path, cut: false)
        let recover = try TestPython.run(ProgressAndTopTests.onATerminal, arguments: ["30", tape, "recover", path, "--salvage"])
        #expect(recover.contains("\\rrecover scan ["), "\(recover)")
        #expect(recover.contains("\\rrecover rewrite ["), "\(recover)")
        #expect(recover.contains("\\r\\x1b[K\(path): kept "), "the report follows a cleared bar: \(recover)")
        // Not asked for and not on a terminal: nothing (forcedInAPipe); asked not to: nothing here either.
        try Self.damagedCopy(dir, to: path, cut: false)
        let quiet = try TestPython.run(ProgressAndTopTests.onATerminal, arguments: ["30", tape, "recover", path, "--salvage", "--no-progress"])
        #expect(!quiet.contains("recover scan") && quiet.contains("kept "), "\(quiet)")
    }
}
