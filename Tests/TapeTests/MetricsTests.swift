import Foundation
import Testing
@testable import Tape
import TapeCodec
import TapeFormat
import TapeTestSupport

// Run metrics: computed while writing, stored in footer section 1, cross-checked against
// empyrical's values (Fixtures/empyrical_metrics.json, made by tools/metrics/gen_empyrical_fixture.py).

/// One curve of the empyrical fixture.
struct EmpyricalCase: Decodable, CustomTestStringConvertible, Sendable {
    var name: String
    var options: [String: Scalar]
    var ts: [Int64]
    var equity: [Double]
    var expected: [String: Double?]
    var testDescription: String { name }

    /// A JSON number or string option.
    enum Scalar: Decodable, Sendable {
        case number(Double), text(String)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .text(try c.decode(String.self)) }
        }
        var text: String {
            switch self {
            case .number(let d): return String(d)
            case .text(let s): return s
            }
        }
    }

    static let all: [EmpyricalCase] = {
        struct File: Decodable { var cases: [EmpyricalCase] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/empyrical_metrics.json")
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return file.cases
    }()
}

private let equityColumns = [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64, nullable: false)]

/// Writes `ts`/`equity` row by row into a new run with the given metadata and returns its metrics.
private func metricsOfCurve(_ dir: TempDir, _ name: String, ts: [Int64], equity: [Double], metadata: [String: String] = [:],
                            rowsPerChunk: Int = 7) throws -> RunMetrics? {
    let path = dir.path(name + ".tape")
    let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: rowsPerChunk), metadata: metadata)
    let t = try w.declareTable("equity", columns: equityColumns)
    for (a, b) in zip(ts, equity) {
        try t.appendRow { r in try r.set(0, timestamp: a); try r.set(1, double: b) }
    }
    let summary = try w.close()
    let stored = try TapeReader(path: path).metrics
    #expect(summary.metrics == stored)
    return stored
}

/// |a - b| within 1e-9 relative (1e-12 absolute near zero).
private func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * abs(b) + 1e-12 }

@Suite("Run metrics")
struct MetricsTests {
    @Test func fixtureIsPresent() {
        #expect(EmpyricalCase.all.count >= 8)
    }

