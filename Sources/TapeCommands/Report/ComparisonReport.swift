import Foundation
import Tape
import TapeFormat

/// Several runs side by side: a sortable table of their stored metrics (footers only) and, for up
/// to `ReportOptions.maxCurveRuns` runs, their equity normalised to 1.0 and their drawdowns
/// overlaid on one time axis, and the correlation matrix of their daily returns (each run's
/// equity streamed once into pixel buckets and daily closes).
struct ComparisonReport {
    static let metricColumns = ["total_return", "cagr", "sharpe", "sortino", "max_drawdown", "annual_volatility", "calmar",
                                "trades", "win_rate", "profit_factor", "exposure"]

    let records: [RunRecord]
    /// `RunLabels.unique` of `records`.
    let labels: [String]
    let options: ReportOptions
    /// Per run (same order as `records`) its streamed curves; empty above `maxCurveRuns` runs.
    let curves: [RunAnalysis]
    let start: Int64, end: Int64

    /// Reads the curves of up to `ReportOptions.maxCurveRuns` runs; `runRead` is called after each.
    init(records: [RunRecord], options: ReportOptions, runRead: () -> Void = {}) throws {
        self.records = records
        labels = RunLabels.unique(records)
        self.options = options
        guard records.count <= ReportOptions.maxCurveRuns else {
            curves = []; start = 0; end = 0
            return
        }
        var opened: [(TapeReader, MetricsOptions)] = []
        var lo: Int64?, hi: Int64?
        for r in records {
            let reader = try TapeReader(path: r.path)
            let o = try MetricsOptions().applying(metadata: reader.metadata)
            if let range = TimestampRange(of: try RunAnalysis.equityTable(reader, o)) {
                lo = min(lo ?? range.lowerBound, range.lowerBound)
                hi = max(hi ?? range.upperBound, range.upperBound)
            }
            opened.append((reader, o))
        }
        (lo, hi) = options.selection?.period(lo, hi) ?? (lo, hi)
        start = lo ?? 0
        end = hi ?? 0
        curves = try opened.map {
            defer { runRead() }
            return try RunAnalysis(reader: $0.0, options: $0.1, columns: ReportCharts.plotColumns, start: lo ?? 0, end: hi ?? 0, normalize: true,
                                   selection: options.selection)
        }
    }

    func render(into page: inout ReportPage) {
        page.section("comparison", "Runs compared", table)
        guard !curves.isEmpty else {
            page.section("overlays", "Curves", "<p class=\"note\">\(records.count) runs: more than \(ReportOptions.maxCurveRuns), so the report reads footers only (no curves or correlations). Use --heatmap for a parameter sweep.</p>")
            return
        }
        let legend = "<div class=\"legend\">" + labels.enumerated().map { k, name in "<span style=\"--k:var(--c\(k % 10))\">\(html(name))</span>" }.joined() + "</div>"
        let series = curves.enumerated().map { k, c in TimeSeries(name: labels[k], points: c.buckets.equityPoints, color: k) }
        page.section("overlay-equity", "Equity, normalised to 1.0 at each run's first bar", legend
            + ReportCharts.lines(series, start: start, end: end, height: 300, style: .number(decimals: 4), cssClass: "equity-overlay", label: "normalised equity"))
        page.section("overlay-drawdown", "Drawdowns", legend
            + ReportCharts.underwater(curves.enumerated().map { (labels[$0], $1.buckets, $0) }, start: start, end: end, height: 180, label: "drawdowns", colorByRun: true))
        page.section("correlation", "Correlation of daily returns", correlation)
    }

    var table: String {
        var list = Array(zip(records, labels))
        var note = "\(records.count) runs. Click a column heading to sort. Metrics as stored at close (README \"Run metrics\")."
        if records.count > options.top * 5 {
            list.sort { (metric($0.0) ?? -.infinity) > (metric($1.0) ?? -.infinity) }
            list = Array(list.prefix(options.top))
            note = "The \(options.top) runs with the highest \(html(options.metric)) of \(records.count) (--top, --metric). " + note
        }
        var s = "<div class=\"scroll\"><table class=\"sortable comparison\"><thead><tr><th>run</th><th>strategy</th><th>symbol</th><th>params</th><th>status</th><th>start</th><th>end</th>"
        s += Self.metricColumns.map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>"
        for (r, label) in list {
            let m = r.metadata
            s += "<tr><td>\(html(label))</td><td>\(html(m["strategy"] ?? ""))</td><td>\(html(m["symbol"] ?? ""))</td><td>\(html(m["params"] ?? ""))</td><td>\(RunStatus(metadata: m).description)</td>"
            for name in ["start", "end"] {
                let v = r.metrics[name]
                s += "<td data-v=\"\(v.map { String($0.number) } ?? "")\">\(v.map { ReportFormat.metric(name, $0).prefix(10) } ?? "–")</td>"
            }
            for name in Self.metricColumns {
                let v = r.metrics[name]
                s += "<td data-v=\"\(v.map { String($0.number) } ?? "")\">\(ReportFormat.metric(name, v))</td>"
            }
            s += "</tr>\n"
        }
        return s + "</tbody></table></div><p class=\"note\">\(note)</p>"
    }

    func metric(_ r: RunRecord) -> Double? { r.metrics.number(options.metric) }

    var correlation: String {
        let returns = curves.map { $0.daily.returns }
        let n = returns.count
        var cells = [[Double?]](repeating: [Double?](repeating: nil, count: n), count: n)
        var tips = [[String]](repeating: [String](repeating: "", count: n), count: n)
        for i in 0..<n {
            for j in 0..<n {
                let (c, days) = i == j ? (returns[i].count > 1 ? 1.0 : nil, returns[i].count) : Self.pearson(returns[i], returns[j])
                cells[i][j] = c
                tips[i][j] = "\(labels[i]) × \(labels[j]): \(c.map { String(format: "%.3f", $0) } ?? "undefined") (\(days) common days)"
            }
        }
        let names = labels
        return ReportCharts.heatmap(rows: names, columns: names.indices.map { String($0 + 1) }, cells: cells, tips: tips, style: .number(decimals: 2),
                                    diverging: true, showText: n <= 16, label: "correlation matrix", cssClass: "correlation")
            + "<p class=\"note\">Pearson correlation over the UTC days on which both runs have a daily return; columns are numbered in the order of the rows.</p>"
    }

    /// Pearson correlation of two daily return series over their common days (nil below 2 common
    /// days or for a constant series), and the number of common days.
    static func pearson(_ a: DailyReturns, _ b: DailyReturns) -> (Double?, Int) {
        var x: [Double] = [], y: [Double] = []
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a.days[i] == b.days[j] { x.append(a.values[i]); y.append(b.values[j]); i += 1; j += 1 }
            else if a.days[i] < b.days[j] { i += 1 } else { j += 1 }
        }
        guard x.count > 1 else { return (nil, x.count) }
        let n = Double(x.count), mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for k in x.indices { sxy += (x[k] - mx) * (y[k] - my); sxx += (x[k] - mx) * (x[k] - mx); syy += (y[k] - my) * (y[k] - my) }
        guard sxx > 0, syy > 0 else { return (nil, x.count) }
        return (max(-1, min(1, sxy / (sxx * syy).squareRoot())), x.count)
    }
}
