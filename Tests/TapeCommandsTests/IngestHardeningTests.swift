import Foundation
import Testing
import Tape
import TapeFormat
import TapeTestSupport

/// Issue 13's ingest, output and message defects, through the `tape` executable.
@Suite struct IngestHardeningTests {
    /// A sealed file with one float table holding 1.5, NaN, -inf and +inf, and hostile strings.
    private func hostileFile(_ path: String) throws {
        let w = try TapeWriter(path: path, metadata: ["strategy": "sma\u{1b}]0;owned\u{7}\u{9b}31m", "run_id": "r\u{1b}[2J"])
        let v = try w.declareTable("v", schema: try Schema([ColumnDef("f", .float64, nullable: false), ColumnDef("s", .string)]))
        for (f, s) in [(1.5, "\u{1b}[31mred"), (.nan, "ok"), (-.infinity, "\u{202e}gnp.exe"), (.infinity, "x\u{85}y")] {
            try v.append(values: [.double(f), .string(s)])
        }
        try w.close()
    }

    /// True when `text` holds a character that drives a terminal (C0 but LF, DEL, C1, bidi override).
    private func hasControls(_ text: String) -> Bool {
        text.unicodeScalars.contains { s in
            (s.value < 0x20 && s != "\n") || (0x7F...0x9F).contains(s.value) || (0x202A...0x202E).contains(s.value)
        }
    }

