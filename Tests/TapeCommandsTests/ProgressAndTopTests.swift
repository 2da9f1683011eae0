import Foundation
import Tape
@testable import TapeCommands
import TapeTestSupport
import Testing

/// Progress reports (one implementation for every command) and `tape top` on live files.
@Suite("progress and tape top", .serialized)
struct ProgressAndTopTests {
    @Test("a progress line never shows done above the total, and has rate and ETA")
    func progressLineClamps() {
        var line = ProgressLine(label: "ingest", unit: "bars", done: 50, total: 200, elapsed: 10)
        #expect(line.text(barWidth: 10) == "ingest [##........] 50/200 bars (25%) 5.0 bars/s ETA 0:30")
        line.done = 250
        #expect(line.shown.done == 250 && line.shown.total == 250)
        #expect(line.text(barWidth: 0) == "ingest 250/250 bars (100%) 25.0 bars/s ETA 0:00")
        line.done = -3
        #expect(line.shown.done == 0)
        let unknown = ProgressLine(label: "import", unit: "rows", done: 12_345, total: nil, elapsed: 1)
        #expect(unknown.text() == "import 12345 rows 12.3k rows/s")
        #expect(ProgressLine(label: "x", unit: "u", done: 0, total: 0, elapsed: 0).text(barWidth: 0) == "x 0/0 u (100%)")
    }

    @Test("--progress forced into a pipe prints plain lines on stderr only; nothing without it")
    func forcedProgressInAPipe() throws {
        let dir = try CLIConsistencyTests.makeRuns()
        defer { dir.cleanup() }
        let export = try runTape(["export", dir.path("runs"), "--format", "parquet", "-o", dir.path("lake"), "--progress"])
        #expect(export.status == 0 && export.stderr.hasSuffix("export 6/6 files (100%)\n") || export.stderr.contains("export 6/6 files (100%)"), "\(export.stderr)")
        #expect(!export.stdout.contains("export "))
        let quiet = try runTape(["export", dir.path("runs"), "--format", "parquet", "-o", dir.path("lake2")])
        #expect(quiet.stderr.isEmpty)
        let summary = try runTape(["summary", dir.path("runs"), "--progress", "-f", "csv"])
        #expect(summary.status == 0 && summary.stderr.contains("summary 2/2 runs (100%)") && !summary.stdout.contains("summary 2/2"), "\(summary.stderr)")
        let compact = try runTape(["compact", dir.path("runs"), "--progress"])
        #expect(compact.stderr.contains("compact 2/2 files (100%)"), "\(compact.stderr)")
        // ingest with $expect_bars lower than the bars written: never done > total.
        var records = "{\"$expect_bars\":3,\"table\":\"equity\"}\n"
        for i in 0..<5 { records += "{\"$table\":\"equity\",\"ts\":\"2024-01-01T00:0\(i):00Z\",\"equity\":\(100 + i).0}\n" }
        records += "{\"$close\":true}\n"
        let ingest = try runTape(["ingest", dir.path("i.tape"), "--progress"], stdin: records)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stderr.contains("ingest 5/5 bars (100%)"), "\(ingest.stderr)")
        for line in ingest.stderr.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count > 1, let slash = parts[1].firstIndex(of: "/"), let d = Int(parts[1][..<slash]), let t = Int(parts[1][parts[1].index(after: slash)...]) {
                #expect(d <= t, "\(line)")
            }
        }
        let imported = try runTape(["import", dir.path("c.tape"), "t", "--csv", "-", "--progress"], stdin: "a,b\n1,2\n3,4\n")
        #expect(imported.status == 0 && imported.stderr.contains("import 2 rows"), "\(imported.stderr)")
    }

    @Test("LiveTail reads only what was appended: rows are counted once across polls")
    func liveTailIsIncremental() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 100, maxChunkLag: 0))
        w.expectBars(1000)
        let t = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp), ColumnDef("equity", .float64)])
        let tail = LiveTail(path: path)
        var last = 0
        for i in 0..<1000 {
            let eq = i == 500 ? 50.0 : 100.0 + Double(i)
            try t.append(values: [.timestamp(Int64(i) * 60_000_000_000), .float(eq)])
            if i % 250 == 249 {
                let s = try tail.poll()
                #expect(s.scannedBytes >= last)
                last = s.scannedBytes
                #expect((s.rows["equity"] ?? 0) <= i + 1 && (s.rows["equity"] ?? 0) % 100 == 0)
                #expect(s.metadata["tape.expected_bars"] == "1000")
                #expect(!s.sealed)
            }
        }
        _ = try w.close()
        let s = try tail.poll()
        #expect(s.sealed && s.rows["equity"] == 1000)
        #expect(s.firstEquity == 100 && s.lastEquity == 1099 && s.peakEquity == 1099)
        #expect(abs(s.maxDrawdown - (50.0 / 599.0 - 1)) < 1e-12)
    }

    @Test("tape top on a file a live writer process is writing: the writer is never refused, top sees it grow and finish")
    func topOnALiveWriter() throws {
        let exe = try #require(tapeExecutable())
        let dir = TempDir(); defer { dir.cleanup() }
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: exe)
        writer.arguments = ["demo", dir.path("live"), "--bars", "400000", "--rows-per-chunk", "5000", "--durability", "none"]
        writer.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        writer.standardError = err
        try writer.run()
        var seen: [Int] = []
        var sawRunning = false
        while writer.isRunning {
            let r = try runTape(["top", dir.path("live"), "--once", "--format", "json"])
            if r.status == 0, let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]], let row = rows.first {
                let bars = row["bars"] as? Int ?? -1
                seen.append(bars)
                if row["status"] as? String == "running" {
                    sawRunning = true
                    #expect(bars <= (row["expectedBars"] as? Int ?? Int.max))
                }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        writer.waitUntilExit()
        let writerErrors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(writer.terminationStatus == 0, "the writer failed: \(writerErrors)")
        #expect(!writerErrors.contains("locked"))
        #expect(seen == seen.sorted(), "bars must never go back: \(seen)")
        #expect(sawRunning || seen.isEmpty == false)
        let final = try runTape(["top", dir.path("live"), "--once"])
        #expect(final.status == 0 && final.stdout.contains("finished") && final.stdout.contains("400000/400000"), "\(final.stdout)")
    }
}
