import ArgumentParser
import Foundation
import Testing
import Tape
@testable import TapeCommands
import TapeTestSupport

// A run assembled by several `tape import`s stores the metrics of the whole run: `summary` shows
// the same metrics as for the same rows written by one writer, whatever the import order.

private let day: Int64 = 86_400_000_000_000
private let t0: Int64 = 1_704_067_200_000_000_000   // 2024-01-01
private let equitySchema = "ts:timestamp!,equity:float64,position:int64"
private let tradesSchema = "entry_ts:timestamp,exit_ts:timestamp,pnl:float64"

private struct RunRows {
    var equity: [(ts: Int64, equity: Double, position: Int64)] = []
    var trades: [(entry: Int64, exit: Int64, pnl: Double)] = []

    init() {
        var g = SplitMix64(seed: 42)
        var e = 10_000.0
        for i in 0..<300 {
            e += Double(Int(g.next() % 2001) - 1000) / 10
            equity.append((t0 + Int64(i) * day, e, Int64(g.next() % 3) - 1))
        }
        for i in 0..<25 {
            let entry = t0 + Int64(i * 11) * day
            trades.append((entry, entry + Int64(1 + i % 4) * day, Double(Int(g.next() % 801) - 350) / 4))
        }
    }

    func equityCSV(_ range: Range<Int>) -> String {
        "ts,equity,position\n" + equity[range].map { "\(iso($0.ts)),\($0.equity),\($0.position)\n" }.joined()
    }

    func tradesCSV() -> String {
        "entry_ts,exit_ts,pnl\n" + trades.map { "\(iso($0.entry)),\(iso($0.exit)),\($0.pnl)\n" }.joined()
    }

    /// The same rows written by one writer (one session, both tables).
    func writeInOneSession(_ path: String) throws {
        let w = try TapeWriter(path: path)
        let eq = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false),
                                                        ColumnDef("equity", .float64), ColumnDef("position", .int64)])
        let tr = try w.declareTable("trades", columns: [ColumnDef("entry_ts", .timestamp), ColumnDef("exit_ts", .timestamp),
                                                        ColumnDef("pnl", .float64)])
        for r in equity { try eq.append(values: [.timestamp(r.ts), .double(r.equity), .int(r.position)]) }
        for r in trades { try tr.append(values: [.timestamp(r.entry), .timestamp(r.exit), .double(r.pnl)]) }
        try w.close()
    }
}

private func iso(_ ns: Int64) -> String { Timestamps.format(ns) }

private func tape(_ arguments: [String]) throws {
    var command = try TapeCommand.parseAsRoot(arguments)
    try command.run()
}

private let metricColumns = ["start", "end", "bars", "total_return", "cagr", "sharpe", "sortino", "max_drawdown",
                             "trades", "win_rate", "best_trade", "avg_trade", "profit_factor", "exposure"]

/// `tape summary --format jsonl` of one file, as a line of text (the `run` column left out).
private func summaryLine(_ path: String, _ dir: TempDir) throws -> String {
    let out = dir.path("summary-\(UUID().uuidString).jsonl")
    try tape(["summary", path, "--columns", metricColumns.joined(separator: ","), "--format", "jsonl", "-o", out])
    return try String(contentsOfFile: out, encoding: .utf8)
}

@Suite("tape import: metrics of a run assembled by several imports")
struct ImportMetricsTests {
    enum Step: String, CaseIterable { case equityThenTrades, tradesThenEquity, equitySplitAroundTrades }

    @Test(arguments: Step.allCases)
    func metricsCoverTheWholeRun(order: Step) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let rows = RunRows()
        let reference = dir.path("one.tape")
        try rows.writeInOneSession(reference)
        let expected = try summaryLine(reference, dir)
        #expect(expected.contains("\"trades\":25") && expected.contains("\"sharpe\":"))

        let e1 = dir.path("e1.csv"), e2 = dir.path("e2.csv"), eAll = dir.path("e.csv"), tr = dir.path("t.csv")
        try rows.equityCSV(0..<120).write(toFile: e1, atomically: true, encoding: .utf8)
        try rows.equityCSV(120..<300).write(toFile: e2, atomically: true, encoding: .utf8)
        try rows.equityCSV(0..<300).write(toFile: eAll, atomically: true, encoding: .utf8)
        try rows.tradesCSV().write(toFile: tr, atomically: true, encoding: .utf8)
        let run = dir.path("run.tape")
        func importEquity(_ csv: String) throws { try tape(["import", run, "equity", "--csv", csv, "--schema", equitySchema]) }
        func importTrades() throws { try tape(["import", run, "trades", "--csv", tr, "--schema", tradesSchema]) }
        switch order {
        case .equityThenTrades: try importEquity(eAll); try importTrades()
        case .tradesThenEquity: try importTrades(); try importEquity(eAll)
        case .equitySplitAroundTrades: try importEquity(e1); try importTrades(); try importEquity(e2)
        }
        #expect(try summaryLine(run, dir) == expected)
        #expect(try TapeReader(path: run).metrics == TapeReader(path: reference).metrics)
    }

    @Test("an import into an unrelated table keeps the stored metrics")
    func unrelatedTableKeepsMetrics() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let rows = RunRows()
        let run = dir.path("run.tape")
        try rows.writeInOneSession(run)
        let before = try TapeReader(path: run).metrics
        let notes = dir.path("notes.csv")
        try "ts,note\n2024-01-02T00:00:00Z,hello\n".write(toFile: notes, atomically: true, encoding: .utf8)
        try tape(["import", run, "notes", "--csv", notes])
        #expect(try TapeReader(path: run).metrics == before)
        #expect(before != nil)
    }

    @Test("appending with metrics disabled removes metrics the new rows made stale")
    func disabledMetricsDropStaleSection() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let rows = RunRows()
        let run = dir.path("run.tape")
        try rows.writeInOneSession(run)
        let w = try TapeWriter(appendingTo: run, options: WriterOptions(metrics: nil))
        let eq = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false),
                                                        ColumnDef("equity", .float64), ColumnDef("position", .int64)])
        try eq.append(values: [.timestamp(t0 + 400 * day), .double(1), .int(0)])
        try w.close()
        #expect(try TapeReader(path: run).metrics == nil)
    }
}
