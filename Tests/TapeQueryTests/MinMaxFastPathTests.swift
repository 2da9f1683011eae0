import Foundation
import Tape
import TapeFormat
import TapeQuery
import TapeTestSupport
import Testing

/// min/max of a DOUBLE column with no NULLs and no GROUP BY take a four-lane pass that never
/// selects a NaN and notes NaNs apart; with a GROUP BY they go row by row through the ordered
/// comparison. Both must give the same answer (NaN above every number, as DuckDB), whatever
/// mix of NaN, infinities and signed zeros, and wherever the NaN sits (lanes and the tail).
@Suite struct MinMaxFastPathTests {
    @Test func theUngroupedPassEqualsTheGroupedOne() throws {
        let nan = Double.nan, inf = Double.infinity
        var g = SplitMix64(seed: 42)
        var random = (0..<1_001).map { _ in Double(Int64(g.next() % 2_000_001) - 1_000_000) / 7 }
        let cases: [[Double]] = [
            [1, nan, 3], [nan], [nan, nan, nan, nan, nan], [-inf, -inf], [inf], [-inf, inf, 2],
            [-0.0, 0.0], [0.0, -0.0], [1, 2, 3, 4, 5, 6, 7, nan], [nan, 1, 2, 3, 4, 5, 6, 7, 8],
            [5, 4, 3, 2, 1], random,
        ] + [0, 3, 500, 1_000].map { k in random[k] = nan; return random }
        let dir = TempDir(); defer { dir.cleanup() }
        for (k, values) in cases.enumerated() {
            let path = dir.path("c\(k).tape")
            let w = try TapeWriter(path: path)
            let t = try w.declareTable("t", columns: [ColumnDef("k", .int64, nullable: false), ColumnDef("x", .float64, nullable: false)])
            for v in values { try t.append(values: [.int(1), .double(v)]) }
            _ = try w.close()
            let fast = try Query(sql: "SELECT min(x), max(x) FROM t", paths: [path]).rows()
            let grouped = try Query(sql: "SELECT min(x), max(x) FROM t GROUP BY k", paths: [path]).rows()
            #expect("\(fast)" == "\(grouped)", "case \(k): \(values.prefix(12))")
            // And the expected values themselves: NaN orders above every number.
            let numbers = values.filter { !$0.isNaN }
            let hasNaN = numbers.count < values.count
            let wantMax = hasNaN ? nan : numbers.max()!
            let wantMin = numbers.isEmpty ? nan : numbers.min()!
            if case .double(let lo) = fast.first?[0], case .double(let hi) = fast.first?[1] {
                #expect(lo.isNaN == wantMin.isNaN && (lo.isNaN || lo == wantMin), "case \(k) min \(lo)")
                #expect(hi.isNaN == wantMax.isNaN && (hi.isNaN || hi == wantMax), "case \(k) max \(hi)")
            } else {
                Issue.record("case \(k): \(fast)")
            }
        }
    }
}
