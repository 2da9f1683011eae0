import Foundation
import TapeFormat

/// How a value is written in labels, tables and hover read-outs.
enum ValueStyle: Sendable {
    /// A fraction shown as a percentage (0.0123 → 1.23%).
    case percent
    /// A plain number with up to `decimals` decimals.
    case number(decimals: Int)

    func format(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "–" }
        switch self {
        case .percent: return String(format: "%.2f%%", v * 100)
        case .number(let d): return String(format: "%.\(d)f", v)
        }
    }
}

/// One line of a time chart: points in time order; `color` indexes the palette (`s0`…`s9`).
struct TimeSeries {
    var name: String
    var points: [(ts: Int64, v: Double)]
    var color: Int
}

/// The report's inline SVG charts. They share one geometry (`width` × chosen height, the same
/// left margin, so time charts stacked on a page line up), draw with CSS classes (colours follow
/// the light/dark theme), and carry hover data for `ReportPage.script`: `data-hover` with one
/// entry per pixel column on time charts, `data-tip` on bars and cells. Value and time ticks come
/// from `AxisTicks`, like `tape plot`.
enum ReportCharts {
    static let width = 960.0, left = 70.0, right = 14.0, top = 10.0, bottomMargin = 26.0
    /// Pixel columns of the plotting area (one bucket per column for curves).
    static var plotColumns: Int { Int(width - left - right) }

    private static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// A date label for a time axis spanning `span` nanoseconds.
    static func dateLabel(_ ts: Int64, span: Int64) -> String {
        let iso = Timestamps.format(ts)
        return span > 5 * 86_400_000_000_000 ? String(iso.prefix(10)) : String(iso.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    static func svgOpen(height: Double, cssClass: String, hover: String? = nil, label: String) -> String {
        let h = hover.map { " data-hover=\"\(html($0))\"" } ?? ""
        return "<svg class=\"chart \(cssClass)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(html(label))\"\(h) xmlns=\"http://www.w3.org/2000/svg\">\n"
    }

    /// The hover data of time series: per pixel column (union over series) the last point's date
    /// and each series' formatted value.
    static func hoverData(_ series: [TimeSeries], x: (Int64) -> Double, span: Int64, style: ValueStyle) -> String {
        var columns: [Int: (ts: Int64, values: [String?])] = [:]
        for (k, s) in series.enumerated() {
            for p in s.points {
                let c = Int(x(p.ts).rounded())
                var e = columns[c] ?? (p.ts, Array(repeating: nil, count: series.count))
                e.values[k] = style.format(p.v)
                if k == 0 || e.values[0] == nil { e.ts = p.ts }
                columns[c] = e
            }
        }
        let keys = columns.keys.sorted()
        func json(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        let xs = keys.map(String.init).joined(separator: ",")
        let ts = keys.map { json(dateLabel(columns[$0]!.ts, span: span)) }.joined(separator: ",")
        let ss = series.indices.map { k in
            "{\"n\":\(json(series[k].name)),\"v\":[" + keys.map { columns[$0]!.values[k].map(json) ?? "null" }.joined(separator: ",") + "]}"
        }.joined(separator: ",")
        return "{\"x\":[\(xs)],\"t\":[\(ts)],\"s\":[\(ss)]}"
    }

    /// Time ticks and labels along the bottom of a panel.
    static func timeAxis(start: Int64, end: Int64, top: Double, bottom: Double, labels: Bool) -> String {
        let span = Double(max(1, end - start))
        var s = "<g class=\"grid\">"
        for t in AxisTicks.times(start, end) {
            let px = left + Double(t.ts - start) / span * (width - left - right)
            s += "<line x1=\"\(f(px))\" y1=\"\(f(top))\" x2=\"\(f(px))\" y2=\"\(f(bottom))\"/>"
            if labels { s += "<text x=\"\(f(px))\" y=\"\(f(bottom + 15))\" text-anchor=\"middle\">\(html(t.label))</text>" }
        }
        return s + "</g>\n"
    }

    /// Value ticks: grid lines and labels at `ticks` placed by `y`.
    static func valueAxis(_ ticks: [Double], step: Double, percent: Bool, y: (Double) -> Double) -> String {
        var s = "<g class=\"grid\">"
        for t in ticks {
            let py = y(t)
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py))\" x2=\"\(f(width - right))\" y2=\"\(f(py))\"/>"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(py + 4))\" text-anchor=\"end\">\(AxisTicks.label(t, step: step, percent: percent))</text>"
        }
        return s + "</g>\n"
    }

