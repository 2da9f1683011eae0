import Foundation
@testable import TapeCommands
import TapeFormat
import TapeTestSupport
import Testing

/// The rules every `tape` command shares (issue 14, "Same rules in every command"): run paths,
/// exit codes, unknown options, row selection, `-o`, and what goes to stdout and stderr.
@Suite("CLI consistency", .serialized)
struct CLIConsistencyTests {
    /// A directory with runs/a.tape and runs/sub/b.tape (two small demo runs).
    static func makeRuns() throws -> TempDir {
        let dir = TempDir()
        let r = try runTape(["demo", dir.path("d"), "--bars", "3000"])
        try #require(r.status == 0, "\(r.stderr)")
        try FileManager.default.createDirectory(atPath: dir.path("runs/sub"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir.path("d/demo.tape"), toPath: dir.path("runs/a.tape"))
        try FileManager.default.copyItem(atPath: dir.path("d/demo.tape"), toPath: dir.path("runs/sub/b.tape"))
        return dir
    }

    @Test("a missing path is an error (exit 1, message on stderr, nothing on stdout) in every command that takes runs")
    func missingPath() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let missing = dir.path("nothere.tape")
        let commands: [[String]] = [
            ["info", missing], ["cat", missing, "trades"], ["export", missing, "trades"],
            ["export", missing, "--format", "parquet", "-o", dir.path("lake")], ["sql", "SELECT 1 FROM trades", missing],
            ["trades", missing], ["summary", missing], ["plot", missing, "-o", dir.path("p.svg")], ["verify", missing],
            ["compact", missing], ["recover", missing], ["top", missing, "--once"], ["report", missing, "-o", dir.path("r.html")],
        ]
        for args in commands {
            let r = try runTape(args)
            #expect(r.status == 1, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("no such file or directory: '\(missing)'"), "\(args): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(args): \(r.stdout)")
        }
    }

    @Test("directories (recursively) and quoted globs go through the same expansion everywhere")
    func directoriesAndGlobs() throws {
        let dir = try Self.makeRuns()
        defer { dir.cleanup() }
        // A directory with two runs where one is expected: an error, not "Is a directory" and exit 0.
        let two = try runTape(["export", dir.path("runs"), "trades"])
        #expect(two.status == 1 && two.stderr.contains("names 2 runs") && two.stdout.isEmpty, "\(two)")
        // A directory or quoted glob naming one run is that run.
        let viaDir = try runTape(["cat", dir.path("runs/sub"), "trades", "-f", "csv"])
        let viaGlob = try runTape(["export", dir.path("runs/a*.tape"), "trades"])
        let direct = try runTape(["cat", dir.path("runs/a.tape"), "trades", "-f", "csv"])
        #expect(viaDir.status == 0 && viaGlob.status == 0 && direct.status == 0)
        #expect(viaDir.stdout == direct.stdout && viaGlob.stdout == direct.stdout && direct.stdout.count > 100)
        let info = try runTape(["info", dir.path("runs/*/b.tape")])
        #expect(info.status == 0 && info.stdout.contains("table trades"))
        // Parquet export takes the directory recursively.
        let lake = try runTape(["export", dir.path("runs"), "--format", "parquet", "-o", dir.path("lake"), "--table", "trades"])
        #expect(lake.status == 0, "\(lake.stderr)")
        #expect(lake.stdout == "\(dir.path("lake"))/a.trades.parquet\n\(dir.path("lake"))/b.trades.parquet\n")
        // A glob that matches nothing and an empty directory are errors.
        try FileManager.default.createDirectory(atPath: dir.path("empty"), withIntermediateDirectories: true)
        for args in [["sql", "SELECT count(*) FROM trades", dir.path("runs/zz*.tape")], ["summary", dir.path("empty")]] {
            let r = try runTape(args)
            #expect(r.status == 1 && r.stdout.isEmpty, "\(args): \(r)")
        }
    }

