import Foundation
import Testing
@testable import Tape
import TapeCodec
import TapeFormat
import TapeTestSupport

// MetricsOptions.column(_:in:): the metric columns are found by their configured name, then
// case-insensitively, then by common backtester names; a run whose tables cannot feed the metrics
// says why in tape.metrics.error.

@Suite struct MetricsColumnResolutionTests {
    private func schema(_ columns: [(String, ColumnType)]) throws -> Schema {
        try Schema(columns.map { ColumnDef($0.0, $0.1) })
    }

    @Test func backtestingPyNamesResolve() throws {
        let o = MetricsOptions()
        let equity = try schema([("index", .timestamp), ("Equity", .float64), ("DrawdownPct", .float64)])
        #expect(o.column(.time, in: equity) == 0)      // the first timestamp column
        #expect(o.column(.equity, in: equity) == 1)
        #expect(o.column(.position, in: equity) == nil)
        let trades = try schema([("Size", .int64), ("PnL", .float64), ("EntryTime", .timestamp), ("ExitTime", .timestamp)])
        #expect(o.column(.pnl, in: trades) == 1)
        #expect(o.column(.entry, in: trades) == 2)
        #expect(o.column(.exit, in: trades) == 3)
    }

    @Test(arguments: [("value", MetricsOptions.Role.equity), ("Portfolio Value", .equity), ("profit", .pnl),
                      ("Entry Timestamp", .entry), ("exit-time", .exit), ("Date", .time)])
    func commonNamesResolve(name: String, role: MetricsOptions.Role) throws {
        let type: ColumnType = [.time, .entry, .exit].contains(role) ? .timestamp : .float64
        #expect(MetricsOptions().column(role, in: try schema([("other", .string), (name, type)])) == 1)
    }

    @Test func exactNameWinsAndTypesMustFit() throws {
        let o = MetricsOptions()
        #expect(o.column(.equity, in: try schema([("Equity", .float64), ("equity", .float64)])) == 1)
        #expect(o.column(.equity, in: try schema([("equity", .string)])) == nil)
        #expect(o.column(.time, in: try schema([("ts", .int64)])) == nil)
    }

    @Test func anExplicitNameTurnsAliasesOff() throws {
        let o = try MetricsOptions().applying(metadata: [("tape.metrics.equity_column", "NAV_usd")])
        #expect(o.column(.equity, in: try schema([("value", .float64), ("nav_USD", .float64)])) == 1)
        #expect(o.column(.equity, in: try schema([("value", .float64)])) == nil)
        #expect(o.missing(.equity, table: "equity") == "table 'equity' has no numeric equity column (looked for NAV_usd, any case; set metadata tape.metrics.equity_column)")
    }

    @Test func aRunWithCapitalisedColumnsGetsMetricsAndOneWithoutSaysWhy() throws {
        let dir = TempDir()
        let good = try TapeWriter(path: dir.path("good.tape"))
        let eq = try good.declareTable("equity", columns: [ColumnDef("Time", .timestamp), ColumnDef("Equity", .float64)])
        for i in 0..<3 { try eq.appendRow { r in try r.set(0, timestamp: Int64(i) * 86_400_000_000_000); try r.set(1, double: 100 + Double(i)) } }
        let summary = try good.close()
        #expect(summary.metrics?.number("final_equity") == 102)
        #expect(summary.metadata["tape.metrics.error"] == nil)

        let bad = try TapeWriter(path: dir.path("bad.tape"))
        let eq2 = try bad.declareTable("equity", columns: [ColumnDef("ts", .timestamp), ColumnDef("cash", .float64)])
        try eq2.appendRow { r in try r.set(0, timestamp: 0); try r.set(1, double: 1) }
        let s2 = try bad.close()
        #expect(s2.metadata["tape.metrics.error"]?.contains("table 'equity' has no numeric equity column") == true)
        #expect(try TapeReader(path: dir.path("bad.tape")).metadata.contains { $0.key == "tape.metrics.error" })
    }
}