    /// Line chart over time. With `logScale` (all values > 0) it draws both a linear and a log
    /// version (groups `lin` and `log`, switched by CSS from a checkbox `.logscale` around it).
    static func lines(_ series: [TimeSeries], start: Int64, end: Int64, height: Double, style: ValueStyle,
                      cssClass: String, label: String, logScale: Bool = false, zeroLine: Bool = false) -> String {
        let bottom = height - bottomMargin
        let span = max(1, end - start)
        func x(_ ts: Int64) -> Double { left + Double(ts - start) / Double(span) * (width - left - right) }
        let values = series.flatMap { $0.points.map(\.v) }
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        if zeroLine { lo = min(lo, 0); hi = max(hi, 0) }
        let percent: Bool
        if case .percent = style { percent = true } else { percent = false }
        var s = svgOpen(height: height, cssClass: cssClass, hover: hoverData(series, x: x, span: span, style: style), label: label)
        s += timeAxis(start: start, end: end, top: top, bottom: bottom, labels: true)
        let scales: [(name: String, log: Bool)] = logScale && lo > 0 ? [("lin", false), ("log", true)] : [("", false)]
        for scale in scales {
            s += scale.name.isEmpty ? "<g>" : "<g class=\"\(scale.name)\">"
            let y: (Double) -> Double
            let ticks = AxisTicks.values(lo, hi)
            if scale.log {
                let a = log(lo), b = log(hi) > log(lo) ? log(hi) : log(lo) + 1
                y = { v in bottom - (log(max(v, lo)) - a) / (b - a) * (bottom - top) }
                let logTicks = Self.logTicks(lo, hi)
                s += valueAxis(logTicks.ticks, step: logTicks.step, percent: percent, y: y)
            } else {
                let r = ticks.range
                y = { v in bottom - (v - r.lowerBound) / (r.upperBound - r.lowerBound) * (bottom - top) }
                s += valueAxis(ticks.ticks, step: ticks.step, percent: percent, y: y)
            }
            if zeroLine, !scale.log { s += "<line class=\"zero\" x1=\"\(f(left))\" y1=\"\(f(y(0)))\" x2=\"\(f(width - right))\" y2=\"\(f(y(0)))\"/>" }
            for line in series where !line.points.isEmpty {
                let pts = line.points.map { "\(f(x($0.ts))),\(f(y($0.v)))" }.joined(separator: " ")
                s += "<polyline class=\"line s\(line.color % 10)\" data-series=\"\(html(line.name))\" points=\"\(pts)\"/>\n"
            }
            s += "</g>\n"
        }
        s += "<rect class=\"frame\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(width - left - right))\" height=\"\(f(bottom - top))\"/>"
        s += "<line class=\"cursor\" x1=\"0\" y1=\"\(f(top))\" x2=\"0\" y2=\"\(f(bottom))\"/>\n</svg>\n"
        return s
    }

    /// Ticks for a log axis over `lo...hi` (> 0): 1-2-5 per decade when the range spans more than
    /// a decade, else the linear nice ticks.
    static func logTicks(_ lo: Double, _ hi: Double) -> (ticks: [Double], step: Double) {
        guard hi / lo > 10 else {
            let t = AxisTicks.values(lo, hi)
            return (t.ticks.filter { $0 >= lo && $0 <= hi }, t.step)
        }
        var ticks: [Double] = []
        var decade = pow(10, log10(lo).rounded(.down))
        while decade <= hi {
            for m in [1.0, 2, 5] where decade * m >= lo && decade * m <= hi { ticks.append(decade * m) }
            decade *= 10
        }
        return (ticks, ticks.first ?? 1)
    }

