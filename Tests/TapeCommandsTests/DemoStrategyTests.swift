import Foundation
import Testing
import Tape
@testable import TapeCommands
import TapeTestSupport

// `tape demo`'s backtest: deterministic, and a plausible, mixed result (not a 95% loss).

@Suite("tape demo strategy")
struct DemoStrategyTests {
    private func metrics(seed: UInt64, _ dir: TempDir) throws -> RunMetrics {
        var p = DemoBacktest.Parameters()
        p.seed = seed
        let path = dir.path("demo\(seed).tape")
        let w = try TapeWriter(path: path, options: WriterOptions(durability: .none))
        try DemoBacktest(p).run(into: w)
        try w.close()
        return try #require(try TapeReader(path: path).metrics)
    }

    @Test func theDefaultYearIsPlausibleAndOtherSeedsDiffer() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let m = try metrics(seed: 42, dir)
        // The figures README quotes (one year of 1-minute bars, seed 42).
        #expect(abs((m.number("total_return") ?? 0) - 0.1725) < 0.0001)
        #expect(abs((m.number("sharpe") ?? 0) - 1.0694) < 0.0001)
        #expect(abs((m.number("max_drawdown") ?? 0) + 0.0799) < 0.0001)
        #expect(m["trades"] == .int(126))
        let win = m.number("win_rate") ?? 0
        #expect(win > 0.3 && win < 0.6)
        #expect((m.number("profit_factor") ?? 0) > 1 && (m.number("profit_factor") ?? 0) < 2)
        // Mixed: another seed loses, and not catastrophically.
        let other = try metrics(seed: 3, dir)
        #expect((other.number("total_return") ?? 0) < 0 && (other.number("total_return") ?? 0) > -0.5, "\(other)")
    }
}
