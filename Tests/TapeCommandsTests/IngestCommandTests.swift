import Foundation
import Testing
import Tape
import TapeFormat
import TapeTestSupport

private func metadata(_ path: String) throws -> [String: String] {
    Dictionary(try TapeReader(path: path).metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
}

private let t0: Int64 = 1_704_067_200_000_000_000  // 2024-01-01T00:00:00Z

@Suite struct IngestCommandTests {
    /// Equity rows for minutes 0..<n, one per line.
    private func equityLines(_ n: Int) -> [String] {
        (0..<n).map { i in
            #"{"$table":"equity","ts":"\#(isoMinute(i))","equity":\#(100_000 + Double(i) / 4)}"#
        }
    }

    private func isoMinute(_ i: Int) -> String {
        String(format: "2024-01-01T%02d:%02d:00Z", i / 60, i % 60)
    }

    @Test func closedRunPrintsSummaryAndHoldsEveryRow() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        let input = ([#"{"$schema":"equity","ts":"timestamp!","equity":"float64"}"#, #"{"$expect_bars":300}"#]
            + equityLines(300)
            + [#"{"$table":"trades","pnl":-2.5,"side":"long"}"#, #"{"$close":true,"final_equity":100074.75}"#])
            .joined(separator: "\n") + "\n"
        let r = try runTape(["ingest", path, "--metadata", "strategy=sma", "--codec", "lz4"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(r.stdout.utf8))
        #expect(summary.tables.map(\.rows).sorted() == [1, 300])
        #expect(summary.progress.processed == 300 && summary.progress.total == 300)
        let rows = try tableRows(path)
        let expected: [[Value]] = (0..<300).map { i in
            [.timestamp(t0 + Int64(i) * 60_000_000_000), .double(100_000 + Double(i) / 4)]
        }
        #expect(rows["equity"] == expected)
        #expect(rows["trades"] == [[.double(-2.5), .string("long")]])
        let meta = try metadata(path)
        #expect(meta["strategy"] == "sma" && meta["final_equity"] == "100074.75" && meta["tape.incomplete"] == nil)
    }

    @Test func inputEndingWithoutCloseSealsAndFails() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        let r = try runTape(["ingest", path], stdin: equityLines(10).joined(separator: "\n"))
        #expect(r.status == 1)
        #expect(r.stderr.contains("input ended without a $close record after line 10"), "\(r.stderr)")
        #expect(try tableRows(path)["equity"]?.count == 10)
        #expect(try metadata(path)["tape.incomplete"] == "true")
    }

    @Test func malformedLineStopsWithItsPlaceAndKeepsEarlierRows() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        var lines = equityLines(5)
        lines.insert(#"{"$table":"equity","ts":"2024-01-01T00:05:00Z","equity":1,"oops":2}"#, at: 3)
        let r = try runTape(["ingest", path, "--infer-rows", "2"], stdin: lines.joined(separator: "\n") + "\n{\"$close\":true}\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("line 4, field 'oops': column 'oops' is not in the schema"), "\(r.stderr)")
        #expect(try tableRows(path)["equity"]?.count == 3)
        let meta = try metadata(path)
        #expect(meta["tape.incomplete"] == "true" && meta["tape.incomplete_reason"]?.contains("line 4") == true)

        // --skip-malformed skips it and closes normally.
        let skipped = try runTape(["ingest", path, "--force", "--infer-rows", "2", "--skip-malformed"],
                                  stdin: lines.joined(separator: "\n") + "\n{\"$close\":true}\n")
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("skipped 1 malformed line(s)"))
        #expect(try tableRows(path)["equity"]?.count == 5)
    }

    @Test func refusesToReplaceAnExistingFileWithoutForce() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        #expect(try runTape(["ingest", path], stdin: "{\"$table\":\"t\",\"a\":1}\n{\"$close\":true}\n").status == 0)
        let again = try runTape(["ingest", path], stdin: "{\"$close\":true}\n")
        #expect(again.status == 64 && again.stderr.contains("exists"))
        #expect(try tableRows(path)["t"] == [[.int(1)]])
    }
}
