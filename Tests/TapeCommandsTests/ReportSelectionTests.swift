import Foundation
import Tape
import TapeTestSupport
import Testing

/// `tape report --from/--to/--where`: the shared row selection in the report (issue 14).
@Suite("report row selection", .serialized)
struct ReportSelectionTests {
    /// Writes to `path` the rows of `source`'s equity and trades tables whose first timestamp
    /// column is in `from ..< to` (what `tape cat --from --to` selects), with its metadata: a run
    /// that is only the period. Its metrics are computed at close by the writer.
    static func writePeriod(of source: String, to path: String, from: Int64, to end: Int64) throws {
        let reader = try TapeReader(path: source)
        let metadata = Dictionary(reader.metadata.filter { !$0.key.hasPrefix("tape.") || $0.key.hasPrefix("tape.metrics.") }.map { ($0.key, $0.value) },
                                  uniquingKeysWith: { _, b in b })
        let writer = try TapeWriter(path: path, metadata: metadata)
        for name in ["equity", "trades"] {
            let entry = try reader.table(name)
            let time = try #require(entry.schema.columns.first { $0.type == .timestamp }).name
            let table = try writer.declareTable(name, schema: entry.schema)
            let scan = try reader.scan(name, where: [ColumnPredicate(time, .ge, .timestamp(from)), ColumnPredicate(time, .lt, .timestamp(end))])
            while let batch = try scan.nextBatch() { try table.append(columns: batch.columns) }
        }
        _ = try writer.close()
    }

    /// The metrics table of a report page.
    static func metricsSection(_ page: String) throws -> Substring {
        let start = try #require(page.range(of: "<table class=\"kv metrics\">") ?? page.range(of: "<div class=\"kv-columns\">"))
        let end = try #require(page.range(of: "</section>", range: start.upperBound..<page.endIndex))
        return page[start.lowerBound..<end.lowerBound]
    }

    @Test("--from/--to give the report of the period: the same numbers, metrics and trades as a run holding only those rows")
    func periodEqualsACutRun() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        #expect(try runTape(["demo", dir.path("d"), "--bars", "20000"]).status == 0)
        let full = dir.path("d/demo.tape"), cut = dir.path("cut.tape")
        let from = try #require(Timestamps.parse("2024-01-05")), to = try #require(Timestamps.parse("2024-01-12"))
        try Self.writePeriod(of: full, to: cut, from: from, to: to)
        let selected = try runTape(["report", full, "--from", "2024-01-05", "--to", "2024-01-12", "-o", dir.path("sel.html"), "--json", dir.path("sel.json")])
        let reference = try runTape(["report", cut, "-o", dir.path("ref.html"), "--json", dir.path("ref.json"), "--title", "Run demo"])
        #expect(selected.status == 0 && reference.status == 0, "\(selected.stderr) \(reference.stderr)")
        // Daily returns, monthly/yearly returns, drawdown periods, rolling statistics: identical.
        func numbers(_ name: String) throws -> [String: Any] {
            var d = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path(name)))) as? [String: Any])
            d["run"] = nil
            return d
        }
        let a = try numbers("sel.json"), b = try numbers("ref.json")
        #expect(NSDictionary(dictionary: a).isEqual(to: b), "the period's numbers differ from the cut run's")
        #expect((a["returnDays"] as? Int ?? 0) == 6, "7 days of bars: 6 daily returns")
        // The metrics are computed over the period, equal to what a writer of those rows stores.
        let page = try String(contentsOfFile: dir.path("sel.html"), encoding: .utf8)
        let refPage = try String(contentsOfFile: dir.path("ref.html"), encoding: .utf8)
        #expect(try Self.metricsSection(page) == Self.metricsSection(refPage))
        #expect(page.contains("Computed now over the selected rows"))
        #expect(try Self.metricsSection(page).contains("<td>bars</td><td>10080</td>"), "7 days of 1-minute bars")
        // Trades: the period's only (their counts agree with the cut run's trades table).
        let count = try runTape(["sql", "SELECT count(*) FROM trades", cut, "-f", "csv"]).stdout
        let n = try #require(Int(count.split(separator: "\n").last ?? ""))
        #expect(n > 0 && page.contains("<tr><td>trades</td><td>\(n)</td></tr>") && refPage.contains("<tr><td>trades</td><td>\(n)</td></tr>"), "\(n)")
    }

    @Test("--where filters the equity rows with a caret on errors; --columns, sweeps and large comparisons refuse row selection")
    func whereAndRefusals() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        #expect(try runTape(["demo", dir.path("d"), "--bars", "6000"]).status == 0)
        let run = dir.path("d/demo.tape")
        let ok = try runTape(["report", run, "--where", "equity > 0", "-o", dir.path("w.html"), "--json", dir.path("w.json")])
        let all = try runTape(["report", run, "-o", dir.path("a.html"), "--json", dir.path("a.json")])
        #expect(ok.status == 0 && all.status == 0, "\(ok.stderr)")
        // Every equity row passes: the same numbers as without a selection.
        let w = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("w.json")))) as? NSDictionary
        let a = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("a.json")))) as? NSDictionary
        #expect(w != nil && w == a)
        let bad = try runTape(["report", run, "--where", "equty > 0", "-o", dir.path("b.html")])
        #expect(bad.status == 1 && bad.stderr.contains("--where") && bad.stderr.contains("equty"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("b.html")))
        let columns = try runTape(["report", run, "--columns", "equity", "-o", dir.path("c.html")])
        #expect(columns.status == 64 && columns.stderr.contains("--columns does not apply"), "\(columns.stderr)")
        let sweep = try runTape(["report", run, "--heatmap", "seed", "--from", "2024-01-02", "-o", dir.path("s.html")])
        #expect(sweep.status == 64 && sweep.stderr.contains("footers only"), "\(sweep.stderr)")
    }
}
