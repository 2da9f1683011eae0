import Foundation
import Tape

/// A parameter sweep from footers only: a metric over one parameter (a line) or two (a heatmap,
/// numeric axes sorted numerically, missing combinations hatched), and a sortable table of the
/// runs with the highest metric. A cell with several runs (e.g. seeds or symbols) shows their mean.
struct SweepReport {
    let records: [RunRecord]
    let options: ReportOptions
    /// Runs lacking a parameter or the metric.
    let skipped: Int
    let xs: [String], ys: [String]
    /// cells[y][x]: Σ metric and run count.
    let cells: [[(sum: Double, count: Int)]]

    init(records: [RunRecord], options: ReportOptions) {
        self.records = records
        self.options = options
        let px = options.heatmap[0], py = options.heatmap.count > 1 ? options.heatmap[1] : nil
        var points: [(x: String, y: String, v: Double)] = []
        var skipped = 0
        for r in records {
            guard let x = SweepParameters.value(px, in: r.metadata), let v = Self.metric(r, options.metric) else { skipped += 1; continue }
            var y = ""
            if let py {
                guard let value = SweepParameters.value(py, in: r.metadata) else { skipped += 1; continue }
                y = value
            }
            points.append((x, y, v))
        }
        self.skipped = skipped
        xs = SweepParameters.axis(Set(points.map(\.x)))
        ys = SweepParameters.axis(Set(points.map(\.y)))
        let xi = Dictionary(uniqueKeysWithValues: xs.enumerated().map { ($1, $0) })
        let yi = Dictionary(uniqueKeysWithValues: ys.enumerated().map { ($1, $0) })
        var cells = [[(sum: Double, count: Int)]](repeating: [(sum: Double, count: Int)](repeating: (0, 0), count: xs.count), count: ys.count)
        for p in points {
            guard let i = yi[p.y], let j = xi[p.x] else { continue }
            cells[i][j].sum += p.v
            cells[i][j].count += 1
        }
        self.cells = cells
    }

    /// The metric of a run: a stored metric, else a numeric metadata value.
    static func metric(_ r: RunRecord, _ name: String) -> Double? {
        if let v = r.metrics.number(name), v.isFinite { return v }
        return r.metadata[name].flatMap(Double.init).flatMap { $0.isFinite ? $0 : nil }
    }

    func render(into page: inout ReportPage) {
        let metric = options.metric
        let style: ValueStyle = ReportFormat.percentMetrics.contains(metric) ? .percent : .number(decimals: 3)
        let px = options.heatmap[0]
        var s: String
        if options.heatmap.count == 2 {
            let py = options.heatmap[1]
            let values = cells.map { $0.map { $0.count > 0 ? $0.sum / Double($0.count) : nil } }
            let tips = ys.indices.map { i in
                xs.indices.map { j in
                    "\(px)=\(xs[j]), \(py)=\(ys[i]): " + (cells[i][j].count > 0 ? "\(metric) \(style.format(values[i][j]))\(cells[i][j].count > 1 ? " (mean of \(cells[i][j].count) runs)" : "")" : "no run")
                }
            }
            let missing = values.reduce(0) { $0 + $1.count(where: { $0 == nil }) }
            s = ReportCharts.heatmap(rows: ys, columns: xs, cells: values, tips: tips, style: style, diverging: true,
                                     showText: xs.count <= 14 && ys.count <= 30, label: "\(metric) over \(px) and \(py)", cssClass: "sweep-heatmap",
                                     rowTitle: py, columnTitle: px)
            s += "<p class=\"note\">\(html(metric)) by \(html(px)) (columns) and \(html(py)) (rows); \(xs.count) × \(ys.count) cells, \(missing) without a run (×). Numeric parameters are sorted numerically.</p>"
        } else {
            let values = (cells.first ?? []).map { $0.count > 0 ? $0.sum / Double($0.count) : 0 }
            s = ReportCharts.valueLine(xs, values, style: style, label: "\(metric) over \(px)", xTitle: px, cssClass: "sweep-line")
            s += "<p class=\"note\">\(html(metric)) by \(html(px)); a value with several runs shows their mean.</p>"
        }
        if skipped > 0 { s += "<p class=\"note\">\(skipped) run\(skipped == 1 ? "" : "s") without \(html(options.heatmap.joined(separator: " or "))) or \(html(metric)) left out.</p>" }
        page.section("heatmap", "\(metric) over \(options.heatmap.joined(separator: " × "))", s)
        page.section("top-runs", "Top \(options.top) runs by \(metric)", topTable)
    }

    var topTable: String {
        let labels = RunLabels.unique(records)
        let ranked = records.indices.compactMap { i in Self.metric(records[i], options.metric).map { (records[i], $0, labels[i]) } }
            .sorted { $0.1 > $1.1 }.prefix(options.top)
        let params = options.heatmap
        let extra = ComparisonReport.metricColumns.filter { $0 != options.metric }.prefix(6)
        var s = "<div class=\"scroll\"><table class=\"sortable top-runs\"><thead><tr><th>run</th>" + params.map { "<th>\(html($0))</th>" }.joined()
        s += "<th>\(html(options.metric))</th>" + extra.map { "<th>\($0)</th>" }.joined() + "<th>status</th></tr></thead><tbody>"
        for (r, v, label) in ranked {
            s += "<tr><td>\(html(label))</td>"
            for p in params {
                let value = SweepParameters.value(p, in: r.metadata) ?? ""
                s += "<td data-v=\"\(Double(value).map { String($0) } ?? "")\">\(html(value))</td>"
            }
            s += "<td data-v=\"\(v)\">\(ReportFormat.metric(options.metric, .double(v)))</td>"
            for name in extra {
                let m = r.metrics[name]
                s += "<td data-v=\"\(m.map { String($0.number) } ?? "")\">\(ReportFormat.metric(name, m))</td>"
            }
            s += "<td>\(RunStatus(metadata: r.metadata).description)</td></tr>\n"
        }
        return s + "</tbody></table></div><p class=\"note\">\(records.count) runs read (footers only); click a heading to sort.</p>"
    }
}