    /// Underwater chart: per pixel column the band between the lowest and highest drawdown of each
    /// curve's buckets (≤ 0, as a percentage).
    static func underwater(_ curves: [(name: String, buckets: PixelBuckets, color: Int)], start: Int64, end: Int64,
                           height: Double, label: String, colorByRun: Bool) -> String {
        let bottom = height - bottomMargin
        let deepest = min(curves.map(\.buckets.deepestDrawdown).min() ?? 0, -0.0001)
        let ticks = AxisTicks.values(deepest, 0, target: 4)
        let r = ticks.range
        func y(_ v: Double) -> Double { bottom - (v - r.lowerBound) / (r.upperBound - r.lowerBound) * (bottom - top) }
        let columns = curves.first?.buckets.buckets.count ?? plotColumns
        func xc(_ c: Int) -> Double { left + (Double(c) + 0.5) / Double(columns) * (width - left - right) }
        let span = max(1, end - start)
        let series = curves.map { c in
            TimeSeries(name: c.name, points: c.buckets.buckets.compactMap { $0.map { ($0.last.ts, $0.ddMin) } }, color: c.color)
        }
        var s = svgOpen(height: height, cssClass: "underwater", hover: hoverData(series, x: { left + Double($0 - start) / Double(span) * (width - left - right) }, span: span, style: .percent), label: label)
        s += timeAxis(start: start, end: end, top: top, bottom: bottom, labels: true)
        s += valueAxis(ticks.ticks, step: ticks.step, percent: true, y: y)
        for c in curves {
            var upper: [String] = [], lower: [String] = []
            for (col, b) in c.buckets.buckets.enumerated() {
                guard let b else { continue }
                upper.append("\(f(xc(col))),\(f(y(b.ddMax)))")
                lower.append("\(f(xc(col))),\(f(y(b.ddMin)))")
            }
            let fill = colorByRun ? "f\(c.color % 10) s\(c.color % 10)\" fill-opacity=\"0.25" : "f-dd"
            s += "<polygon class=\"area \(fill)\" data-series=\"\(html(c.name))\" points=\"\((upper + lower.reversed()).joined(separator: " "))\"/>\n"
        }
        s += "<rect class=\"frame\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(width - left - right))\" height=\"\(f(bottom - top))\"/>"
        s += "<line class=\"cursor\" x1=\"0\" y1=\"\(f(top))\" x2=\"0\" y2=\"\(f(bottom))\"/>\n</svg>\n"
        return s
    }