    @Test func ingestOfFiftyThousandTablesSealsEveryOne() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("many.tape")
        let n = 50_000
        var input = ""
        for i in 0..<n { input += "{\"$table\":\"t\(i)\",\"x\":\(i)}\n" }
        input += "{\"$close\":true}\n"
        let r = try runTape(["ingest", path, "--codec", "none"], stdin: input)
        #expect(r.status == 0, "\(r.stderr.suffix(500))")
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(r.stdout.utf8))
        #expect(summary.tables.count == n && summary.tables.allSatisfy { $0.rows == 1 })
        let reader = try TapeReader(path: path)
        #expect(reader.tables.count == n)
        #expect(try reader.rows("t31337") == [[.int(31_337)]])
    }

    @Test func metadataRecordWithFortyThousandKeys() throws {
        // Each key was looked up linearly in the writer's metadata: ~76 s for this line, now < 1 s.
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("meta.tape")
        let n = 40_000
        let line = "{\"$metadata\":true," + (0..<n).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"k7\":\"again\"}"
        let r = try runTape(["ingest", path], stdin: line + "\n{\"$close\":true}\n")
        #expect(r.status != 0 && r.stderr.contains("duplicate key \"k7\""), "\(r.stderr.prefix(300))")
        let ok = try runTape(["ingest", path, "--force"], stdin: String(line.dropLast(14)) + "}\n{\"$metadata\":true,\"k7\":\"again\"}\n{\"$close\":true}\n")
        #expect(ok.status == 0, "\(ok.stderr.prefix(300))")
        let meta = try TapeReader(path: path).metadata
        #expect(meta.filter { $0.key.hasPrefix("k") }.count == n)
        #expect(meta.first { $0.key == "k7" }?.value == "again" && meta.first { $0.key == "k39999" }?.value == "39999")
    }

    @Test func recordAfterCloseFailsAndMarksTheRunIncomplete() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        let r = try runTape(["ingest", path], stdin: "{\"$table\":\"t\",\"x\":1}\n{\"$close\":true}\n{\"$table\":\"t\",\"x\":2}\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("line 3: a record after the $close record of line 2"), "\(r.stderr)")
        let reader = try TapeReader(path: path)
        #expect(reader.metadata.contains { $0.key == "tape.incomplete" && $0.value == "true" })
        #expect(try reader.rows("t") == [[.int(1)]])
    }

    @Test(arguments: [4, 24])   // file-size limits (512-byte blocks): the write fails at close
    func diskFullAtCloseSaysHowToRecover(blocks: Int) throws {
        let tape = try #require(tapeExecutable())
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("full.tape")
        let input = dir.path("in.ndjson")
        var lines = ["{\"$schema\":\"e\",\"x\":\"float64\",\"s\":\"string\"}"]
        var g = SplitMix64(seed: 7)
        for _ in 0..<3000 { lines.append("{\"$table\":\"e\",\"x\":\(Double(g.next() % 1_000_000) / 7),\"s\":\"\(g.next())\"}") }
        lines.append("{\"$close\":true}")
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: false, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ulimit -f \(blocks) && exec \"$0\" \"$@\"", tape, "ingest", path, "--input", input]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 1)
        #expect(message.contains("File too large") && message.contains("left unsealed")
                && message.contains("tape recover \(path)"), "\(message)")
        // And the advice works: recover seals what was complete.
        _ = try Recovery.recover(path: path)
        #expect(try Verifier.verify(path: path).ok)
    }

    @Test func nonFiniteFloatsStayDistinctFromNullInJSON() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("v.tape")
        try hostileFile(path)
        let expected = [#""f":1.5"#, #""f":"NaN""#, #""f":"-Infinity""#, #""f":"Infinity""#]
        for args in [["cat", path, "v", "-f", "jsonl"], ["sql", "SELECT f, s FROM v", path, "-f", "json"],
                     ["sql", "SELECT f, s FROM v", path, "-f", "jsonl"], ["export", path, "v", "--format", "jsonl"]] {
            let r = try runTape(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            for e in expected { #expect(r.stdout.contains(e), "\(args): \(r.stdout)") }
            #expect(!r.stdout.contains("null"), "\(args)")
        }
        // ... and read back into a float column as the same values.
        let back = dir.path("back.tape")
        let jsonl = try runTape(["cat", path, "v", "-f", "jsonl", "--columns", "f"]).stdout
        let r = try runTape(["ingest", back], stdin: jsonl.split(separator: "\n").map { "{\"$table\":\"v\"," + $0.dropFirst() }.joined(separator: "\n") + "\n{\"$close\":true}\n")
        #expect(r.status == 0, "\(r.stderr)")
        let f = try TapeReader(path: back).rows("v").map { row -> Double in
            if case .double(let d) = row[0] { return d }
            return 0
        }
        #expect(f.count == 4 && f[0] == 1.5 && f[1].isNaN && f[2] == -.infinity && f[3] == .infinity)
    }

    @Test func humanReadableOutputEscapesControlCharacters() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("v.tape")
        try hostileFile(path)
        let info = try runTape(["info", path])
        #expect(info.status == 0)
        #expect(!hasControls(info.stdout), "\(info.stdout.debugDescription)")
        #expect(info.stdout.contains(#"sma\x1b]0;owned\x07\u{009b}31m"#), "\(info.stdout)")
        let cat = try runTape(["cat", path, "v"])
        #expect(!hasControls(cat.stdout) && cat.stdout.contains(#"\u{202e}gnp.exe"#) && cat.stdout.contains(#"x\u{0085}y"#), "\(cat.stdout)")
        let summary = try runTape(["summary", path, "--columns", "run,strategy"])
        #expect(!hasControls(summary.stdout) && summary.stdout.contains(#"r\x1b[2J"#), "\(summary.stdout) \(summary.stderr)")
    }

    @Test func missingTableErrorIsBoundedWithClosestNamesFirst() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("many.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(codec: .none, durability: .none, encodingThreads: 1))
        for i in 0..<2000 { try w.declareTable("table_\(i)", schema: try Schema([ColumnDef("x", .int64)])).append(values: [.int(1)]) }
        try w.close()
        let r = try runTape(["sql", "SELECT * FROM table_19999", path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("tables: table_1999, "), "\(r.stderr)")
        #expect(r.stderr.contains("… and 1,990 more"), "\(r.stderr)")
        #expect(r.stderr.count < 400, "\(r.stderr)")
    }
}
