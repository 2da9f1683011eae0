import Foundation
import Testing
import Tape
import TapeTestSupport

/// `tape info` shows the metrics stored at close, in text and JSON, equal to the library's.
@Suite struct InfoMetricsTests {
    @Test func infoPrintsStoredMetrics() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let o = try runTape(["demo", dir.path("d"), "--bars", "4000"])
        #expect(o.status == 0)
        let path = dir.path("d/demo.tape")
        let stored = try #require(try TapeReader(path: path).metrics)
        let text = try runTape(["info", path])
        #expect(text.stdout.contains("metrics:\n  start = 2024-01-01T00:00:00Z\n"))
        #expect(text.stdout.contains("  bars = 4000\n"))
        let json = try runTape(["info", path, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let metrics = try #require(object["metrics"] as? [String: Any])
        #expect((metrics["sharpe"] as? NSNumber)?.doubleValue == stored.number("sharpe"))
        #expect((metrics["trades"] as? NSNumber)?.int64Value == Int64(stored.number("trades") ?? -1))
    }
}
