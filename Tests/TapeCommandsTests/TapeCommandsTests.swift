import ArgumentParser
import Foundation
import Testing
import Tape
@testable import TapeCommands
import TapeIO
import TapeTestSupport
#if canImport(Glibc)
import Glibc
#endif

// The `tape` subcommands, run in-process through the argument parser exactly as `main` does.

/// Parses `arguments` as the root command and runs the chosen subcommand.
private func tape(_ arguments: [String]) throws {
    var command = try TapeCommand.parseAsRoot(arguments)
    try command.run()
}

/// Runs `tape arguments`, which must fail; returns the error and the message the tool would print.
private func tapeFailure(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> (error: Error?, message: String) {
    do {
        try tape(arguments)
        Issue.record("tape \(arguments.joined(separator: " ")) succeeded", sourceLocation: sourceLocation)
        return (nil, "")
    } catch {
        return (error, TapeCommand.message(for: error))
    }
}

/// Runs the `tape` executable as a child process and returns what it wrote to standard output (or,
/// with `stderr: true`, to standard error); a run that exits non-zero throws with what it printed.
/// A child process, not a redirection of this process's descriptors 1 and 2: those are shared by
/// every suite running in parallel, whose own output would land in the capture.
private func tapeOutput(_ arguments: [String], stderr: Bool = false) throws -> String {
    let outcome = try runTape(arguments)
    guard outcome.status == 0 else {
        throw CapturedFailure(arguments: arguments, status: outcome.status, stderr: outcome.stderr)
    }
    return stderr ? outcome.stderr : outcome.stdout
}

private struct CapturedFailure: Error, CustomStringConvertible {
    let arguments: [String], status: Int32, stderr: String
    var description: String { "tape \(arguments.joined(separator: " ")) exited \(status): \(stderr)" }
}

private func ns(_ iso: String) -> Int64 { Timestamps.parse(Substring(iso))! }

private func readText(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

private func writeText(_ text: String, to path: String) throws { try text.write(toFile: path, atomically: false, encoding: .utf8) }

@Suite("tape command line", .serialized)
struct TapeCommandsTests {
    /// What pandas' `DataFrame.to_csv()` writes: an unnamed index column, `True`/`False`,
    /// `2019-01-01 00:00:00` timestamps, empty fields for NaN/None, quotes around commas and quotes.
    static let pandasCSV = """
        ,ts,price,qty,flag,note
        0,2019-01-01 00:00:00,100.5,10,True,"hello, world"
        1,2019-01-01 00:01:00,,20,False,plain
        2,2019-01-01 00:02:00,101.25,,True,
        3,2019-01-01 00:03:00,99.0,40,,"say ""hi\"""

        """

    static let pandasCSVOut = """
        column_1,ts,price,qty,flag,note
        0,2019-01-01T00:00:00Z,100.5,10,true,"hello, world"
        1,2019-01-01T00:01:00Z,,20,false,plain
        2,2019-01-01T00:02:00Z,101.25,,true,
        3,2019-01-01T00:03:00Z,99.0,40,,"say ""hi\"""

        """

    /// A temp dir with `run.tape` holding table `bars` imported from `pandasCSV`.
    func withImported(_ body: (TempDir, String) throws -> Void) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let csv = dir.path("bars.csv"), file = dir.path("run.tape")
        try writeText(Self.pandasCSV, to: csv)
        _ = try tapeOutput(["import", file, "bars", "--csv", csv], stderr: true)
        try body(dir, file)
    }

    @Test("import infers types from pandas-style CSV and cat writes it back as CSV")
    func importAndCatCSV() throws {
        try withImported { dir, file in
            let r = try TapeReader(path: file)
            let t = try r.table("bars")
            #expect(t.rowCount == 4)
            #expect(t.schema.columns.map(\.name) == ["column_1", "ts", "price", "qty", "flag", "note"])
            #expect(t.schema.columns.map(\.type) == [.int64, .timestamp, .float64, .int64, .bool, .string])
            let rows = try tableRows(file)["bars"]!
            #expect(rows[0] == [.int(0), .timestamp(ns("2019-01-01T00:00:00Z")), .double(100.5), .int(10), .bool(true), .string("hello, world")])
            #expect(rows[1][2] == .null && rows[2][3] == .null && rows[3][4] == .null && rows[2][5] == .null)
            #expect(rows[3][5] == .string("say \"hi\""))

            let out = dir.path("out.csv")
            try tape(["cat", file, "bars", "--format", "csv", "--output", out])
            #expect(try readText(out) == Self.pandasCSVOut)
            // Importing the exported CSV again gives the same rows.
            let again = dir.path("again.tape")
            _ = try tapeOutput(["import", again, "bars", "--csv", out], stderr: true)
            #expect(try tableRows(again) == tableRows(file))
        }
    }

    @Test("cat --columns, --from (inclusive), --to (exclusive) and --limit")
    func catSelections() throws {
        try withImported { dir, file in
            let out = dir.path("sel.csv")
            func cat(_ extra: [String]) throws -> String {
                try tape(["cat", file, "bars", "-f", "csv", "-o", out] + extra)
                return try readText(out)
            }
            let cases: [([String], String)] = [
                (["--columns", "note, ts"], """
                    note,ts
                    "hello, world",2019-01-01T00:00:00Z
                    plain,2019-01-01T00:01:00Z
                    ,2019-01-01T00:02:00Z
                    "say ""hi\""",2019-01-01T00:03:00Z

                    """),
                (["--columns", "column_1", "--from", "2019-01-01T00:01:00Z", "--to", "2019-01-01 00:03:00"], "column_1\n1\n2\n"),
                (["--columns", "column_1", "--from", "2019-01-01 00:02"], "column_1\n2\n3\n"),
                (["--columns", "column_1", "--to", "\(ns("2019-01-01T00:01:00Z"))"], "column_1\n0\n"),
                (["--columns", "column_1", "--from", "2019-01-02"], "column_1\n"),
                (["--columns", "column_1", "--limit", "2"], "column_1\n0\n1\n"),
                (["--columns", "column_1", "--limit", "0"], "column_1\n"),
                (["--columns", "column_1", "--from", "2019-01-01T00:01:00Z", "--limit", "1"], "column_1\n1\n"),
                (["--columns", "qty", "--time-column", "ts", "--from", "2019-01-01T00:03:00Z"], "qty\n40\n"),
            ]
            for (extra, expected) in cases {
                let got = try cat(extra)
                #expect(got == expected, "cat \(extra.joined(separator: " "))")
            }
        }
    }

    @Test("table and jsonl formats of a tiny table")
    func tableAndJSONL() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let csv = dir.path("t.csv"), file = dir.path("t.tape"), out = dir.path("out.txt")
        try writeText("ts,px,sym,ok\n2024-01-01T00:00:00Z,1.5,AAPL,true\n2024-01-01T00:01:00Z,,\"a \"\"b\"\"\",false\n", to: csv)
        _ = try tapeOutput(["import", file, "q", "--csv", csv], stderr: true)
        try tape(["cat", file, "q", "--output", out])
        #expect(try readText(out) == """
            ts                      px  sym    ok
            --------------------  ----  -----  -----
            2024-01-01T00:00:00Z   1.5  AAPL   true
            2024-01-01T00:01:00Z  NULL  a "b"  false

            """)
        try tape(["cat", file, "q", "--format", "jsonl", "--output", out])
        #expect(try readText(out) == """
            {"ts":"2024-01-01T00:00:00Z","px":1.5,"sym":"AAPL","ok":true}
            {"ts":"2024-01-01T00:01:00Z","px":null,"sym":"a \\"b\\"","ok":false}

            """)
        // Without --output, rows go to standard output.
        let stdout = try tapeOutput(["cat", file, "q", "-f", "csv", "--columns", "sym"])
        #expect(stdout == "sym\nAAPL\n\"a \"\"b\"\"\"\n")
    }

    @Test("a second table goes into the same closed file; NDJSON with an explicit schema")
    func secondTableNDJSON() throws {
        try withImported { dir, file in
            let before = try tableRows(file)
            let nd = dir.path("eq.ndjson")
            try writeText("""
                {"ts":"2019-01-01T00:00:00Z","x":1}
                {"ts":"2019-01-01 00:01:00","x":2.5}
                {"ts":"2019-01-01T00:02:00Z"}

                """, to: nd)
            let log = try tapeOutput(["import", file, "equity", "--ndjson", nd, "--schema", "ts:timestamp!,x:float64"], stderr: true)
            #expect(log.contains("imported 3 rows into \(file):equity"))
            let r = try TapeReader(path: file)
            #expect(Set(r.tables.map(\.name)) == ["bars", "equity"])
            let eq = try r.table("equity")
            #expect(eq.schema.columns.map(\.name) == ["ts", "x"])
            #expect(eq.schema.columns.map(\.type) == [.timestamp, .float64])
            #expect(eq.schema.columns.map(\.nullable) == [false, true])
            let after = try tableRows(file)
            #expect(after["bars"] == before["bars"])
            #expect(after["equity"] == [[.timestamp(ns("2019-01-01T00:00:00Z")), .double(1)],
                                        [.timestamp(ns("2019-01-01T00:01:00Z")), .double(2.5)],
                                        [.timestamp(ns("2019-01-01T00:02:00Z")), .null]])
            // The same schema appends rows to the existing table.
            _ = try tapeOutput(["import", file, "equity", "--ndjson", nd, "--schema", "ts:timestamp!,x:float64"], stderr: true)
            #expect(try tableRows(file)["equity"]?.count == 6)
            // A null in a not-null column is an error naming the line, and changes nothing.
            let bad = dir.path("bad.ndjson")
            try writeText("{\"ts\":\"2019-01-02T00:00:00Z\",\"x\":1}\n{\"x\":2}\n", to: bad)
            let snapshot = try Data(contentsOf: URL(fileURLWithPath: file))
            let (_, message) = tapeFailure(["import", file, "more", "--ndjson", bad, "--schema", "ts:timestamp!,x:float64"])
            #expect(message.contains("line 2"), "\(message)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == snapshot)
        }
    }

    @Test("a malformed CSV line stops the import with its line number and leaves the file as it was")
    func malformedCSV() throws {
        try withImported { dir, file in
            let csv = dir.path("bad.csv")
            try writeText("a,b\n1,x\n2,y,extra\n3,z\n", to: csv)
            let before = try tableRows(file)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            let (error, message) = tapeFailure(["import", file, "more", "--csv", csv])
            #expect(error is TextInputError)
            #expect(message.contains("line 3") && message.contains("expected 2 fields, found 3"), "\(message)")
            // abandon() put the earlier footer back: same tables, same rows, same bytes.
            #expect(try tableRows(file) == before)
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == bytes)
            #expect(try TapeReader(path: file).tables.map(\.name) == ["bars"])

            // Into a file that did not exist: nothing is left behind.
            let fresh = dir.path("fresh.tape")
            _ = tapeFailure(["import", fresh, "more", "--csv", csv])
            #expect(!FileManager.default.fileExists(atPath: fresh))

            // With --skip-malformed the good rows land and the skipped line is reported.
            let log = try tapeOutput(["import", file, "more", "--csv", csv, "--skip-malformed"], stderr: true)
            #expect(log.contains("imported 2 rows") && log.contains("skipped 1 malformed line(s)"), "\(log)")
            #expect(log.contains("line 3"), "\(log)")
            let after = try tableRows(file)
            #expect(after["more"] == [[.int(1), .string("x")], [.int(3), .string("z")]])
            #expect(after["bars"] == before["bars"])
        }
    }

    @Test("a failure after a chunk was already written still restores the file")
    func abandonAfterAChunk() throws {
        try withImported { dir, file in
            // More rows than one chunk holds (65,536), then a malformed last line.
            let csv = dir.path("big.csv")
            var text = "a,b\n"
            for i in 0..<70_000 { text += "\(i),\(i).5\n" }
            text += "oops\n"
            try writeText(text, to: csv)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            let (_, message) = tapeFailure(["import", file, "big", "--csv", csv])
            #expect(message.contains("line 70002"), "\(message)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == bytes)
            #expect(try TapeReader(path: file).tables.map(\.name) == ["bars"])
        }
    }

    @Test("import refuses to add to files it cannot safely reopen, and leaves them untouched")
    func importTargets() throws {
        try withImported { dir, file in
            let csv = dir.path("bars.csv")
            let original = try Data(contentsOf: URL(fileURLWithPath: csv))
            // The input given as the target by mistake: not a .tape file, must not be truncated.
            var (error, message) = tapeFailure(["import", csv, "t", "--csv", csv])
            guard case .corrupt(_, .badMagic)? = error as? TapeError else {
                Issue.record("expected a bad magic, got \(message)"); return
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: csv)) == original)
            // A file whose writer died (no footer).
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            let torn = dir.path("torn.tape")
            try bytes.dropLast(1).write(to: URL(fileURLWithPath: torn))
            (error, message) = tapeFailure(["import", torn, "t", "--csv", csv])
            #expect(message.contains("writer did not finish"), "\(message)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: torn)) == bytes.dropLast(1))
            // An existing table with another schema.
            (error, message) = tapeFailure(["import", file, "bars", "--csv", csv, "--schema",
                                             "column_1:int64,ts:timestamp,price:float64,qty:int64,flag:bool,note:int64"])
            #expect(message.contains("table 'bars' exists with a different schema"), "\(message)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == bytes)
        }
    }

    @Test("a header-only CSV declares an empty table; an empty input is an error")
    func emptyInputs() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let header = dir.path("h.csv"), empty = dir.path("e.csv"), file = dir.path("x.tape"), out = dir.path("o.csv")
        try writeText("a,b\n", to: header)
        try writeText("", to: empty)
        let (_, message) = tapeFailure(["import", file, "e", "--csv", empty])
        #expect(message.contains("the input is empty"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: file))
        let log = try tapeOutput(["import", file, "h", "--csv", header], stderr: true)
        #expect(log.contains("imported 0 rows"))
        #expect(try TapeReader(path: file).table("h").rowCount == 0)
        try tape(["cat", file, "h", "-f", "csv", "-o", out])
        #expect(try readText(out) == "a,b\n")
        try tape(["cat", file, "h", "-f", "jsonl", "-o", out])
        #expect(try readText(out) == "")
    }

    @Test("a value of the wrong type under --schema names its line and field")
    func wrongValueType() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let csv = dir.path("v.csv"), file = dir.path("v.tape")
        try writeText("ts,px\n2024-01-01,1\n2024-01-02,abc\n", to: csv)
        let (_, message) = tapeFailure(["import", file, "t", "--csv", csv, "--schema", "ts:timestamp,px:float64"])
        #expect(message.contains("line 3") && message.contains("px") && message.contains("abc"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    @Test("argument and input errors name the problem", arguments: [
        (["import", "f.tape", "t"], "give exactly one of --csv or --ndjson"),
        (["import", "f.tape", "t", "--csv", "a.csv", "--ndjson", "a.ndjson"], "give exactly one of --csv or --ndjson"),
        (["import", "f.tape", "t", "--csv", "a.csv", "--delimiter", "ab"], "--delimiter must be one ASCII character"),
        (["import", "f.tape", "t", "--csv", "a.csv", "--codec", "gzip"], "gzip"),
        (["import", "f.tape", "t", "--csv", "a.csv", "--infer-rows", "0"], "--infer-rows must be > 0"),
        (["cat", "f.tape", "t", "--limit=-1"], "--limit must be ≥ 0"),
        (["cat", "f.tape", "t", "--format", "xml"], "xml"),
        (["demo", "d", "--bars", "0"], "--bars must be > 0"),
        (["frobnicate"], "frobnicate"),
        (["cat", "f.tape"], "table"),
    ])
    func parseErrors(arguments: [String], expected: String) throws {
        #expect(throws: (any Error).self) { _ = try TapeCommand.parseAsRoot(arguments) }
        let (error, message) = tapeFailure(arguments)
        #expect(message.contains(expected), "\(message)")
        #expect(TapeCommand.exitCode(for: error!).rawValue == 64, "usage errors exit 64")
    }

    @Test("run-time errors name the table, column, timestamp or schema at fault")
    func runErrors() throws {
        try withImported { dir, file in
            let csv = dir.path("bars.csv")
            let cases: [([String], String)] = [
                (["cat", file, "nope"], "no table named 'nope'"),
                (["cat", file, "bars", "--columns", "ts,zz"], "table 'bars' has no column 'zz'"),
                (["cat", file, "bars", "--from", "yesterday"], "--from: cannot read 'yesterday' as a timestamp"),
                (["cat", file, "bars", "--to", "2019-13-45"], "--to: cannot read '2019-13-45'"),
                (["cat", file, "bars", "--time-column", "nope", "--from", "2019-01-01"], "no column 'nope'"),
                (["cat", file, "bars", "--time-column", "qty", "--from", "2019-01-01"],
                 "--time-column: column 'qty' of table 'bars' is int64, not timestamp"),
                (["cat", dir.path("missing.tape"), "bars"], "missing.tape"),
                (["import", file, "x", "--csv", csv, "--schema", "ts:datetimez"], "unknown type 'datetimez' for column 'ts'"),
                (["import", file, "x", "--csv", csv, "--schema", "ts"], "'ts' is not name:type"),
                (["import", file, "x", "--csv", csv, "--schema", "a:int64,a:int64"], "--schema"),
                (["import", file, "x", "--csv", dir.path("missing.csv")], "missing.csv"),
                (["import", file, "bars", "--csv", csv, "--schema", "ts:timestamp"], "not in the schema"),
            ]
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            for (arguments, expected) in cases {
                let (_, message) = tapeFailure(arguments)
                #expect(message.contains(expected), "tape \(arguments.dropFirst(2).joined(separator: " ")): \(message)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == bytes, "failed commands left the file as it was")
            // A table without a timestamp column cannot take --from.
            let plain = dir.path("plain.csv")
            try writeText("a\n1\n", to: plain)
            _ = try tapeOutput(["import", file, "plain", "--csv", plain], stderr: true)
            let (_, message) = tapeFailure(["cat", file, "plain", "--from", "2019-01-01"])
            #expect(message.contains("table 'plain' has no timestamp column"), "\(message)")
        }
    }

    @Test("damaged files are reported as such by cat and info")
    func damagedFiles() throws {
        try withImported { dir, file in
            var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: file)))
            let cut = dir.path("cut.tape")
            try Data(bytes.dropLast(5)).write(to: URL(fileURLWithPath: cut))
            for command in ["cat", "info"] {
                let (error, message) = tapeFailure(command == "cat" ? [command, cut, "bars"] : [command, cut])
                #expect(error as? TapeError == .unsealed(path: cut, size: bytes.count - 5))
                #expect(message.contains("writer did not finish"), "\(message)")
            }
            // A flipped bit in the data region: cat verifies chunk checksums.
            let r = try TapeReader(path: file)
            let body = try r.table("bars").chunks[0].bodyOffset
            bytes[body] ^= 0x01
            let flipped = dir.path("flipped.tape")
            try Data(bytes).write(to: URL(fileURLWithPath: flipped))
            let (error, message) = tapeFailure(["cat", flipped, "bars", "-o", dir.path("x.csv")])
            guard case .corrupt(_, .checksumMismatch)? = error as? TapeError else {
                Issue.record("expected a checksum mismatch, got \(String(describing: error))"); return
            }
            #expect(message.contains("offset"), "\(message)")
        }
    }

    @Test("info describes tables and columns, as text and as JSON")
    func info() throws {
        try withImported { _, file in
            let facts = try FileInfo(reader: try TapeReader(path: file))
            #expect(facts.tables.map(\.name) == ["bars"])
            let bars = facts.tables[0]
            #expect(bars.rows == 4 && bars.chunks == 1)
            #expect(bars.columns.map(\.type) == ["int64", "timestamp", "float64", "int64", "bool", "string"])
            #expect(bars.columns.map(\.nullCount) == [0, 0, 1, 1, 1, 1])
            #expect(bars.columns[1].min == "2019-01-01T00:00:00Z" && bars.columns[1].max == "2019-01-01T00:03:00Z")
            #expect(bars.columns[2].min == "99.0" && bars.columns[2].max == "101.25")
            #expect(facts.metadata["tape.writer"]?.hasPrefix("tape ") == true)
            #expect(facts.formatVersion == "1.\(FileHeader.minorVersion)")

            let text = try tapeOutput(["info", file])
            #expect(text == facts.text)
            #expect(text.contains("table bars: 4 rows, 1 chunk(s)"), "\(text)")
            #expect(text.contains("format 1.\(FileHeader.minorVersion), 1 table(s)"))

            let json = try tapeOutput(["info", file, "--json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(object["path"] as? String == file)
            let tables = try #require(object["tables"] as? [[String: Any]])
            #expect(tables.first?["name"] as? String == "bars")
            #expect(tables.first?["rows"] as? Int == 4)
            let columns = try #require(tables.first?["columns"] as? [[String: Any]])
            #expect(columns.map { $0["name"] as? String } == ["column_1", "ts", "price", "qty", "flag", "note"])
        }
    }

    @Test("demo writes a deterministic backtest")
    func demo() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let out = dir.path("demo")
        var runs: [[String: [[Value]]]] = []
        for _ in 0..<2 {
            let printed = try tapeOutput(["demo", out, "--bars", "5000"])
            #expect(printed.contains("$ tape info") && printed.contains("table equity: 5000 rows"), "\(printed.prefix(2000))")
            #expect(printed.contains("$ tape cat") && printed.contains("\"action\":"))
            runs.append(try tableRows((out as NSString).appendingPathComponent("demo.tape")))
        }
        let path = (out as NSString).appendingPathComponent("demo.tape")
        let r = try TapeReader(path: path)
        #expect(r.tables.map(\.name) == ["equity", "decisions", "trades"])
        #expect(try r.table("equity").rowCount == 5000)
        #expect(try r.table("decisions").rowCount == 5000)
        #expect(try r.table("trades").rowCount > 0)
        #expect(r.footer.metadataValue("strategy") == "sma_cross")
        #expect(r.footer.metadataValue("seed") == "42")
        #expect(runs[0] == runs[1])
        // A different seed gives a different price series.
        _ = try tapeOutput(["demo", out, "--bars", "300", "--seed", "7"])
        let other = try tableRows(path)
        #expect(other["equity"]?.count == 300)
        #expect(other["equity"]?.map { $0[4] } != runs[0]["equity"]?.prefix(300).map { $0[4] })
    }

    @Test("every subcommand has help that names its options")
    func help() throws {
        let expected: [String: [String]] = [
            "demo": ["--bars", "--seed", "--fast", "--slow", "demo.tape"],
            "info": ["--json", "<file>"],
            "cat": ["--columns", "--from", "--to", "--time-column", "--limit", "--format", "--output", "csv", "jsonl"],
            "import": ["--csv", "--ndjson", "--schema", "--infer-rows", "--skip-malformed", "--delimiter", "--codec", "--level"],
            "verify": ["--quiet", "<paths>"],
            "recover": ["--dry-run", "--metadata", "<file>"],
            "compact": ["--older-than", "--level", "--codec", "--drop", "--downsample", "--dry-run", "<paths>"],
            "summary": ["--sort", "--top", "--where", "--columns", "--group-by", "--format", "--output", "<paths>"],
            "plot": ["--out", "--width", "--height", "--title", "--normalize", "--trades", "<paths>"],
            "report": ["--out", "--json", "--rolling-window", "--heatmap", "--metric", "--top", "--title", "<paths>"],
            "sql": ["--format", "--output"],
            "trades": ["--where", "--order-by", "--limit", "--columns", "--table", "--format", "--output", "<paths>"],
            "ingest": ["--metadata", "--expect-bars", "--skip-malformed", "--infer-rows", "--codec", "--level", "--input",
                       "--force", "$schema", "$table", "$close", "tape.incomplete"],
            "export": ["--format", "--output", "--out", "--table", "--partitioned", "--timestamp-unit", "--codec", "--level",
                       "--row-group-rows", "--max-dictionary-entries", "--columns", "--from", "--to", "parquet", "<paths>"],
            "top": ["--once", "--format", "--interval", "--stall-after", "<paths>"],
        ]
        let subcommands = TapeCommand.configuration.subcommands
        #expect(Set(subcommands.map { $0._commandName }) == Set(expected.keys))
        for sub in subcommands {
            let name = sub._commandName
            let text = TapeCommand.helpMessage(for: sub, columns: 400)
            #expect(text.contains("USAGE: tape \(name)"), "\(name): \(text)")
            for option in expected[name] ?? [] { #expect(text.contains(option), "help of \(name) lacks \(option)") }
            #expect(text.contains(sub.configuration.abstract))
        }
        let root = TapeCommand.helpMessage(columns: 400)
        for name in expected.keys { #expect(root.contains(name)) }
        // `--help` is how the parser asks for help: it throws a clean exit with the same text.
        let (error, message) = tapeFailure(["cat", "--help"])
        #expect(error.map { TapeCommand.exitCode(for: $0).rawValue } == 0)
        #expect(message.contains("--time-column"))
        let (_, version) = tapeFailure(["--version"])
        #expect(version.contains(TapeVersion.string))
    }
}
