import Foundation
import Testing
import Tape
import TapeCodec
import TapeFormat
@testable import TapeCommands
import TapeTestSupport

// `tape report`: the numbers behind each section (drawdown periods, monthly returns, rolling
// statistics, distribution, trades) on hand-made series, the HTML of the three kinds of report,
// errors on bad input, and a memory bound that does not grow with the run.

private let day: Int64 = 86_400_000_000_000, hour: Int64 = 3_600_000_000_000
private let t0: Int64 = 1_704_067_200_000_000_000      // 2024-01-01T00:00:00Z, a Monday

/// A run with an equity table (ts, equity, optional position) given per bar, optional trades
/// (entry, exit, pnl) and metadata.
private func writeRun(_ path: String, bars: [(ts: Int64, equity: Double)], positions: [Int64]? = nil,
                      trades: [(entry: Int64, exit: Int64, pnl: Double)] = [], metadata: [String: String] = [:]) throws {
    let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 4096), metadata: metadata)
    var columns = [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)]
    if positions != nil { columns.append(ColumnDef("position", .int64)) }
    let eq = try w.declareTable("equity", columns: columns)
    for (i, b) in bars.enumerated() {
        var values: [Value] = [.timestamp(b.ts), .double(b.equity)]
        if let positions { values.append(.int(positions[i])) }
        try eq.append(values: values)
    }
    if !trades.isEmpty {
        let tr = try w.declareTable("trades", columns: [ColumnDef("entry_ts", .timestamp), ColumnDef("exit_ts", .timestamp), ColumnDef("pnl", .float64)])
        for t in trades { try tr.append(values: [.timestamp(t.entry), .timestamp(t.exit), .double(t.pnl)]) }
    }
    try w.close()
}

/// Daily bars at noon with these closes.
private func daily(_ closes: [Double], from start: Int64 = t0) -> [(ts: Int64, equity: Double)] {
    closes.enumerated().map { (start + Int64($0.offset) * day + 12 * hour, $0.element) }
}

private func closes(_ values: [Double], from start: Int64 = t0) -> DailyCloses {
    var d = DailyCloses()
    for b in daily(values, from: start) { d.add(ts: b.ts, equity: b.equity) }
    return d
}

