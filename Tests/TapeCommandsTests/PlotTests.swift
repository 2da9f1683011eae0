import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Tape
@testable import TapeCommands
import TapeTestSupport

// `tape plot`: well-formed SVG whose drawn extremes map back to the data's true extremes, even a
// one-bar spike between pixel columns; legends for several runs; nice ticks.

/// Elements of an SVG document: name, attributes and text.
private final class SVGElements: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String], text: String)] = []
    private var open: [Int] = []
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        open.append(elements.count)
        elements.append((name, attributes, ""))
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let i = open.last, elements[i].name == "text" { elements[i].text += string }
    }

    /// Parses `svg`; nil when it is not well-formed XML.
    static func parse(_ svg: String) -> SVGElements? {
        let p = XMLParser(data: Data(svg.utf8))
        let d = SVGElements()
        p.delegate = d
        return p.parse() ? d : nil
    }

    /// The (x, y) points of the `points` attribute of elements with class `cls`.
    func points(_ cls: String) -> [[(x: Double, y: Double)]] {
        elements.filter { $0.attributes["class"] == cls }.map { e in
            (e.attributes["points"] ?? "").split(separator: " ").map { pair in
                let xy = pair.split(separator: ",").map { Double($0)! }
                return (xy[0], xy[1])
            }
        }
    }
}

private let minute: Int64 = 60_000_000_000, t0: Int64 = 1_704_067_200_000_000_000

/// A run of `bars` 1-minute bars: a gentle wave, one bar at `spike` at 3× and one at `dip` at 0.3×.
private func writeCurve(_ path: String, bars: Int, spike: Int, dip: Int, base: Double = 1000, metadata: [String: String] = [:]) throws -> [Double] {
    let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 1024), metadata: metadata)
    let eq = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
    var values: [Double] = []
    for i in 0..<bars {
        var v = base + 50 * sin(Double(i) / 700)
        if i == spike { v *= 3 }
        if i == dip { v *= 0.3 }
        values.append(v)
        try eq.append(values: [.timestamp(t0 + Int64(i) * minute), .double(v)])
    }
    let tr = try w.declareTable("trades", columns: [ColumnDef("entry_ts", .timestamp), ColumnDef("exit_ts", .timestamp), ColumnDef("pnl", .float64)])
    try tr.append(values: [.timestamp(t0 + 100 * minute), .timestamp(t0 + 900 * minute), .double(1)])
    try w.close()
    return values
}

