import Foundation
import Tape
import TapeCodec
import TapeFormat
import TapeTestSupport

/// Generated runs for query tests: each run has `equity` (one row per minute), `trades` (a row
/// every ~37 minutes, with NULL pnl on open trades) and, in some runs, strategy-specific columns
/// and tables, so union semantics get exercised. Also writes the same rows as CSV for DuckDB (and
/// `runs`: run, strategy, fast, the columns of the virtual `runs` table the tests compare).
struct QueryFixture {
    let dir: TempDir
    var paths: [String] = []
    /// CSV files per table: the union of all runs with `run`, `strategy`, `fast` columns first.
    var csv: [String: String] = [:]
    static let start: Int64 = 1_704_067_200_000_000_000   // 2024-01-01T00:00:00Z

    /// With `plainStrings`, every string column is stored plain (not dictionary-encoded), so queries
    /// run the engine's plain-string kernels, and the notes are `notes` (three values).
    init(runs: Int, bars: Int, seed: UInt64 = 7, rowsPerChunk: Int = 1000, plainStrings: Bool = false,
         notes: [String] = ["breakout", "stop, hit", "say \"hi\""]) throws {
        precondition(notes.count == 3)
        dir = TempDir()
        var g = SplitMix64(seed: seed)
        var equityCSV = "run,strategy,fast,ts,equity,position\n"
        var tradesCSV = "run,strategy,fast,ts,symbol,side,qty,price,pnl,note\n"
        var runsCSV = "run,strategy,fast\n"
        let symbols = ["AAPL", "MSFT", "GOOG", "ES", "BTC-USD"]
        for r in 0..<runs {
            let path = dir.path(String(format: "run%03d.tape", r))
            let strategy = r % 3 == 0 ? "momentum" : "sma"
            let fast = 5 + r % 4 * 5
            runsCSV += "run\(String(format: "%03d", r)),\(strategy),\(fast)\n"
            var options = WriterOptions()
            options.rowsPerChunk = rowsPerChunk
            if plainStrings { options.forcedEncodings = ["symbol": .plain, "side": .plain, "note": .plain] }
            let w = try TapeWriter(path: path, options: options, metadata: ["strategy": strategy, "fast": String(fast)])
            let eq = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64), ColumnDef("position", .int64)])
            var tradeCols = [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("symbol", .string), ColumnDef("side", .string),
                             ColumnDef("qty", .int64), ColumnDef("price", .float64), ColumnDef("pnl", .float64)]
            if strategy == "momentum" { tradeCols.append(ColumnDef("note", .string)) }
            let hasTrades = r % 5 != 4
            let tr = hasTrades ? try w.declareTable("trades", columns: tradeCols) : nil
            var equity = 100_000.0
            var position: Int64 = 0
            for i in 0..<bars {
                let ts = QueryFixture.start + Int64(i) * 60_000_000_000 + Int64(r) * 7_000_000_000
                equity += (Double(g.next() % 2001) - 1000) / 100
                equity = (equity * 100).rounded() / 100
                if g.next() % 50 == 0 { position = Int64(g.next() % 7) - 3 }
                let posNull = g.next() % 97 == 0
                try eq.append(values: [.timestamp(ts), .double(equity), posNull ? .null : .int(position)])
                let tsText = QueryFixture.text(ts)
                equityCSV += "run\(String(format: "%03d", r)),\(strategy),\(fast),\(tsText),\(equity),\(posNull ? "" : String(position))\n"
                if let tr, g.next() % 37 == 0 {
                    let sym = symbols[Int(g.next() % UInt64(symbols.count))]
                    let side = g.next() % 2 == 0 ? "buy" : "sell"
                    let qty = Int64(g.next() % 500) + 1
                    let price = Double(g.next() % 100_000) / 100 + 1
                    let open = g.next() % 6 == 0
                    let pnl = open ? nil : (Double(g.next() % 200_001) - 100_000) / 100
                    var row: [Value] = [.timestamp(ts), .string(sym), .string(side), .int(qty), .double(price), pnl.map(Value.double) ?? .null]
                    var note = ""
                    if strategy == "momentum" {
                        note = g.next() % 3 == 0 ? "" : notes[Int(g.next() % 3)]
                        row.append(note.isEmpty ? .null : .string(note))
                    }
                    try tr.append(values: row)
                    let quoted = note.isEmpty ? "" : "\"\(note.replacingOccurrences(of: "\"", with: "\"\""))\""
                    tradesCSV += "run\(String(format: "%03d", r)),\(strategy),\(fast),\(tsText),\(sym),\(side),\(qty),\(price),\(pnl.map { String($0) } ?? ""),\(quoted)\n"
                }
            }
            _ = try w.close()
            paths.append(path)
        }
        let eqPath = dir.path("equity.csv"), trPath = dir.path("trades.csv")
        try equityCSV.write(toFile: eqPath, atomically: true, encoding: .utf8)
        try tradesCSV.write(toFile: trPath, atomically: true, encoding: .utf8)
        let runsPath = dir.path("runs.csv")
        try runsCSV.write(toFile: runsPath, atomically: true, encoding: .utf8)
        csv = ["equity": eqPath, "trades": trPath, "runs": runsPath]
    }

    /// `YYYY-MM-DD HH:MM:SS` as DuckDB reads it.
    static func text(_ ns: Int64) -> String {
        let iso = Timestamps.format(ns)
        return String(iso.replacingOccurrences(of: "T", with: " ").prefix(19))
    }
}