/// The sections (`<section id=…>`) of a page, in order.
private func sections(_ page: String) -> [String] {
    page.components(separatedBy: "<section id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
}

/// The HTML of section `id`.
private func section(_ page: String, _ id: String) -> String {
    guard let r = page.range(of: "<section id=\"\(id)\"") else { return "" }
    let rest = page[r.lowerBound...]
    return String(rest[..<(rest.range(of: "</section>")?.upperBound ?? rest.endIndex)])
}

/// Runs `tape report` in-process; returns the page.
private func report(_ args: [String], out: String) throws -> String {
    var command = try TapeCommand.parseAsRoot(["report"] + args + ["--out", out])
    try command.run()
    return try String(contentsOfFile: out, encoding: .utf8)
}

@Suite("tape report: numbers")
struct ReportNumbersTests {
    @Test func dailyClosesKeepTheLastBarOfEachUTCDay() {
        var d = DailyCloses()
        d.add(ts: t0 + 1 * hour, equity: 100)
        d.add(ts: t0 + 23 * hour, equity: 110)
        d.add(ts: t0 + day, equity: 99)              // midnight belongs to the next day
        d.add(ts: t0 + 2 * day, equity: .nan)         // ignored
        d.add(ts: t0 + 3 * day, equity: 121)
        d.add(ts: t0 + 2 * day, equity: 5)            // out of order: left out and counted
        #expect(d.days == [19_723, 19_724, 19_726])
        #expect(d.closes == [110, 99, 121])
        #expect(d.outOfOrderBars == 1)
        let r = d.returns
        #expect(r.days == [19_724, 19_726])
        let expected: [Double] = [99.0 / 110 - 1, 121.0 / 99 - 1]
        #expect(r.values == expected)
    }

    @Test func zeroCloseGivesNoInfiniteReturn() {
        let r = closes([100, 0, 50]).returns
        #expect(r.values == [-1])                     // 50 / 0 - 1 is left out
    }

    @Test func drawdownPeriodsFollowQuantstatsConventions() {
        // peak 100 → 90 (valley 80 on day 3) → back to 100 on day 5; then 120 → 110 → 108, not recovered.
        let d = DrawdownPeriods(closes([100, 90, 95, 80, 99, 100, 120, 110, 108]))
        #expect(d.periods.count == 2)
        let first = d.periods[0], second = d.periods[1]
        #expect((first.start, first.valley, first.end, first.recovery) == (19_724, 19_726, 19_727, 19_728))
        #expect(first.days == 4)
        #expect(first.depth == 80.0 / 100 - 1)
        #expect((second.start, second.valley, second.end, second.recovery) == (19_730, 19_731, 19_731, nil))
        #expect(second.depth == 108.0 / 120 - 1)
        #expect(d.deepest(1) == [first])
        #expect(d.deepest(5).count == 2)
        #expect(DrawdownPeriods(closes([1, 2, 3])).periods.isEmpty)
    }

    @Test func monthlyReturnsCompoundWithinMonthsAndYears() {
        // 2023-12-30 … 2024-02-02: returns in Dec 2023, Jan 2024 and Feb 2024.
        let start = t0 - 2 * day
        var values = [100.0]
        for i in 1...34 { values.append(values[i - 1] * (1 + 0.001 * Double(i % 5 - 2))) }
        let c = closes(values, from: start)
        let m = MonthlyReturns(c.returns)
        #expect(m.years.map(\.year) == [2023, 2024])
        let dec = m.years[0].months[11]!, jan = m.years[1].months[0]!, feb = m.years[1].months[1]!
        // Dec 2023: the return of Dec 31 over Dec 30; Jan: Jan 31 close over Dec 31 close.
        #expect(abs(dec - (values[1] / values[0] - 1)) < 1e-15)
        #expect(abs(jan - (values[32] / values[1] - 1)) < 1e-14)
        #expect(abs(feb - (values[34] / values[32] - 1)) < 1e-14)
        #expect(m.years[1].months[2] == nil)
        #expect(abs(m.years[1].total - (values[34] / values[1] - 1)) < 1e-14)
    }

    @Test func rollingStatisticsEqualTheDirectFormula() {
        let values = (0..<40).map { 0.01 * sin(Double($0) * 1.7) + 0.002 }
        let returns = DailyReturns(days: (0..<40).map { Int64($0) }, values: values)
        let r = RollingStatistics(returns, window: 10, periodsPerYear: 252)
        #expect(r.days == (9..<40).map { Int64($0) })
        for (k, end) in (9..<40).enumerated() {
            let w = Array(values[(end - 9)...end])
            let mean = w.reduce(0, +) / 10
            let sd = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 9).squareRoot()
            #expect(abs(r.volatility[k] - sd * 252.0.squareRoot()) < 1e-12)
            #expect(abs(r.sharpe[k]! - mean / sd * 252.0.squareRoot()) < 1e-12)
        }
        #expect(RollingStatistics(returns, window: 41, periodsPerYear: 252).days.isEmpty)
        let flat = RollingStatistics(DailyReturns(days: [1, 2, 3], values: [0.01, 0.01, 0.01]), window: 2, periodsPerYear: 252)
        #expect(flat.sharpe == [nil, nil])
    }

    @Test func distributionStatisticsEqualPandas() {
        // Expected values from pandas 3.1.1 / numpy 2.4.6 (mean, std, skew, kurt, np.quantile).
        let s = DailyStatistics([0.01, -0.02, 0.03, 0.005, -0.01, 0.04, -0.03, 0.0])
        #expect(s.count == 8)
        #expect(abs(s.mean! - 0.0031249999999999993) < 1e-15)
        #expect(abs(s.std! - 0.023745300286883837) < 1e-15)
        #expect(abs(s.skew! - 0.2685867153488453) < 1e-12)
        #expect(abs(s.kurtosis! - -0.7019865606716276) < 1e-12)
        for (got, want) in zip(s.quantiles, [-0.0265, -0.0125, 0.0025, 0.015, 0.0365]) { #expect(abs(got - want) < 1e-15) }
        #expect(s.positiveShare == 0.5)
        let one = DailyStatistics([0.01])
        #expect(one.std == nil && one.skew == nil && one.kurtosis == nil && one.quantiles == [0.01, 0.01, 0.01, 0.01, 0.01])
        #expect(DailyStatistics([]).mean == nil)
    }

    @Test func tradeAnalysisStreamsHistogramsStreaksAndExtremes() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("t.tape")
        // Entries on Monday 09:00 + k days (k = 0...13), held k hours; pnl alternates sign, growing.
        var trades: [(entry: Int64, exit: Int64, pnl: Double)] = []
        for k in 0..<14 {
            let entry: Int64 = t0 + Int64(k) * day + 9 * hour
            let pnl = Double(k % 3 == 0 ? -k : k)
            trades.append((entry, entry + Int64(k) * hour, pnl))
        }
        try writeRun(path, bars: daily([100, 101]), trades: trades)
        let t = try #require(try TradeAnalysis(reader: TapeReader(path: path), options: MetricsOptions()))
        #expect(t.count == 14)
        #expect(t.wins == 9 && t.losses == 4)          // k = 0 is flat
        let profit: Double = 1 + 2 + 4 + 5 + 7 + 8 + 10 + 11 + 13, loss: Double = -(3 + 6 + 9 + 12)
        #expect(t.grossProfit == profit)
        #expect(t.grossLoss == loss)
        #expect(t.maxWinStreak == 2 && t.maxLossStreak == 1)
        #expect(t.pnlRange == -12...13)
        #expect(t.pnlHistogram.reduce(0, +) == 14)
        #expect(t.pnlHistogram.first == 1 && t.pnlHistogram.last == 1)
        let net = profit + loss
        #expect(t.hourCount[9] == 14)
        #expect(t.hourPnL[9] == net)
        #expect(t.weekdayCount == [2, 2, 2, 2, 2, 2, 2])
        #expect(t.weekdayPnL[0] == 7)              // Mondays: k = 0 and 7
        // Held 0 h (< 1 min), 1 h (1–4 h) ×3, 4–13 h (4–24 h) ×10.
        #expect(t.holding[0] == 1 && t.holding[4] == 3 && t.holding[5] == 10)
        let best: [Double] = [13, 11, 10, 8, 7, 5, 4, 2, 1, 0], worst: [Double] = [-12, -9, -6, -3, 0, 1, 2, 4, 5, 7]
        #expect(t.best.map(\.pnl) == best)
        #expect(t.worst.map(\.pnl) == worst)
        #expect(t.best.first?.row == 13)
    }

    @Test func sweepAxesSortNumbersNumerically() {
        #expect(SweepParameters.axis(["10", "5", "20", "2.5"]) == ["2.5", "5", "10", "20"])
        #expect(SweepParameters.axis(["b", "a", "10"]) == ["10", "a", "b"])
        #expect(SweepParameters.value("slow", in: ["params": "fast=5, slow=20,fee=0.1"]) == "20")
        #expect(SweepParameters.value("fast", in: ["fast": "7", "params": "fast=5"]) == "7")
        #expect(SweepParameters.value("x", in: ["params": "fast=5"]) == nil)
    }

    @Test func histogramBinsClampAndSurviveOverflow() {
        #expect(histogramBin(0, lo: 0, width: 10, bins: 5) == 0)
        #expect(histogramBin(10, lo: 0, width: 10, bins: 5) == 4)            // the last bin is closed
        #expect(histogramBin(3.9, lo: 0, width: 10, bins: 5) == 1)
        #expect(histogramBin(7, lo: 7, width: 0, bins: 5) == 2)
        #expect(histogramBin(1e308, lo: -1e308, width: .infinity, bins: 5) == 4)
        #expect(histogramBin(-1e308, lo: -1e308, width: .infinity, bins: 5) == 0)
    }

    @Test func runStatusComesFromMetadata() {
        #expect(RunStatus(metadata: [:]) == .complete)
        #expect(RunStatus(metadata: ["tape.cancelled": "true"]) == .cancelled)
        #expect(RunStatus(metadata: ["tape.incomplete": "true"]) == .incomplete)
        #expect(RunStatus(metadata: ["tape.recovered": "true"]) == .recovered)
    }
}