@Suite("tape plot")
struct PlotTests {
    @Test func extremesSurviveDownsamplingAndMapBack() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        // 10,007 bars on ~200 pixel columns: ~50 bars per column; the spike and dip are single bars.
        let values = try writeCurve(path, bars: 10_007, spike: 5_013, dip: 7_777)
        let chart = SVGChart(width: 300, height: 240, title: "spike & dip <test>")
        let data = try PlotData(paths: [path], columns: chart.plotColumns, normalize: false, trades: true)
        let (svg, equityAxis, ddAxis) = chart.render(data, normalized: false)
        let doc = try #require(SVGElements.parse(svg), "the SVG is not well-formed XML")
        let line = try #require(doc.points("equity").first)
        #expect(line.count <= 4 * chart.plotColumns)                 // bounded by the width, not the bars
        let tolerance = 0.006                                        // coordinates have 2 decimals
        let topValue = equityAxis.value(atY: line.map(\.y).min()!)
        #expect(abs(topValue - values.max()!) <= tolerance * equityAxis.valuePerPixel)
        let bottomValue = equityAxis.value(atY: line.map(\.y).max()!)
        #expect(abs(bottomValue - values.min()!) <= tolerance * equityAxis.valuePerPixel)
        // Deepest drawdown: the dip against the running peak (the spike).
        var peak = -Double.infinity, deepest = 0.0
        for v in values { peak = max(peak, v); deepest = min(deepest, v / peak - 1) }
        let band = try #require(doc.points("drawdown").first)
        #expect(abs(ddAxis.value(atY: band.map(\.y).max()!) - deepest) <= tolerance * ddAxis.valuePerPixel)
        #expect(doc.elements.contains { $0.name == "text" && $0.text == "spike & dip <test>" })
        #expect(doc.elements.filter { $0.attributes["class"] == "entry long" }.count == 1)
        #expect(doc.elements.filter { $0.attributes["class"] == "exit win" }.count == 1)
    }

    @Test func severalRunsGetALegendAndNormalizeStartsAtOne() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        for (k, name) in ["alpha", "beta", "gamma"].enumerated() {
            _ = try writeCurve(dir.path("\(name).tape"), bars: 3_000, spike: 100 * (k + 1), dip: 2_000, base: 1000 * Double(k + 1))
        }
        let out = dir.path("runs.svg")
        var command = try TapeCommand.parseAsRoot(["plot", dir.path("*.tape"), "--out", out, "--normalize", "--width", "640", "--height", "400"])
        try command.run()
        let doc = try #require(SVGElements.parse(try String(contentsOfFile: out, encoding: .utf8)))
        #expect(doc.elements.filter { $0.attributes["class"] == "legend-entry" }.map(\.text) == ["alpha", "beta", "gamma"])
        #expect(doc.points("equity").count == 3 && doc.points("drawdown").count == 3)
        #expect(doc.elements.first?.attributes["width"] == "640")
        let chart = SVGChart(width: 640, height: 400, title: nil)
        let data = try PlotData(paths: ["alpha", "beta", "gamma"].map { dir.path("\($0).tape") }, columns: chart.plotColumns, normalize: true, trades: false)
        let axis = chart.render(data, normalized: true).equity
        for line in doc.points("equity") {                     // every run starts at 1.0
            #expect(abs(axis.value(atY: line[0].y) - 1) <= 0.006 * axis.valuePerPixel)
        }
        #expect(throws: (any Error).self) {
            var c = try TapeCommand.parseAsRoot(["plot", dir.path("*.tape"), "--out", out, "--trades"])
            try c.run()
        }
    }

    @Test("--from/--to cut the x axis and the rows drawn, --where filters the equity rows, --columns is refused")
    func rowSelection() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        // Spike at bar 500, dip at bar 2,500; the trade enters at bar 100 and exits at bar 900.
        let values = try writeCurve(path, bars: 3_000, spike: 500, dip: 2_500)
        func extremes(_ options: [String]) throws -> (data: PlotData, hi: Double, lo: Double) {
            let data = try PlotData(paths: [path], columns: 200, normalize: false, trades: true,
                                    selection: try RowSelectionOptions.parse(options))
            let buckets = data.curves[0].buckets.buckets.compactMap { $0 }
            return (data, buckets.map(\.max.v).max() ?? .nan, buckets.map(\.min.v).min() ?? .nan)
        }
        let all = try extremes([])
        #expect(all.hi == values.max()! && all.lo == values.min()! && all.data.markers.count == 2)
        // Bars 1,000..<2,000: neither the spike nor the dip, and no trade marker.
        let from = Timestamps.format(t0 + 1_000 * minute), to = Timestamps.format(t0 + 2_000 * minute)
        let cut = try extremes(["--from", from, "--to", to])
        #expect(cut.data.start == t0 + 1_000 * minute && cut.data.end == t0 + 2_000 * minute)
        #expect(cut.hi == values[1_000..<2_000].max()! && cut.lo == values[1_000..<2_000].min()!)
        #expect(cut.data.markers.isEmpty)
        // --where over the equity table's columns: the spike is filtered out, the dip kept.
        let filtered = try extremes(["--where", "equity < 2000"])
        #expect(filtered.hi == values.filter { $0 < 2000 }.max()! && filtered.lo == values.min()!)
        // Through the command: a bad condition points into the option, --columns is refused.
        let bad = try runTape(["plot", path, "-o", dir.path("p.svg"), "--where", "equty < 1"])
        #expect(bad.status != 0 && bad.stderr.contains("--where") && bad.stderr.contains("equty"), "\(bad.stderr)")
        let columns = try runTape(["plot", path, "-o", dir.path("p.svg"), "--columns", "equity"])
        #expect(columns.status == 64 && columns.stderr.contains("--columns does not apply"), "\(columns.stderr)")
        let ok = try runTape(["plot", path, "-o", dir.path("p.svg"), "--from", from, "--where", "equity > 0"])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func tradeMarkersShowSideAndOutcomeAndTheTitleDefaultsToTheRun() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("markers.tape")
        let w = try TapeWriter(path: path, metadata: ["strategy": "breakout", "symbol": "ES"])
        let eq = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
        for i in 0..<2_000 { try eq.append(values: [.timestamp(t0 + Int64(i) * minute), .double(100 + Double(i % 50))]) }
        let tr = try w.declareTable("trades", columns: [ColumnDef("entry_ts", .timestamp), ColumnDef("exit_ts", .timestamp),
                                                        ColumnDef("side", .string), ColumnDef("pnl", .float64)])
        for (k, side, pnl) in [(0, "long", 5.0), (1, "SHORT", -2.0), (2, "sell", 3.0), (3, "buy", -1.0)] {
            let a = t0 + Int64(100 + 400 * k) * minute
            try tr.append(values: [.timestamp(a), .timestamp(a + 200 * minute), .string(side), .double(pnl)])
        }
        try w.close()
        let out = dir.path("m.svg")
        var command = try TapeCommand.parseAsRoot(["plot", path, "--out", out, "--trades"])
        try command.run()
        let doc = try #require(SVGElements.parse(try String(contentsOfFile: out, encoding: .utf8)))
        let trades = doc.elements.filter { $0.attributes["class"].map { $0.hasPrefix("entry") || $0.hasPrefix("exit") } == true }
        func count(_ cls: String) -> Int { trades.filter { $0.attributes["class"] == cls }.count }
        #expect(count("entry long") == 2 && count("entry short") == 2 && count("exit win") == 2 && count("exit loss") == 2, "\(trades)")
        #expect(doc.elements.contains { $0.attributes["class"] == "title" && $0.text == "markers: equity and drawdown" })
        #expect(doc.elements.contains { $0.attributes["class"] == "subtitle" && $0.text == "breakout · ES" })
        #expect(doc.elements.contains { $0.name == "text" && $0.text == "losing exit" })     // the markers' legend
    }

    @Test func theLegendIsBelowThePlotInTheOrderGivenAndNeverCut() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let long = "a-run-with-a-very-long-name-fast=10-slow=200-stop=0.02-take=0.05-symbol=SPY-2024"
        for name in ["zeta", long, "alpha"] { _ = try writeCurve(dir.path("\(name).tape"), bars: 1_000, spike: 10, dip: 500) }
        let out = dir.path("legend.svg")
        var command = try TapeCommand.parseAsRoot(["plot", dir.path("zeta.tape"), dir.path("\(long).tape"), dir.path("alpha.tape"),
                                                   "--out", out, "--width", "300", "--height", "200"])
        try command.run()
        let doc = try #require(SVGElements.parse(try String(contentsOfFile: out, encoding: .utf8)))
        let entries = doc.elements.filter { $0.attributes["class"] == "legend-entry" }
        #expect(entries.map(\.text) == ["zeta", long, "alpha"])
        // Below the drawdown panel (whose bottom is height - 34), inside the SVG, and wide enough.
        let svg = try #require(doc.elements.first)
        let width = try #require(Double(svg.attributes["width"] ?? "")), height = try #require(Double(svg.attributes["height"] ?? ""))
        for e in entries {
            let x = try #require(Double(e.attributes["x"] ?? "")), y = try #require(Double(e.attributes["y"] ?? ""))
            #expect(y > 200 - 34 && y < height)
            #expect(x + SVGChart.textWidth(e.text) <= width)
        }
        #expect(doc.elements.contains { $0.attributes["class"] == "title" && $0.text == "3 runs: equity and drawdown" })
    }

    @Test func runsWithoutAnEquityTableAreRefusedByName() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("noequity.tape")
        let w = try TapeWriter(path: path)
        try w.declareTable("trades", columns: [ColumnDef("pnl", .float64)]).append(values: [.double(1)])
        try w.close()
        let e = try #require(throws: TapeError.self) { try PlotData(paths: [path], columns: 100, normalize: false, trades: false) }
        #expect("\(e)".contains("noequity.tape") && "\(e)".contains("'equity'"))
    }

    @Test func niceTicks() {
        let v = AxisTicks.values(0.013, 0.087, target: 8)
        #expect(abs(v.step - 0.01) < 1e-15 && abs(v.range.lowerBound - 0.01) < 1e-12 && abs(v.range.upperBound - 0.09) < 1e-12)
        #expect(v.ticks.count == 9)
        #expect(AxisTicks.values(-0.37, 0, target: 3).step == 0.2)
        #expect(AxisTicks.label(0.25, step: 0.05) == "0.25" && AxisTicks.label(-0.2, step: 0.1, percent: true) == "-20%")
        let hour: Int64 = 3_600_000_000_000, day = 24 * hour
        #expect(AxisTicks.times(t0 + 10 * minute, t0 + 6 * hour).map(\.label) == ["01-01 01:00", "01-01 02:00", "01-01 03:00", "01-01 04:00", "01-01 05:00", "01-01 06:00"])
        #expect(AxisTicks.times(t0, t0 + 365 * day).map(\.label) == ["2024-01", "2024-03", "2024-05", "2024-07", "2024-09", "2024-11"])
        #expect(AxisTicks.times(t0 - 1, t0 + 3_000 * day).map(\.label) == ["2024", "2026", "2028", "2030", "2032"])
        #expect(AxisTicks.times(t0 + hour, t0 + 20 * day).first?.label == "2024-01-04")
    }
}