    /// Vertical bars over categories (`labels`), positive green and negative red when `signed`,
    /// else the first palette colour; each bar has a `data-tip`. `chartWidth` lets two bar charts
    /// sit side by side.
    static func bars(_ labels: [String], _ values: [Double], tips: [String], height: Double, style: ValueStyle,
                     signed: Bool, label: String, cssClass: String, chartWidth: Double = width, labelEvery: Int = 1) -> String {
        let bottom = height - bottomMargin, l = 60.0, r = chartWidth - 8
        let lo = min(0, values.min() ?? 0), hi = max(0, values.max() ?? 1)
        let ticks = AxisTicks.values(lo, hi == lo ? lo + 1 : hi, target: 4)
        let range = ticks.range
        func y(_ v: Double) -> Double { bottom - (v - range.lowerBound) / (range.upperBound - range.lowerBound) * (bottom - top) }
        let percent: Bool
        if case .percent = style { percent = true } else { percent = false }
        var s = "<svg class=\"chart \(cssClass)\" viewBox=\"0 0 \(Int(chartWidth)) \(Int(height))\" role=\"img\" aria-label=\"\(html(label))\" xmlns=\"http://www.w3.org/2000/svg\">\n<g class=\"grid\">"
        for t in ticks.ticks {
            s += "<line x1=\"\(f(l))\" y1=\"\(f(y(t)))\" x2=\"\(f(r))\" y2=\"\(f(y(t)))\"/><text x=\"\(f(l - 5))\" y=\"\(f(y(t) + 4))\" text-anchor=\"end\">\(AxisTicks.label(t, step: ticks.step, percent: percent))</text>"
        }
        s += "</g>\n"
        let n = max(1, values.count), slot = (r - l) / Double(n)
        for (i, v) in values.enumerated() {
            let x0 = l + Double(i) * slot + slot * 0.12, y0 = y(max(v, 0)), y1 = y(min(v, 0))
            let cls = signed ? (v < 0 ? "f-neg" : "f-pos") : "f0"
            s += "<rect class=\"bar \(cls)\" x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(slot * 0.76))\" height=\"\(f(max(y1 - y0, v == 0 ? 0 : 0.5)))\" data-tip=\"\(html(tips[i]))\"><title>\(html(tips[i]))</title></rect>"
            if i % max(1, labelEvery) == 0 {
                s += "<text x=\"\(f(l + (Double(i) + 0.5) * slot))\" y=\"\(f(bottom + 14))\" text-anchor=\"middle\">\(html(labels[i]))</text>"
            }
        }
        s += "\n<line class=\"zero\" x1=\"\(f(l))\" y1=\"\(f(y(0)))\" x2=\"\(f(r))\" y2=\"\(f(y(0)))\"/>"
        s += "<rect class=\"frame\" x=\"\(f(l))\" y=\"\(f(top))\" width=\"\(f(r - l))\" height=\"\(f(bottom - top))\"/>\n</svg>\n"
        return s
    }

    /// A heatmap: `cells[row][column]` coloured on a diverging scale around 0 (`diverging`) or a
    /// sequential one from the minimum to the maximum; a nil cell is hatched and marked "×". Each
    /// cell has a `data-tip` (and a `<title>`); `showText` writes the values in the cells.
    static func heatmap(rows: [String], columns: [String], cells: [[Double?]], tips: [[String]], style: ValueStyle,
                        diverging: Bool, showText: Bool, label: String, cssClass: String,
                        rowTitle: String = "", columnTitle: String = "") -> String {
        let l = max(60.0, Double(rows.map(\.count).max() ?? 4) * 7 + 16)
        let headerH = 22.0 + (columnTitle.isEmpty ? 0 : 16)
        let cellW = max(14, min(72, (width - l - 10) / Double(max(1, columns.count))))
        let cellH = max(12, min(24, 560 / Double(max(1, rows.count))))
        let height = headerH + cellH * Double(rows.count) + 8
        let all = cells.flatMap { $0.compactMap { $0 } }
        let lo = all.min() ?? 0, hi = all.max() ?? 0
        let bound = max(abs(lo), abs(hi), 1e-12)
        func color(_ v: Double) -> String {
            if diverging {
                let t = max(-1, min(1, v / bound))
                // Red (negative) – neutral – green (positive), lightness kept readable in both themes.
                return t < 0 ? "hsl(4 70% \(Int(92 - 42 * -t))%)" : "hsl(140 55% \(Int(92 - 50 * t))%)"
            }
            let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
            return "hsl(\(Int(230 - 180 * t)) 65% \(Int(88 - 40 * t))%)"
        }
        var s = "<svg class=\"chart \(cssClass)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(html(label))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        s += "<defs><pattern id=\"missing\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#999\" stroke-width=\"1.5\"/></pattern></defs>\n"
        if !columnTitle.isEmpty { s += "<text class=\"label\" x=\"\(f(l + cellW * Double(columns.count) / 2))\" y=\"12\" text-anchor=\"middle\">\(html(columnTitle))</text>" }
        if !rowTitle.isEmpty { s += "<text class=\"label\" x=\"4\" y=\"\(f(headerH - 6))\">\(html(rowTitle))</text>" }
        let every = max(1, Int((40 / cellW).rounded(.up)))
        for (j, c) in columns.enumerated() where j % every == 0 {
            s += "<text x=\"\(f(l + (Double(j) + 0.5) * cellW))\" y=\"\(f(headerH - 6))\" text-anchor=\"middle\">\(html(c))</text>"
        }
        for (i, r) in rows.enumerated() {
            let y0 = headerH + Double(i) * cellH
            s += "\n<text x=\"\(f(l - 6))\" y=\"\(f(y0 + cellH / 2 + 4))\" text-anchor=\"end\">\(html(r))</text>"
            for j in columns.indices {
                let x0 = l + Double(j) * cellW
                let tip = html(tips[i][j])
                if let v = cells[i][j] {
                    s += "<rect class=\"cell\" x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(cellW - 1))\" height=\"\(f(cellH - 1))\" fill=\"\(color(v))\" data-tip=\"\(tip)\"><title>\(tip)</title></rect>"
                    if showText {
                        s += "<text class=\"celltext\" x=\"\(f(x0 + cellW / 2))\" y=\"\(f(y0 + cellH / 2 + 3.5))\" text-anchor=\"middle\" style=\"fill:#111\">\(html(style.format(v)))</text>"
                    }
                } else {
                    s += "<rect class=\"cell missing\" x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(cellW - 1))\" height=\"\(f(cellH - 1))\" data-tip=\"\(tip)\"><title>\(tip)</title></rect>"
                    s += "<text class=\"celltext label\" x=\"\(f(x0 + cellW / 2))\" y=\"\(f(y0 + cellH / 2 + 3.5))\" text-anchor=\"middle\">×</text>"
                }
            }
        }
        return s + "\n</svg>\n"
    }