    /// Every command that takes runs, as (name, its arguments for the runs in `paths`, whether it
    /// reads exactly one run, whether its output varies between calls: it changes files or shows
    /// ages); `out` is a scratch directory.
    static func runCommands(_ out: String) -> [(name: String, args: ([String]) -> [String], single: Bool, varies: Bool)] {
        [("info", { $0 }, true, false), ("cat", { $0 + ["trades", "-f", "csv"] }, true, false),
         ("export", { $0 + ["trades"] }, true, false), ("recover", { $0 }, true, false),
         ("export", { $0 + ["--format", "parquet", "-o", out + "/lake"] }, false, false), ("verify", { $0 }, false, false),
         ("sql", { ["SELECT run, count(*) FROM trades GROUP BY run ORDER BY run"] + $0 }, false, false),
         ("trades", { $0 + ["-f", "csv"] }, false, false), ("summary", { $0 + ["-f", "csv", "--columns", "run,sharpe"] }, false, false),
         ("plot", { $0 + ["-o", out + "/p.svg"] }, false, false), ("report", { $0 + ["-o", out + "/r.html"] }, false, false),
         ("top", { $0 + ["--once", "--format", "json", "--sample", "0"] }, false, true), ("compact", { $0 }, false, true)]
    }

    @Test("every command that takes runs: a file, a directory (recursively) and a quoted glob are the same runs; exit 0, 1 or 64 as README says")
    func everyRunCommand() throws {
        let dir = try Self.makeRuns()
        defer { dir.cleanup() }
        try FileManager.default.createDirectory(atPath: dir.path("out"), withIntermediateDirectories: true)
        for var c in Self.runCommands(dir.path("out")) {
            let build = c.args
            c.args = { [c.name] + build($0) }
            // A directory naming one run (single-run commands) or two (below runs/, recursively);
            // a quoted glob the shell did not expand.
            let file = try runTape(c.args([dir.path("runs/sub/b.tape")]))
            let viaDir = try runTape(c.args([dir.path(c.single ? "runs/sub" : "runs")]))
            let viaGlob = try runTape(c.args([dir.path("runs/sub/*.tape")]))
            #expect(file.status == 0 && viaDir.status == 0 && viaGlob.status == 0, "\(c.name): \(file.stderr) \(viaDir.stderr) \(viaGlob.stderr)")
            if !c.varies { #expect(viaGlob.stdout == file.stdout, "\(c.name): \(viaGlob.stdout) vs \(file.stdout)") }
            if c.single {
                #expect(viaDir.stdout == file.stdout, "\(c.name)")
                let two = try runTape(c.args([dir.path("runs")]))
                #expect(two.status == 1 && two.stderr.contains("names 2 runs") && two.stdout.isEmpty, "\(c.name): \(two.stderr)")
            } else if c.name == "sql" || c.name == "summary" {
                #expect(viaDir.stdout.split(separator: "\n").count == file.stdout.split(separator: "\n").count + 1, "\(c.name): both runs \(viaDir.stdout)")
            }
            // Errors: a glob matching nothing (1), a bad option value after a good path (64).
            let none = try runTape(c.args([dir.path("runs/zz*.tape")]))
            #expect(none.status == 1 && none.stdout.isEmpty && none.stderr.contains("zz*"), "\(c.name): \(none.status) \(none.stderr)")
            let usage = try runTape(c.args([dir.path("runs/sub/b.tape")]) + ["--no-such-option"])
            #expect(usage.status == 64 && usage.stderr.contains("unknown option '--no-such-option'"), "\(c.name): \(usage.status) \(usage.stderr)")
        }
        // Never 0 after an error: one unreadable run among good ones fails the command (1) in
        // the commands that go on past it.
        try Data("not a tape".utf8).write(to: URL(fileURLWithPath: dir.path("runs/bad.tape")))
        for args in [["summary", dir.path("runs"), "-f", "csv"], ["report", dir.path("runs"), "-o", dir.path("out/r2.html")],
                     ["verify", dir.path("runs")], ["sql", "SELECT count(*) FROM trades", dir.path("runs")],
                     ["export", dir.path("runs"), "--format", "parquet", "-o", dir.path("out/lake2")], ["compact", dir.path("runs")]] {
            let r = try runTape(args)
            // verify's report of each file is its output (stdout); the others report on stderr.
            #expect(r.status == 1 && (args[0] == "verify" ? r.stdout : r.stderr).contains("bad.tape"), "\(args): \(r.status) \(r.stderr)")
        }
    }

    @Test("an unknown option is reported as such, with the subcommand's usage (exit 64)")
    func unknownOption() throws {
        let names = TapeCommand.configuration.subcommands.map { $0._commandName }
        #expect(names.count == 15)
        for name in names {
            // Without the required arguments too: the unknown option is what gets reported.
            let r = try runTape([name, "--bogus-option"])
            #expect(r.status == 64, "\(name): \(r.status)")
            #expect(r.stderr.hasPrefix("Error: unknown option '--bogus-option' for 'tape \(name)'\nUsage: tape \(name)"), "\(name): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        // Option values that begin with '-' are not mistaken for options.
        let dir = try Self.makeRuns()
        defer { dir.cleanup() }
        let sorted = try runTape(["summary", dir.path("runs"), "--sort", "-sharpe", "-f", "csv"])
        #expect(sorted.status == 0, "\(sorted.stderr)")
    }

    @Test("--where selects rows with tape sql's expression language in cat, export and trades")
    func whereEverywhere() throws {
        let dir = try Self.makeRuns()
        defer { dir.cleanup() }
        let run = dir.path("runs/a.tape")
        let sql = try runTape(["sql", "SELECT exit_ts, pnl FROM trades WHERE pnl < 0 AND side = 'long'", run, "-f", "csv"])
        let cat = try runTape(["cat", run, "trades", "--columns", "exit_ts,pnl", "--where", "pnl < 0 AND side = 'long'", "-f", "csv"])
        let export = try runTape(["export", run, "trades", "--columns", "exit_ts,pnl", "--where", "pnl < 0 AND side = 'long'"])
        let trades = try runTape(["trades", run, "--columns", "exit_ts,pnl", "--where", "pnl < 0 AND side = 'long'", "-f", "csv"])
        #expect(sql.status == 0 && sql.stdout.split(separator: "\n").count > 1, "\(sql.stderr)")
        #expect(cat.stdout == sql.stdout && export.stdout == sql.stdout && trades.stdout == sql.stdout, "\(cat.stderr)\(export.stderr)")
        // --from/--to in trades apply to the first timestamp column, as in cat.
        let catRange = try runTape(["cat", run, "trades", "--from", "2024-01-02", "--to", "2024-01-03", "-f", "csv"])
        let tradesRange = try runTape(["trades", run, "--from", "2024-01-02", "--to", "2024-01-03", "-f", "csv"])
        #expect(catRange.status == 0 && catRange.stdout == tradesRange.stdout && catRange.stdout.contains("2024-01-02"))
        // Errors point a caret into the option's text, exit 1.
        for args in [["cat", run, "trades", "--where", "pnl <<< 0"], ["export", run, "trades", "--where", "pnl <<< 0"],
                     ["trades", run, "--where", "pnl <<< 0"]] {
            let r = try runTape(args)
            #expect(r.status == 1 && r.stdout.isEmpty, "\(args)")
            #expect(r.stderr.contains("--where: syntax error") && r.stderr.contains("  pnl <<< 0\n"), "\(args): \(r.stderr)")
        }
        let unknown = try runTape(["cat", run, "trades", "--where", "pnll < 0"])
        #expect(unknown.status == 1 && unknown.stderr.contains("pnll"))
    }

    @Test("-o writes atomically: a failing command leaves the previous file and no temporary file")
    func atomicOutput() throws {
        let dir = try Self.makeRuns()
        defer { dir.cleanup() }
        let run = dir.path("runs/a.tape")
        let out = dir.path("out/result.csv")
        try FileManager.default.createDirectory(atPath: dir.path("out"), withIntermediateDirectories: true)
        try "previous\n".write(toFile: out, atomically: false, encoding: .utf8)
        // The cast fails on the first row, after the output file was opened.
        for args in [["export", run, "trades", "-o", out, "--where", "CAST(side AS BIGINT) = 1"],
                     ["cat", run, "trades", "-o", out, "--where", "CAST(side AS BIGINT) = 1"],
                     ["sql", "SELECT CAST(side AS BIGINT) FROM trades", run, "-o", out]] {
            let r = try runTape(args)
            #expect(r.status == 1, "\(args): \(r)")
            #expect(try String(contentsOfFile: out, encoding: .utf8) == "previous\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("out")) == ["result.csv"])
        }
        let ok = try runTape(["sql", "SELECT count(*) AS n FROM trades", run, "-o", out, "-f", "csv"])
        #expect(ok.status == 0 && ok.stdout.isEmpty && ok.stderr.isEmpty)
        #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix("n\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("out")) == ["result.csv"])
        // A directory is refused; a device is written directly.
        let intoDir = try runTape(["cat", run, "trades", "-o", dir.path("out")])
        #expect(intoDir.status == 1 && intoDir.stderr.contains("is a directory"))
        let devNull = try runTape(["cat", run, "trades", "-o", "/dev/null"])
        #expect(devNull.status == 0)
    }

    @Test("quiet by default on success, --verbose adds per-file lines, --quiet drops warnings")
    func verbosity() throws {
        let dir = try Self.makeRuns()
        defer { dir.cleanup() }
        let lake = try runTape(["export", dir.path("runs"), "--format", "parquet", "-o", dir.path("lake")])
        #expect(lake.status == 0 && lake.stderr.isEmpty, "\(lake.stderr)")
        #expect(lake.stdout.split(separator: "\n").count == 6)
        let verbose = try runTape(["export", dir.path("runs"), "--format", "parquet", "-o", dir.path("lake2"), "--verbose"])
        #expect(verbose.stderr.split(separator: "\n").filter { $0.hasPrefix("wrote ") }.count == 6, "\(verbose.stderr)")
        let compact = try runTape(["compact", dir.path("runs")])
        #expect(compact.status == 0 && compact.stdout.hasPrefix("total: 2 file(s)"), "\(compact.stdout)")
        let compactVerbose = try runTape(["compact", dir.path("runs"), "-v"])
        #expect(compactVerbose.stdout.split(separator: "\n").count == 3)
        // An unsealed file: a warning, silenced by --quiet.
        let unsealed = dir.path("unsealed.tape")
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.path("runs/a.tape")))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: unsealed))
        let warned = try runTape(["info", unsealed, "--unsealed"])
        #expect(warned.status == 0 && warned.stderr.hasPrefix("warning: "))
        let quiet = try runTape(["info", unsealed, "--unsealed", "--quiet"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty)
    }

    @Test("--format json and -o PATH mean the same in every command that prints data: JSON on stdout, or the same bytes in PATH and nothing on stdout")
    func formatAndOutputEverywhere() throws {
        let dir = try Self.makeRuns()
        defer { dir.cleanup() }
        let run = dir.path("runs/a.tape")
        let commands: [[String]] = [
            ["info", run], ["cat", run, "trades"], ["export", run, "trades"], ["sql", "SELECT count(*) AS n FROM trades", run],
            ["trades", run], ["summary", dir.path("runs"), "--columns", "run,sharpe"], ["top", dir.path("runs"), "--once", "--sample", "0"],
        ]
        for (i, args) in commands.enumerated() {
            let json = try runTape(args + ["-f", "json"])
            #expect(json.status == 0 && json.stderr.isEmpty, "\(args): \(json.stderr)")
            #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil, "\(args): not JSON: \(json.stdout)")
            let out = dir.path("out\(i).json")
            let toFile = try runTape(args + ["--format", "json", "-o", out])
            #expect(toFile.status == 0 && toFile.stdout.isEmpty && toFile.stderr.isEmpty, "\(args): \(toFile.stderr)")
            let written = try String(contentsOfFile: out, encoding: .utf8)
            if args[0] == "top" {   // its rows show ages: the same runs, not the same bytes
                #expect(written.contains("\"status\":\"finished\"") && written.hasPrefix("[{"), "\(written)")
            } else {
                #expect(written == json.stdout, "\(args)")
            }
        }
        // info's older --json is --format json.
        #expect(try runTape(["info", run, "--json"]).stdout == runTape(["info", run, "--format", "json"]).stdout)
    }

    @Test("--version prints the tool's version and the format versions it reads and writes")
    func version() throws {
        let r = try runTape(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("tape ") && r.stdout.contains("format: writes 1.\(FileHeader.minorVersion), reads 1.0 to 1.\(FileHeader.minorVersion)"), "\(r.stdout)")
    }
}