@Suite("tape report: pages", .serialized)
struct ReportPageTests {
    /// 300 days of 10 bars each (a wave with a drawdown), positions, and trades.
    func bigRun(_ path: String, metadata: [String: String] = ["strategy": "wave", "symbol": "XYZ", "params": "a=1,b=2"]) throws {
        var bars: [(ts: Int64, equity: Double)] = [], positions: [Int64] = []
        for i in 0..<3_000 {
            bars.append((t0 + Int64(i) * day / 10, 1_000 * (1 + 0.2 * sin(Double(i) / 300)) * (1 + Double(i) / 6_000)))
            positions.append(i % 7 < 3 ? 0 : 5)
        }
        var trades: [(entry: Int64, exit: Int64, pnl: Double)] = []
        for k in 0..<40 {
            let entry: Int64 = t0 + Int64(k) * 7 * day + 14 * hour
            trades.append((entry, entry + 6 * hour, Double(k - 15)))
        }
        try writeRun(path, bars: bars, positions: positions, trades: trades, metadata: metadata)
    }

    @Test func oneRunPageHoldsEverySectionWithCharts() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try bigRun(dir.path("wave.tape"))
        let page = try report([dir.path("wave.tape"), "--json", dir.path("n.json"), "--rolling-window", "30"], out: dir.path("r.html"))
        #expect(sections(page) == ["header", "metrics", "equity", "drawdowns", "monthly", "distribution", "rolling", "trades", "exposure"])
        // Self-contained: no external resource of any kind.
        for needle in ["<link", "src=", "@import", "url(http", "https://"] { #expect(!page.contains(needle), "\(needle)") }
        #expect(page.contains("prefers-color-scheme:dark") && page.contains("@media print"))
        let header = section(page, "header")
        for text in ["wave", "XYZ", "a=1,b=2", "3000", "complete", "2024-01-01 00:00"] { #expect(header.contains(text), "\(text)") }
        #expect(section(page, "metrics").contains("252 periods per year"))
        let equity = section(page, "equity")
        #expect(equity.contains("class=\"logscale\"") && equity.contains("<g class=\"log\">") && equity.contains("data-hover="))
        #expect(equity.contains("class=\"chart underwater\""))
        #expect(section(page, "drawdowns").contains("<td>1</td>"))
        #expect(section(page, "monthly").contains("2024 Mar:"))
        #expect(section(page, "rolling").contains("rolling-sharpe") && section(page, "rolling").contains("Window: 30"))
        let trades = section(page, "trades")
        for cls in ["pnl-histogram", "holding", "pnl-hour", "pnl-weekday", "best-trades", "worst-trades"] { #expect(trades.contains(cls), "\(cls)") }
        #expect(section(page, "exposure").contains("class=\"chart exposure\""))
        // Every polyline drawn has points.
        #expect(!page.contains("points=\"\""))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("n.json")))) as? [String: Any]
        #expect(json?["returnDays"] as? Int == 299)
        #expect((json?["rolling"] as? [Any])?.count == 299 - 30 + 1)
        #expect((json?["monthly"] as? [Any])?.count == 10)
    }

    @Test func runWithoutTradesOrPositionsSaysSo() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try writeRun(dir.path("bare.tape"), bars: daily([100, 101, 99, 102]))
        let page = try report([dir.path("bare.tape")], out: dir.path("r.html"))
        #expect(section(page, "trades").contains("No trades"))
        #expect(section(page, "exposure").contains("no position column"))
        #expect(section(page, "rolling").contains("Fewer than 126 daily returns (3)"))
    }

    @Test func rollingStatisticsAnnualiseLikeTheRunsMetrics() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try writeRun(dir.path("c.tape"), bars: daily((0..<40).map { 100 + sin(Double($0)) }), metadata: ["tape.metrics.periods_per_year": "365"])
        let page = try report([dir.path("c.tape"), "--rolling-window", "10", "--json", dir.path("n.json")], out: dir.path("r.html"))
        #expect(section(page, "rolling").contains("annualised with √365"))
        #expect(section(page, "metrics").contains("365 periods per year"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("n.json")))) as? [String: Any]
        #expect(json?["periodsPerYear"] as? Double == 365)
    }

