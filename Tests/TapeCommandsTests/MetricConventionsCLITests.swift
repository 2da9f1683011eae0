import Foundation
import Tape
import TapeTestSupport
import Testing

/// The metric conventions as the CLI shows them (issue 14, "Conventions a quant can trust"):
/// `tape info` states them, `tape summary` shows both drawdowns by default, and the completion
/// scripts README documents exist. (The numbers themselves: MetricsTests, against empyrical.)
@Suite("metric conventions in the CLI")
struct MetricConventionsCLITests {
    @Test("summary shows the daily and the bar-level max drawdown by default, equal to the stored metrics")
    func bothDrawdownsByDefault() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        #expect(try runTape(["demo", dir.path("d"), "--bars", "4000"]).status == 0)
        let path = dir.path("d/demo.tape")
        let stored = try #require(try TapeReader(path: path).metrics)
        let json = try runTape(["summary", path, "-f", "json"])
        for name in ["max_drawdown", "bar_max_drawdown"] {
            // The printed digits (Foundation's JSON parser may round them on Linux).
            let match = try #require(json.stdout.firstMatch(of: Regex("\"\(name)\":(-?[0-9.e-]+)")), "\(name) not among the default columns: \(json.stdout)")
            #expect(Double(String(match.output[1].substring ?? "")) == stored.number(name), "\(name)")
        }
        // The bar-level one sees intraday dips the daily closes do not: never shallower.
        #expect((stored.number("bar_max_drawdown") ?? 0) <= (stored.number("max_drawdown") ?? 0))
        let table = try runTape(["summary", path])
        #expect(table.stdout.contains("max_drawdown") && table.stdout.contains("bar_max_drawdown"))
    }

    @Test("info states each convention: periods, annualisation, calendar cagr, both drawdowns, expectancy in currency and in R")
    func infoStatesConventions() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        #expect(try runTape(["demo", dir.path("d"), "--bars", "4000"]).status == 0)
        let info = try runTape(["info", dir.path("d/demo.tape")]).stdout
        for phrase in ["metric conventions:", "daily returns: last equity of each UTC day", "P = 252 periods a year",
                       "cagr: (final / initial equity)^(1 / years) - 1 over calendar time", "bar_max_drawdown: on every bar",
                       "expectancy: mean pnl per trade (currency)", "expectancy_r: avg_trade / |avg_loss|"] {
            #expect(info.contains(phrase), "\(phrase)")
        }
    }

    @Test("the shell completion scripts README documents are generated for bash, zsh and fish")
    func completionScripts() throws {
        for shell in ["bash", "zsh", "fish"] {
            let r = try runTape(["--generate-completion-script", shell])
            #expect(r.status == 0 && r.stdout.contains("summary") && r.stdout.contains("recover"), "\(shell): \(r.stderr)")
        }
        let readme = try String(contentsOf: HelpReferenceTests.readme, encoding: .utf8)
        #expect(readme.contains("tape --generate-completion-script bash >"))
    }
}