    @Test("metrics match empyrical to 1e-9", arguments: EmpyricalCase.all)
    func matchesEmpyrical(_ c: EmpyricalCase) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var meta: [String: String] = [:]
        for (k, v) in c.options { meta["tape.metrics.\(k)"] = v.text }
        let m = try #require(try metricsOfCurve(dir, c.name, ts: c.ts, equity: c.equity, metadata: meta))
        #expect(m.number("bars") == Double(c.ts.count))
        #expect(m["start"] == .timestamp(c.ts[0]) && m["end"] == .timestamp(c.ts[c.ts.count - 1]))
        for (key, expected) in c.expected {
            let got = m.number(key)
            if let expected {
                #expect(got.map { close($0, expected) } == true, "\(c.name).\(key): tape \(String(describing: got)), empyrical \(expected)")
            } else {
                #expect(got == nil, "\(c.name).\(key) is undefined for empyrical but tape stored \(String(describing: got))")
            }
        }
    }

    @Test func cagrIsOverCalendarTimeNotCountedPeriods() throws {
        // FX bars Sunday to Friday: 626 daily returns in two years. Counted periods / 252 would call
        // that 2.48 years and read ~10%; calendar time reads the 12.5% the curve grows a year.
        let dir = TempDir(); defer { dir.cleanup() }
        let c = try #require(EmpyricalCase.all.first { $0.name == "fx_sunday_bars" })
        let m = try #require(try metricsOfCurve(dir, c.name, ts: c.ts, equity: c.equity, rowsPerChunk: 64))
        #expect(abs((m.number("cagr") ?? 0) - 0.125) < 1e-12)
        let counted = pow(c.equity.last! / c.equity[0], 252 / Double(m.number("periods") ?? 1)) - 1
        #expect(abs(counted - 0.10) < 0.005)
        #expect(m.number("periods_per_year") == 252)
    }

    @Test func oldExpectancyReadsAsExpectancyR() throws {
        // A section written before expectancy_r existed: expectancy was avg_trade / |avg_loss|.
        let old = RunMetrics(entries: [("avg_trade", .double(10)), ("avg_loss", .double(-15)), ("expectancy", .double(2.0 / 3))])
        let read = try RunMetrics(section: old.sectionBytes())
        #expect(read.number("expectancy") == 10 && read.number("expectancy_r") == 2.0 / 3)
        let now = RunMetrics(entries: [("avg_trade", .double(10)), ("avg_loss", .double(-15)), ("expectancy_r", .double(2.0 / 3)),
                                       ("expectancy", .double(10))])
        #expect(try RunMetrics(section: now.sectionBytes()) == now)
    }

    @Test func chunkBoundariesAndBatchAppendsGiveIdenticalMetrics() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let c = try #require(EmpyricalCase.all.first { $0.name == "intraday_hourly" })
        let byRow = try metricsOfCurve(dir, "rows", ts: c.ts, equity: c.equity, rowsPerChunk: 3)
        let path = dir.path("batch.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 50))
        try w.declareTable("equity", columns: equityColumns).append(columns: [
            ColumnData(type: .timestamp, storage: .int64(c.ts)), ColumnData(type: .float64, storage: .float64(c.equity)),
        ])
        try w.close()
        #expect(byRow != nil)
        #expect(try TapeReader(path: path).metrics == byRow)
    }

    @Test func tradeMetricsAndExposure() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("t.tape")
        let day: Int64 = 86_400_000_000_000, t0: Int64 = 1_704_067_200_000_000_000
        let w = try TapeWriter(path: path)
        let eq = try w.declareTable("equity", columns: equityColumns + [ColumnDef("position", .int64)])
        for i in 0..<10 {
            try eq.appendRow { r in
                try r.set(0, timestamp: t0 + Int64(i) * day); try r.set(1, double: 100 + Double(i))
                if i != 9 { try r.set(2, int: i % 4 == 0 ? 0 : 5) }   // row 9: null position is not a bar with a position
            }
        }
        let tr = try w.declareTable("trades", columns: [ColumnDef("entry_ts", .timestamp), ColumnDef("exit_ts", .timestamp),
                                                        ColumnDef("pnl", .float64)])
        for pnl in [30.0, -10, 0, 50, -20] { try tr.append(values: [.timestamp(t0), .timestamp(t0 + day), .double(pnl)]) }
        try w.close()
        let m = try #require(try TapeReader(path: path).metrics)
        #expect(m["trades"] == .int(5))
        #expect(m.number("win_rate") == 0.4)
        #expect(m.number("best_trade") == 50 && m.number("worst_trade") == -20)
        #expect(m.number("avg_trade") == 10)
        #expect(m.number("avg_win") == 40 && m.number("avg_loss") == -15)
        #expect(m.number("profit_factor") == 80.0 / 30.0)
        #expect(m.number("expectancy") == 10)                // currency per trade, as quantstats/backtrader
        #expect(m.number("expectancy_r") == 10.0 / 15.0)     // in units of the average loss
        #expect(m.number("exposure") == 6.0 / 9.0)      // rows 1,2,3,5,6,7 of the 9 with a position
        #expect(m.number("total_return") == 109.0 / 100.0 - 1)
        #expect(m.number("bar_max_drawdown") == 0 && m.number("max_drawdown_days") == 0)
    }

    @Test func exposureFromTradeTimesWithoutAPositionColumn() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("x.tape")
        let hour: Int64 = 3_600_000_000_000
        let w = try TapeWriter(path: path)
        let eq = try w.declareTable("equity", columns: equityColumns)
        for i in 0..<11 { try eq.append(values: [.timestamp(Int64(i) * hour), .double(i == 5 ? 90 : 100)]) }
        let tr = try w.declareTable("trades", columns: [ColumnDef("entry_ts", .timestamp), ColumnDef("exit_ts", .timestamp),
                                                        ColumnDef("pnl", .float64)])
        try tr.append(values: [.timestamp(hour), .timestamp(3 * hour), .double(1)])
        try tr.append(values: [.timestamp(6 * hour), .timestamp(8 * hour), .double(-1)])
        try w.close()
        let m = try #require(try TapeReader(path: path).metrics)
        #expect(m.number("exposure") == 0.4)                  // 4 h of 10 h
        #expect(m.number("bar_max_drawdown") == 90.0 / 100 - 1)
        #expect(m.number("max_drawdown_days") == 2.0 / 24)     // from the peak at 4 h to the recovery at 6 h
        #expect(m["periods"] == .int(0) && m["sharpe"] == nil) // one UTC day: no daily return
    }

    @Test func sectionRoundTripsAndSkipsUnknownKinds() throws {
        let m = RunMetrics(entries: [("start", .timestamp(-5)), ("bars", .int(3)), ("sharpe", .double(-1.25))])
        #expect(try RunMetrics(section: m.sectionBytes()) == m)
        var bytes = m.sectionBytes()
        bytes[1] = 4                                          // one more entry, of an unknown kind 9
        var w = ByteWriter()
        w.writeString("future_metric"); w.writeU8(9); w.writeU64(42)
        bytes += w.bytes
        #expect(try RunMetrics(section: bytes) == m)
        #expect(throws: FormatError.self) { try RunMetrics(section: [2, 0]) }          // unknown version
        #expect(throws: FormatError.self) { try RunMetrics(section: Array(m.sectionBytes().dropLast())) }
        let json = try JSONEncoder().encode(m)
        #expect(String(decoding: json, as: UTF8.self).contains("\"bars\":3"))
        #expect(try JSONDecoder().decode(RunMetrics.self, from: json) == m)
    }

    @Test func invalidMetadataStoresAnErrorInsteadOfMetrics() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let c = try #require(EmpyricalCase.all.first)
        let path = dir.path("bad.tape")
        let w = try TapeWriter(path: path, metadata: ["tape.metrics.periods_per_year": "lots"])
        let t = try w.declareTable("equity", columns: equityColumns)
        for (a, b) in zip(c.ts, c.equity) { try t.append(values: [.timestamp(a), .double(b)]) }
        let summary = try w.close()
        let r = try TapeReader(path: path)
        #expect(try r.metrics == nil && summary.metrics == nil)
        #expect(r.footer.metadataValue("tape.metrics.error")?.contains("tape.metrics.periods_per_year") == true)
        #expect(r.tables[0].rowCount == c.ts.count)
    }

    @Test func disabledMetricsAndRunsWithoutEquityStoreNoSection() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let c = try #require(EmpyricalCase.all.first { $0.name == "drawdown_heavy" })
        let path = dir.path("off.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(metrics: nil))
        let t = try w.declareTable("equity", columns: equityColumns)
        for (a, b) in zip(c.ts, c.equity) { try t.append(values: [.timestamp(a), .double(b)]) }
        try w.close()
        let r = try TapeReader(path: path)
        #expect(try r.metrics == nil)
        // Computed on the fly for a run without stored metrics: the same as stored ones.
        let computed = try r.metricsStoredOrComputed()
        let stored = try metricsOfCurve(dir, "on", ts: c.ts, equity: c.equity)
        #expect(computed == stored)
        let other = dir.path("other.tape")
        let w2 = try TapeWriter(path: other)
        try w2.declareTable("decisions", columns: equityColumns).append(values: [.timestamp(0), .double(1)])
        try w2.close()
        #expect(try TapeReader(path: other).footer.sections.isEmpty)
    }

    @Test func compactionCarriesTheMetricsSectionOver() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let c = try #require(EmpyricalCase.all.first { $0.name == "intraday_hourly" })
        let before = try metricsOfCurve(dir, "run", ts: c.ts, equity: c.equity)
        let path = dir.path("run.tape")
        _ = try Compactor.compact(path: path, options: CompactionOptions(downsample: ["equity": 86_400_000_000_000]))
        let r = try TapeReader(path: path)
        #expect(r.tables[0].rowCount == 20)                   // downsampled to one bar a day...
        let after = try r.metrics
        #expect(before != nil && after == before)             // ...but the run's metrics are kept
    }
}
