import ArgumentParser
import Foundation
import Testing
import Tape
@testable import TapeCommands
import TapeTestSupport

// `tape summary`: one row per run from footers, filters, sorting, grouping, formats, bad files.

private func runSummary(_ arguments: [String]) throws {
    var command = try TapeCommand.parseAsRoot(["summary"] + arguments)
    try command.run()
}

/// Writes a run with a daily equity curve `equity` (from 2024-01-01) and `trades` pnl values.
private func writeRun(_ path: String, equity: [Double], trades: [Double], metadata: [String: String],
                      metrics: MetricsOptions? = MetricsOptions()) throws {
    let w = try TapeWriter(path: path, options: WriterOptions(metrics: metrics), metadata: metadata)
    let eq = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
    for (i, v) in equity.enumerated() {
        try eq.append(values: [.timestamp(1_704_067_200_000_000_000 + Int64(i) * 86_400_000_000_000), .double(v)])
    }
    let tr = try w.declareTable("trades", columns: [ColumnDef("pnl", .float64)])
    for p in trades { try tr.append(values: [.double(p)]) }
    try w.close()
}

/// The JSON objects of a `--format jsonl` output file.
private func jsonl(_ path: String) throws -> [[String: Any]] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
        try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
}

@Suite("tape summary", .serialized)
struct SummaryTests {
    /// Four runs (a, b, c, old) in `dir`; old has a's data but no stored metrics.
    private func makeRuns(_ dir: TempDir) throws {
        try FileManager.default.createDirectory(atPath: dir.path("runs/sub"), withIntermediateDirectories: true)
        try writeRun(dir.path("runs/a.tape"), equity: [100, 102, 101, 105, 107, 106], trades: [5, -1, 2],
                     metadata: ["strategy": "sma", "symbol": "SPY"])
        try writeRun(dir.path("runs/b.tape"), equity: [100, 99, 97, 98, 96, 95], trades: [-3, -2],
                     metadata: ["strategy": "sma", "symbol": "QQQ"])
        try writeRun(dir.path("runs/sub/c.tape"), equity: [100, 101, 103, 102, 104, 108], trades: [4, 4, -2, 1],
                     metadata: ["strategy": "breakout", "symbol": "SPY", "run_id": "c-run"])
        try writeRun(dir.path("runs/old.tape"), equity: [100, 102, 101, 105, 107, 106], trades: [5, -1, 2],
                     metadata: ["strategy": "sma", "symbol": "IWM"], metrics: nil)
    }

    @Test func sortsFiltersAndComputesMissingMetrics() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try makeRuns(dir)
        let out = dir.path("out.jsonl")
        try runSummary([dir.path("runs"), "--sort", "-sharpe", "--columns", "run,strategy,sharpe,trades,start", "--format", "jsonl", "-o", out])
        let rows = try jsonl(out)
        #expect(rows.map { $0["run"] as? String } == ["c-run", "a", "old", "b"])
        let sharpes = rows.compactMap { $0["sharpe"] as? Double }
        #expect(sharpes.count == 4 && sharpes == sharpes.sorted(by: >))
        #expect(rows[1]["sharpe"] as? Double == rows[2]["sharpe"] as? Double)   // old: computed now, same data as a
        #expect(rows.map { $0["trades"] as? Int } == [4, 3, 3, 2])
        #expect(rows[0]["start"] as? String == "2024-01-01T00:00:00Z")
        let a = try TapeReader(path: dir.path("runs/a.tape"))
        #expect(rows[1]["sharpe"] as? Double == (try a.metrics)?.number("sharpe"))

