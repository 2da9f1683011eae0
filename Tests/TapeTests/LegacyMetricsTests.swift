import Foundation
import Testing
@testable import Tape

/// Metrics stored by writers before calendar CAGR (no periods_per_year) are read under the
/// current conventions from what they store.
@Suite("legacy metric conventions")
struct LegacyMetricsTests {
    static let day: Int64 = 86_400_000_000_000
    static let start: Int64 = 1_577_836_800_000_000_000   // 2020-01-01
    static func legacy() -> RunMetrics {
        RunMetrics(entries: [
            ("start", .timestamp(start)), ("end", .timestamp(start + 366 * day)), ("bars", .int(253)), ("periods", .int(252)),
            ("initial_equity", .double(100)), ("final_equity", .double(121)), ("total_return", .double(0.21)),
            ("cagr", .double(0.2)), ("sharpe", .double(1.5)), ("calmar", .double(2)), ("max_drawdown", .double(-0.1)),
            ("trades", .int(4)), ("avg_trade", .double(3)), ("avg_loss", .double(-6)),
        ])
    }

    @Test("cagr over calendar time and calmar from it; other metrics and current ones untouched")
    func upgrade() throws {
        let m = Self.legacy()
        #expect(m.hasLegacyCAGR)
        let u = m.upgradingLegacyCAGR()
        let years = 366.0 / 365.25
        let cagr = pow(1.21, 1 / years) - 1
        #expect(abs(try #require(u.number("cagr")) - cagr) < 1e-15)
        #expect(abs(try #require(u.number("calmar")) - cagr / 0.1) < 1e-13)
        #expect(u["sharpe"] == .double(1.5) && u["bars"] == .int(253))
        #expect(u.names == ["start", "end", "bars", "periods", "initial_equity", "final_equity", "total_return", "cagr", "sharpe",
                            "calmar", "max_drawdown", "trades", "avg_trade", "avg_loss"])
        // Metrics under the current conventions (they store periods_per_year) are left alone.
        var current = m
        current.entries.insert(("periods_per_year", .double(252)), at: 4)
        #expect(!current.hasLegacyCAGR && current.upgradingLegacyCAGR() == current)
        // A legacy run whose bars span no time has no calendar cagr (and so no calmar).
        var flat = m
        flat.entries[1] = ("end", .timestamp(Self.start))
        let f = flat.upgradingLegacyCAGR()
        #expect(f["cagr"] == nil && f["calmar"] == nil)
        #expect(RunMetrics().upgradingLegacyCAGR() == RunMetrics())
        // Read from a metrics section (as every reader does): upgraded there.
        let decoded = try RunMetrics(section: m.sectionBytes())
        #expect(decoded == u)
    }
}
