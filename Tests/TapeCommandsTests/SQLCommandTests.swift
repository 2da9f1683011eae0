import Foundation
import Testing
import Tape
import TapeFormat
import TapeTestSupport

/// `tape sql` and `tape trades` as a user runs them: the real executable, its stdout, stderr and
/// exit status.
@Suite struct SQLCommandTests {
    func tape(_ args: [String]) throws -> TapeOutcome { try runTape(args) }

    func demoRuns(_ dir: TempDir, count: Int) throws -> [String] {
        try (0..<count).map { i in
            let sub = dir.path("r\(i)")
            let o = try tape(["demo", sub, "--bars", "30000", "--seed", String(i + 2)])
            #expect(o.status == 0, "\(o.stderr)")
            let path = dir.path("run\(i).tape")
            try FileManager.default.moveItem(atPath: sub + "/demo.tape", toPath: path)
            return path
        }
    }

    @Test func queriesAFolderOfRunsAsCSVAndJSON() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let paths = try demoRuns(dir, count: 2)
        let csv = try tape(["sql", "SELECT run, count(*) AS n, round(sum(pnl), 2) AS total FROM trades GROUP BY run ORDER BY run", dir.url.path, "-f", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "run,n,total")
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("run0,") && lines[2].hasPrefix("run1,"))
        let json = try tape(["sql", "SELECT count(*) AS n FROM decisions", paths[0], "--format", "json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect((parsed?.first?["n"] as? NSNumber)?.intValue == 30000)
    }

    @Test func badQueryPrintsACaretAndFails() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let paths = try demoRuns(dir, count: 1)
        let o = try tape(["sql", "SELECT pnll FROM trades", paths[0]])
        #expect(o.status == 1)
        #expect(o.stdout.isEmpty)
        #expect(o.stderr.contains("no column 'pnll'"))
        #expect(o.stderr.contains("did you mean 'pnl'"))
        #expect(o.stderr.contains("  SELECT pnll FROM trades\n         ^"))
    }

    @Test func tradesShortFormAndExplain() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let paths = try demoRuns(dir, count: 1)
        let short = try tape(["trades", paths[0], "--where", "pnl < 0", "--order-by", "pnl", "--limit", "3", "--columns", "pnl", "-f", "csv"])
        let long = try tape(["sql", "SELECT pnl FROM trades WHERE pnl < 0 ORDER BY pnl LIMIT 3", paths[0], "-f", "csv"])
        #expect(short.status == 0 && long.status == 0)
        #expect(short.stdout == long.stdout)
        #expect(short.stdout.split(separator: "\n").count == 4)
        let bad = try tape(["trades", paths[0], "--where", "pnl < 0 AND sidee = 'long'"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("--where:"))
        #expect(bad.stderr.contains("  pnl < 0 AND sidee = 'long'\n              ^"))
        let explain = try tape(["sql", "EXPLAIN SELECT * FROM equity WHERE ts >= '2024-01-02' AND ts < '2024-01-03'", paths[0]])
        #expect(explain.stdout.contains("SCAN equity"))
        #expect(explain.stdout.contains("chunks read"))
        let flag = try tape(["sql", "SELECT count(*) FROM equity", paths[0], "--explain", "-f", "csv"])
        #expect(flag.stdout == "count(*)\n30000\n")
        #expect(flag.stderr.contains("AGGREGATE count(*)"))
    }

    /// Runs are read one file at a time, so a folder of many runs needs few file descriptors.
    @Test func manyRunsUnderALowDescriptorLimit() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        for i in 0..<200 {
            let w = try TapeWriter(path: dir.path(String(format: "r%03d.tape", i)), metadata: ["k": String(i % 4)])
            let t = try w.declareTable("t", columns: [ColumnDef("v", .int64)])
            try t.append(values: [.int(Int64(i))])
            _ = try w.close()
        }
        let exe = try #require(tapeExecutable())
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", "ulimit -n 48 && exec \"$0\" sql 'SELECT k, count(DISTINCT run), sum(v) FROM t GROUP BY k ORDER BY k' \"$1\" -f csv", exe, dir.url.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(text == "k,count(DISTINCT run),sum(v)\n0,50,4900\n1,50,4950\n2,50,5000\n3,50,5050\n")
    }

    @Test func missingFileIsAClearError() throws {
        let o = try tape(["sql", "SELECT 1 FROM trades", "/nonexistent/run.tape"])
        #expect(o.status == 1)
        #expect(o.stderr.contains("no such file or directory: '/nonexistent/run.tape'"))
    }

    /// CAST(ts AS VARCHAR) is DuckDB's text; a TIMESTAMP column in CSV/JSON output and `tape cat`
    /// stays ISO-8601, as before.
    @Test func timestampTextInSQLLeavesOutputFormatsISO() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let paths = try demoRuns(dir, count: 1)
        let csv = try tape(["sql", "SELECT ts, CAST(ts AS VARCHAR) AS t FROM equity ORDER BY ts LIMIT 1", paths[0], "-f", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let row = try #require(csv.stdout.split(separator: "\n").dropFirst().first).split(separator: ",")
        #expect(row.count == 2)
        #expect(row[0].contains("T") && row[0].hasSuffix("Z"), "\(row)")
        #expect(row[1] == row[0].dropLast().replacingOccurrences(of: "T", with: " "), "\(row)")
        let cat = try tape(["cat", paths[0], "equity", "--format", "csv"])
        #expect(cat.stdout.split(separator: "\n").dropFirst().first?.hasPrefix(String(row[0])) == true, "\(cat.stdout.prefix(200))")
    }
}