    /// A metric over one parameter: points joined by a line, placed by value when every label is
    /// a number, else evenly; each point has a `data-tip`.
    static func valueLine(_ labels: [String], _ values: [Double], style: ValueStyle, label: String, xTitle: String, cssClass: String) -> String {
        let height = 260.0, bottom = height - bottomMargin - 14
        let numbers = labels.compactMap { Double($0) }
        let numeric = numbers.count == labels.count && (numbers.max() ?? 0) > (numbers.min() ?? 0)
        let lo = values.min() ?? 0, hi = values.max() ?? 1
        let ticks = AxisTicks.values(lo, hi, target: 5)
        let r = ticks.range
        func y(_ v: Double) -> Double { bottom - (v - r.lowerBound) / (r.upperBound - r.lowerBound) * (bottom - top) }
        func x(_ i: Int) -> Double {
            if numeric, let a = numbers.min(), let b = numbers.max() { return left + 10 + (numbers[i] - a) / (b - a) * (width - left - right - 20) }
            return left + (Double(i) + 0.5) / Double(max(1, labels.count)) * (width - left - right)
        }
        let percent: Bool
        if case .percent = style { percent = true } else { percent = false }
        var s = "<svg class=\"chart \(cssClass)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(html(label))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        s += valueAxis(ticks.ticks, step: ticks.step, percent: percent, y: y)
        let every = max(1, labels.count / 16)
        for i in labels.indices where i % every == 0 {
            s += "<text x=\"\(f(x(i)))\" y=\"\(f(bottom + 15))\" text-anchor=\"middle\">\(html(labels[i]))</text>"
        }
        s += "<text class=\"label\" x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">\(html(xTitle))</text>\n"
        s += "<polyline class=\"line s0\" points=\"\(labels.indices.map { "\(f(x($0))),\(f(y(values[$0])))" }.joined(separator: " "))\"/>\n"
        for i in labels.indices {
            let tip = html("\(xTitle)=\(labels[i]): \(style.format(values[i]))")
            s += "<circle class=\"f0\" cx=\"\(f(x(i)))\" cy=\"\(f(y(values[i])))\" r=\"3.5\" data-tip=\"\(tip)\"><title>\(tip)</title></circle>"
        }
        s += "\n<rect class=\"frame\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(width - left - right))\" height=\"\(f(bottom - top))\"/>\n</svg>\n"
        return s
    }
}