        try runSummary([dir.path("runs"), "--where", "sharpe > 0 AND (symbol = 'SPY' OR strategy != 'sma')", "--sort", "run",
                        "--columns", "run", "--format", "jsonl", "-o", out])
        #expect(try jsonl(out).map { $0["run"] as? String } == ["a", "c-run"])
        try runSummary([dir.path("runs/*.tape"), "--where", "trades >= 3 or max_drawdown < -0.05", "--sort", "-total_return",
                        "--top", "2", "--columns", "run,total_return", "--format", "jsonl", "-o", out])
        #expect(try jsonl(out).map { $0["run"] as? String } == ["a", "old"])
        try runSummary([dir.path("runs"), "--where", "\"end\" >= '2024-01-06' AND start < '2024-01-01T00:00:01Z'", "--columns", "run",
                        "--format", "jsonl", "-o", out])
        #expect(try jsonl(out).count == 4)
        try runSummary([dir.path("runs"), "--where", "\"end\" > '2024-01-06'", "--columns", "run", "--format", "jsonl", "-o", out])
        #expect(try jsonl(out).isEmpty)
    }

    @Test func groupByFormatsAndBadFiles() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try makeRuns(dir)
        try Data("not a tape file".utf8).write(to: URL(fileURLWithPath: dir.path("runs/junk.tape")))
        let out = dir.path("out.json")
        #expect(throws: ExitCode.failure) {
            try runSummary([dir.path("runs"), "--group-by", "strategy", "--columns", "trades,win_rate", "--format", "json", "-o", out])
        }
        let groups = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [[String: Any]])
        let sma = try #require(groups.first { $0["strategy"] as? String == "sma" })
        #expect(sma["runs"] as? Int == 3 && groups.count == 2)
        #expect(sma["mean_trades"] as? Double == 8.0 / 3 && sma["median_trades"] as? Double == 3)
        let csv = dir.path("out.csv")
        try runSummary([dir.path("runs/a.tape"), "--format", "csv", "-o", csv])
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("run,strategy,symbol,status,start,end,total_return,cagr,sharpe"))
        #expect(throws: (any Error).self) { try runSummary([dir.path("runs/none-*.tape")]) }
        let table = dir.path("out.txt")
        try runSummary([dir.path("runs/a.tape"), "--columns", "run,sharpe,trades", "-o", table])
        let sharpe = try #require(try TapeReader(path: dir.path("runs/a.tape")).metrics?.number("sharpe"))
        let text = try String(contentsOfFile: table, encoding: .utf8)
        #expect(text.contains(String((sharpe * 10_000).rounded() / 10_000)) && !text.contains(String(sharpe)), "\(text)")
    }

    @Test func whereIsASQLConditionOverMetricsAndMetadata() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try makeRuns(dir)
        let out = dir.path("out.jsonl")
        func runs(_ condition: String) throws -> [String?] {
            try runSummary([dir.path("runs"), "--where", condition, "--sort", "run", "--columns", "run", "--format", "jsonl", "-o", out])
            return try jsonl(out).map { $0["run"] as? String }
        }
        #expect(try runs("symbol LIKE 'S%' AND NOT strategy = 'breakout'") == ["a"])
        #expect(try runs("avg_win IS NULL") == ["b"])                         // b has no winning trade
        #expect(try runs("trades BETWEEN 3 AND 4 AND run IN ('a', 'c-run')") == ["a", "c-run"])
        #expect(try runs("total_return * 100 > 5") == ["a", "c-run", "old"])
        for (condition, position, text) in [("sharp > 1", 0, "did you mean 'sharpe'"), ("sharpe >", 8, "expected an expression"),
                                            ("strategy > 1", 9, "cannot compare")] {
            var message = ""
            do { _ = try runs(condition) } catch { message = TapeCommand.message(for: error) }
            #expect(message.contains(text) && message.contains("--where"), "\(condition): \(message)")
            #expect(message.contains("\n" + String(repeating: " ", count: position)) && message.contains("^"), "\(condition): \(message)")
        }
    }

    @Test func metadataIsTypedStatusIsAColumnAndGroupByTakesSeveralKeys() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try FileManager.default.createDirectory(atPath: dir.path("runs"), withIntermediateDirectories: true)
        // fast is numeric: as text "10" < "20" < "5"; as a number 5 < 10 < 20.
        for (name, fast, symbol) in [("r1", "10", "SPY"), ("r2", "5", "SPY"), ("r3", "20", "QQQ"), ("r4", "5", "QQQ")] {
            try writeRun(dir.path("runs/\(name).tape"), equity: [100, 101, 103, 102], trades: [1, -1],
                         metadata: ["strategy": "sma", "symbol": symbol, "fast": fast, "stop": name == "r1" ? "0.5" : "1"])
        }
        // A cancelled run (writer.cancel), an incomplete one (tape ingest's marker), a recovered one.
        let w = try TapeWriter(path: dir.path("runs/c.tape"), metadata: ["strategy": "sma", "fast": "7"])
        _ = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
        _ = try w.cancel(reason: "stopped")
        try writeRun(dir.path("runs/i.tape"), equity: [100, 99], trades: [], metadata: ["tape.incomplete": "true", "fast": "8"])
        try writeRun(dir.path("runs/v.tape"), equity: [100, 99], trades: [], metadata: ["tape.recovered": "true", "fast": "9"])
        let out = dir.path("out.jsonl")
        func rows(_ args: [String]) throws -> [[String: Any]] {
            try runSummary([dir.path("runs")] + args + ["--format", "jsonl", "-o", out])
            return try jsonl(out)
        }
        #expect(try rows(["--sort", "fast", "--columns", "run,fast"]).map { $0["run"] as? String } == ["r2", "r4", "c", "i", "v", "r1", "r3"])
        #expect(try rows(["--sort", "-fast", "--columns", "run,fast"]).first?["fast"] as? Int == 20)     // a number in JSON
        #expect(try rows(["--where", "fast < 10 AND stop >= 1", "--sort", "run", "--columns", "run"]).map { $0["run"] as? String } == ["r2", "r4"])
        #expect(try rows(["--where", "status = 'complete'", "--sort", "run", "--columns", "run,status"]).map { $0["run"] as? String }
                == ["r1", "r2", "r3", "r4"])
        let statuses = try rows(["--sort", "run", "--columns", "run,status"]).map { "\($0["run"] ?? "")=\($0["status"] ?? "")" }
        #expect(statuses == ["c=cancelled", "i=incomplete", "r1=complete", "r2=complete", "r3=complete", "r4=complete", "v=recovered"])
        #expect(try rows(["--where", "status != 'complete'", "--columns", "run"]).count == 3)
        // Several keys: one row per combination, keys typed.
        let groups = try rows(["--where", "status = 'complete'", "--group-by", "symbol,fast", "--columns", "trades,sharpe", "--sort", "fast"])
        #expect(groups.map { "\($0["symbol"] ?? "")/\($0["fast"] ?? "")/\($0["runs"] ?? "")" } == ["SPY/5/1", "QQQ/5/1", "SPY/10/1", "QQQ/20/1"])
        #expect(groups.allSatisfy { $0["mean_trades"] as? Double == 2 })
        let byFast = try rows(["--group-by", "strategy", "--columns", "trades"])
        #expect(byFast.first?["runs"] as? Int == 5 && byFast.count == 2)   // i and v have no strategy: the null group
    }
}