    /// Equity through zero and below, NaN, infinity and an empty equity table: pages and JSON are
    /// still written, nothing traps.
    @Test func hostileEquityValuesStillGiveAPage() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try writeRun(dir.path("h.tape"), bars: daily([100, 0, -50, 20, .nan, .infinity, 0, 30, 1e308, -1e308, 5]))
        let page = try report([dir.path("h.tape"), "--rolling-window", "2", "--json", dir.path("h.json")], out: dir.path("h.html"))
        #expect(sections(page).count == 9)
        #expect(!section(page, "equity").contains("class=\"logscale\""))       // no log scale below zero
        #expect(FileManager.default.fileExists(atPath: dir.path("h.json")))
        let d = DrawdownPeriods(closes([100, 0, -50, 20, 0, 30]))
        #expect(d.periods.count == 1 && d.periods[0].depth == -1.5)
        let w = try TapeWriter(path: dir.path("empty.tape"))
        _ = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp), ColumnDef("equity", .float64)])
        try w.close()
        let empty = try report([dir.path("empty.tape")], out: dir.path("e.html"))
        #expect(section(empty, "equity").contains("No equity bars"))
        #expect(section(empty, "monthly").contains("no daily returns"))
    }

    @Test func statusAndHostileTextAreShownEscaped() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try writeRun(dir.path("x.tape"), bars: daily([100, 101]),
                     metadata: ["run_id": "<script>alert(1)</script>", "tape.cancelled": "true", "tape.cancelled_reason": "stop & \"go\""])
        let page = try report([dir.path("x.tape")], out: dir.path("r.html"))
        #expect(!page.contains("<script>alert"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(section(page, "header").contains("cancelled (stop &amp; &quot;go&quot;)"))
    }

    @Test func comparisonOverlaysAndCorrelates() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var paths: [String] = []
        for k in 0..<3 {
            let p = dir.path("r\(k).tape")
            try writeRun(p, bars: daily((0..<30).map { 100 * (1 + 0.01 * sin(Double($0 * (k + 1)))) }), metadata: ["run_id": "run\(k)", "strategy": "s"])
            paths.append(p)
        }
        let page = try report(paths, out: dir.path("c.html"))
        #expect(sections(page) == ["comparison", "overlay-equity", "overlay-drawdown", "correlation"])
        let table = section(page, "comparison")
        #expect(table.contains("class=\"sortable comparison\"") && table.components(separatedBy: "<tr>").count == 1 + 3 + 1)
        #expect(section(page, "overlay-equity").components(separatedBy: "<polyline").count == 4)
        #expect(section(page, "overlay-drawdown").components(separatedBy: "<polygon").count == 4)
        let corr = section(page, "correlation")
        #expect(corr.components(separatedBy: "class=\"cell\"").count == 10)
        #expect(corr.contains("run0 × run0: 1.000"))
    }

    @Test func correlationIsPearsonOverCommonDays() {
        let a = DailyReturns(days: [1, 2, 3, 4, 5], values: [0.01, 0.02, -0.01, 0.03, 0.0])
        let b = DailyReturns(days: [2, 3, 4, 6], values: [0.04, -0.02, 0.06, 1])
        let (c, n) = ComparisonReport.pearson(a, b)
        #expect(n == 3)
        #expect(abs(c! - 1) < 1e-12)                      // b = 2a on the common days
        #expect(ComparisonReport.pearson(a, DailyReturns(days: [9], values: [0])).0 == nil)
    }

    @Test func sweepHeatmapMarksMissingCellsAndRanksRuns() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var paths: [String] = []
        for fast in [5, 10, 20] {
            for slow in [50, 100] where !(fast == 20 && slow == 50) {
                let p = dir.path("f\(fast)s\(slow).tape")
                let drift = Double(fast) / Double(slow)
                try writeRun(p, bars: daily((0..<20).map { 100 * (1 + drift * Double($0) / 100) }), metadata: ["run_id": "f\(fast)s\(slow)", "params": "fast=\(fast),slow=\(slow)"])
                paths.append(p)
            }
        }
        // A run without the parameters is left out and counted.
        try writeRun(dir.path("other.tape"), bars: daily([1, 2]))
        let page = try report(paths + [dir.path("other.tape"), "--heatmap", "fast,slow", "--metric", "total_return", "--top", "3"], out: dir.path("s.html"))
        #expect(sections(page) == ["heatmap", "top-runs"])
        let heat = section(page, "heatmap")
        #expect(heat.components(separatedBy: "class=\"cell\"").count == 6)
        #expect(heat.components(separatedBy: "class=\"cell missing\"").count == 2)
        #expect(heat.contains("fast=20, slow=50: no run"))
        #expect(heat.contains("1 run without fast or slow or total_return left out"))
        // Columns 5, 10, 20 in numeric order.
        let five = try #require(heat.range(of: ">5</text>")), ten = try #require(heat.range(of: ">10</text>")), twenty = try #require(heat.range(of: ">20</text>"))
        #expect(five.lowerBound < ten.lowerBound && ten.lowerBound < twenty.lowerBound)
        let top = section(page, "top-runs")
        #expect(top.components(separatedBy: "<tr>").count == 1 + 1 + 3)     // header row + 3 runs
        #expect(top.contains("f20s100") && top.contains("f10s50") && !top.contains("f5s100"))
        // Names from the command line are escaped too.
        let odd = try report(paths + ["--heatmap", "fast,slow", "--metric", "<i>m"], out: dir.path("o.html"))
        #expect(!odd.contains("<i>m") && odd.contains("&lt;i&gt;m"))
        // One parameter: a line.
        let line = try report(paths + ["--heatmap", "fast"], out: dir.path("l.html"))
        #expect(section(line, "heatmap").contains("class=\"chart sweep-line\""))
        #expect(section(line, "heatmap").components(separatedBy: "<circle").count == 4)
    }

    @Test func badInputGivesClearErrors() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try writeRun(dir.path("a.tape"), bars: daily([1, 2]))
        try writeRun(dir.path("b.tape"), bars: daily([1, 2]))
        #expect(throws: (any Error).self) { try TapeCommand.parseAsRoot(["report", dir.path("a.tape"), "--out", "x", "--heatmap", "a,b,c"]) }
        #expect(throws: (any Error).self) { try TapeCommand.parseAsRoot(["report", dir.path("a.tape"), "--out", "x", "--rolling-window", "1"]) }
        let several = runTapeReport([dir.path("a.tape"), dir.path("b.tape"), "--json", dir.path("j"), "--out", dir.path("o.html")])
        #expect(several.status != 0 && several.stderr.contains("--json writes the numbers of a one-run report"))
        // No equity table.
        let w = try TapeWriter(path: dir.path("noeq.tape"))
        let t = try w.declareTable("prices", columns: [ColumnDef("ts", .timestamp)])
        try t.append(values: [.timestamp(t0)])
        try w.close()
        let noEquity = runTapeReport([dir.path("noeq.tape"), "--out", dir.path("o.html")])
        #expect(noEquity.status != 0 && noEquity.stderr.contains("no table 'equity'"))
        // A string equity column.
        let w2 = try TapeWriter(path: dir.path("str.tape"))
        let t2 = try w2.declareTable("equity", columns: [ColumnDef("ts", .timestamp), ColumnDef("equity", .string)])
        try t2.append(values: [.timestamp(t0), .string("lots")])
        try w2.close()
        let strings = runTapeReport([dir.path("str.tape"), "--out", dir.path("o.html")])
        #expect(strings.status != 0 && strings.stderr.contains("numeric column 'equity'"))
        // A damaged file among several is skipped with a warning and exit status 1; the page is written.
        try Data("not a tape file".utf8).write(to: URL(fileURLWithPath: dir.path("bad.tape")))
        let mixed = runTapeReport([dir.path("a.tape"), dir.path("b.tape"), dir.path("bad.tape"), "--out", dir.path("m.html")])
        #expect(mixed.status == 1 && mixed.stderr.contains("warning: skipping"))
        #expect(FileManager.default.fileExists(atPath: dir.path("m.html")))
    }

    func runTapeReport(_ args: [String]) -> TapeOutcome {
        (try? runTape(["report"] + args)) ?? TapeOutcome(status: -1, stdout: "", stderr: "tape did not run")
    }

    /// Memory does not grow with the run: the peak RSS of reporting a 400,000-bar run (demo: equity
    /// with positions, trades) stays within 4 MB of that of a 40,000-bar run, and under 64 MB.
    @Test func memoryDoesNotGrowWithTheRun() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let exe = try #require(tapeExecutable())
        var peaks: [Int] = []
        for bars in [40_000, 400_000] {
            let run = dir.path("d\(bars)")
            #expect(try runProcess(exe, ["demo", run, "--bars", String(bars)]).status == 0)
            let out = try runProcess("/usr/bin/time", ["-f", "PEAK_KB=%M", exe, "report", run + "/demo.tape", "--out", dir.path("r\(bars).html")])
            #expect(out.status == 0, "\(out.stderr)")
            let line = try #require(out.stderr.split(separator: "\n").last { $0.hasPrefix("PEAK_KB=") })
            peaks.append(try #require(Int(line.dropFirst("PEAK_KB=".count))))
        }
        print("tape report peak RSS: 40k bars \(peaks[0]) KB, 400k bars \(peaks[1]) KB")
        #expect(peaks[1] < peaks[0] + 4 * 1024)
        #expect(peaks[1] < 64 * 1024)
    }
}
