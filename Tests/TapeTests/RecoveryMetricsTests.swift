import Foundation
import Testing
import Tape
import TapeFormat
import TapeTestSupport

/// Recovery recomputes the metrics section (kept only in the lost footer) from the kept rows: the
/// recovered run stores the metrics a run with exactly those rows would have stored at close.
@Suite struct RecoveryMetricsTests {
    func write(_ path: String, bars: Int, copyUnsealedTo copy: String? = nil) throws {
        var options = WriterOptions()
        options.rowsPerChunk = 500
        let w = try TapeWriter(path: path, options: options, metadata: ["strategy": "t"])
        let eq = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
        let tr = try w.declareTable("trades", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("pnl", .float64)])
        var g = SplitMix64(seed: 3)
        var equity = 1000.0
        for i in 0..<bars {
            let ts = Int64(i) * 3_600_000_000_000
            equity *= 1 + (Double(g.next() % 2001) - 1000) / 100_000
            try eq.append(values: [.timestamp(ts), .double(equity)])
            if i % 50 == 49 { try tr.append(values: [.timestamp(ts), .double(Double(g.next() % 200) - 100)]) }
        }
        if let copy {
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            try w.abandon()
        } else {
            _ = try w.close()
        }
    }

    @Test func recoveredRunStoresTheMetricsOfItsKeptRows() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let killed = dir.path("killed.tape")
        try write(dir.path("source.tape"), bars: 2_750, copyUnsealedTo: killed)
        let report = try Recovery.recover(path: killed)
        #expect(report.metricsRecomputed)
        let kept = try #require(report.rowsKept["equity"])
        #expect(kept == 2_500)   // five complete chunks; the buffered 250 rows were never written
        let recovered = try #require(try TapeReader(path: killed).metrics)
        // The same rows written as a complete run.
        let whole = dir.path("whole.tape")
        try write(whole, bars: kept)
        let expected = try #require(try TapeReader(path: whole).metrics)
        #expect(recovered.number("bars") == Double(kept))
        for name in ["final_equity", "total_return", "sharpe", "max_drawdown", "annual_volatility"] {
            #expect(recovered.number(name) == expected.number(name), "\(name)")
        }
        #expect(try Verifier.verify(path: killed).problems.isEmpty)
    }
}

/// `TapeWriter.resume` with metrics disabled must not keep the metrics recovery computed from the
/// kept rows once the resumed run adds rows: they would describe only part of the run.
@Suite struct ResumeMetricsTests {
    @Test func resumeWithMetricsOffDropsThePartialSection() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape"), dead = dir.path("dead.tape")
        try RecoveryMetricsTests().write(path, bars: 2_000, copyUnsealedTo: dead)
        let (w, state) = try TapeWriter.resume(path: dead, options: WriterOptions(metrics: nil))
        #expect(state.rowCount("equity") > 0)
        let eq = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
        for i in state.rowCount("equity")..<(state.rowCount("equity") + 10) {
            try eq.append(values: [.timestamp(Int64(i) * 3_600_000_000_000), .double(1)])
        }
        try w.close()
        #expect(try TapeReader(path: dead).metrics == nil)
    }
}
