import Foundation
import Tape
@testable import TapeCommands
import TapeTestSupport
import Testing

/// Progress reports (one implementation for every command) and `tape top` on live files.
@Suite("progress and tape top", .serialized)
struct ProgressAndTopTests {
    /// A Python script that runs `tape ARGS` on a pseudo-terminal (stdout and stderr both on it,
    /// `TAPE_PROGRESS_INTERVAL=0`) for at most SECONDS, then SIGKILLs it; prints what the terminal
    /// received, escaped (`repr`). Arguments: SECONDS TAPE ARGS….
    static let onATerminal = """
            import os, pty, select, signal, sys, time
            seconds, args = float(sys.argv[1]), sys.argv[2:]
            os.environ["TAPE_PROGRESS_INTERVAL"] = "0"
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(args[0], args)
            out, end = b"", time.time() + seconds
            while time.time() < end:
                r, _, _ = select.select([fd], [], [], 0.05)
                if r:
                    try:
                        data = os.read(fd, 65536)
                    except OSError:
                        break
                    if not data:
                        break
                    out += data
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            sys.stdout.write(repr(out.decode("utf-8", "replace")))
            """

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
        LongJobProgressTests.expectDoneWithinTotal(ingest.stderr)
        let imported = try runTape(["import", dir.path("c.tape"), "t", "--csv", "-", "--progress"], stdin: "a,b\n1,2\n3,4\n")
        #expect(imported.status == 0 && imported.stderr.contains("import 2 rows"), "\(imported.stderr)")
    }

    @Test("on a terminal (a pty): tape top redraws in place, a progress bar is redrawn on one line and cleared",
          .enabled(if: TestPython.isAvailable))
    func inPlaceRedrawOnATerminal() throws {
        let tape = try #require(tapeExecutable())
        let dir = try CLIConsistencyTests.makeRuns()
        defer { dir.cleanup() }
        let top = try TestPython.run(Self.onATerminal, arguments: ["1.5", tape, "top", dir.path("runs"), "--interval", "0.2"])
        let clear = "\\x1b[H\\x1b[2J"
        let frames = top.components(separatedBy: clear).count - 1
        #expect(frames >= 3, "expected several in-place redraws: \(top)")
        #expect(top.components(separatedBy: "finished").count - 1 >= 2 * frames, "both runs in every frame: \(top)")
        // A progress bar on the terminal: each redraw returns to the line start and erases its
        // rest (no newline between redraws), and the bar is cleared at the end.
        let export = try TestPython.run(Self.onATerminal, arguments: ["20", tape, "export", dir.path("runs"), "--format", "parquet", "-o", dir.path("lake")])
        let bars = export.components(separatedBy: "\\rexport [").count - 1
        #expect(bars >= 2, "\(export)")
        #expect(export.contains("\\r\\x1b[K"), "the bar is cleared at the end: \(export)")
        // The paths export prints on stdout (the same terminal) never land behind the bar: it is
        // cleared before each and drawn again after.
        for line in export.components(separatedBy: "\\r\\n") where line.hasSuffix(".parquet") {
            // What the terminal shows of the line: after its last carriage return.
            let shown = line.components(separatedBy: "\\r").last ?? ""
            #expect(shown.hasPrefix("\\x1b[K/") || shown.hasPrefix("'/"), "a printed path followed the bar on its line: \(line)")
        }
        #expect(export.components(separatedBy: "\\r\\x1b[K/").count - 1 >= 5, "\(export)")
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
            try t.append(values: [.timestamp(Int64(i) * 60_000_000_000), .double(eq)])
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
        var sawRunning = false, sawRate = false
        while writer.isRunning {
            let r = try runTape(["top", dir.path("live"), "--once", "--format", "json"])
            if r.status == 0, let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]], let row = rows.first {
                let bars = row["bars"] as? Int ?? -1
                seen.append(bars)
                if row["status"] as? String == "running" {
                    sawRunning = true
                    #expect(bars <= (row["expectedBars"] as? Int ?? Int.max))
                    // --once looked twice (--sample apart): a rate and an ETA when the run grew.
                    if let rate = row["barsPerSecond"] as? Double, rate > 0, row["etaSeconds"] is Double { sawRate = true }
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
        #expect(sawRate || !sawRunning, "no --once snapshot of the running writer had a rate")
        let final = try runTape(["top", dir.path("live"), "--once"])
        #expect(final.status == 0 && final.stdout.contains("finished") && final.stdout.contains("400000/400000"), "\(final.stdout)")
    }
}
