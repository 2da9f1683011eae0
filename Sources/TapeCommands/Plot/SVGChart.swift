import Foundation
import TapeFormat

/// Draws `PlotData` as a standalone SVG: a title (the given one, else `defaultTitle`), equity on
/// top, drawdown below, shared time axis with nice date ticks, 1-2-5 value ticks, optional trade
/// markers (long/short entries, winning/losing exits) and, below the plot area so that no run name
/// is cut off or hides a curve, a legend of the runs in the order given and of the markers.
/// The SVG is `width` wide (wider when a legend label needs it) and `height` plus the legend tall.
public struct SVGChart {
    /// Maps values to pixel rows of one panel (and back, for tests).
    public struct ValueAxis: Sendable {
        public var lo: Double, hi: Double
        /// Pixel rows of `hi` (top) and `lo` (bottom).
        public var top: Double, bottom: Double

        public func y(_ v: Double) -> Double { bottom - (v - lo) / (hi - lo) * (bottom - top) }
        public func value(atY y: Double) -> Double { lo + (bottom - y) / (bottom - top) * (hi - lo) }
        /// Value covered by one pixel.
        public var valuePerPixel: Double { (hi - lo) / (bottom - top) }
    }

    public var width: Int
    public var height: Int
    /// The title; nil draws `defaultTitle(for:)`.
    public var title: String?
    /// Left edge and width of the plotting area in pixels (one pixel column per data bucket).
    public static let marginLeft = 78, marginRight = 16

    public init(width: Int, height: Int, title: String?) {
        self.width = width
        self.height = height
        self.title = title
    }

    /// Pixel columns available for data at this width.
    public var plotColumns: Int { max(1, width - Self.marginLeft - Self.marginRight) }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// The title drawn when none is given: the run's name, or how many runs are overlaid.
    public static func defaultTitle(for data: PlotData) -> String {
        data.curves.count == 1 ? "\(data.curves[0].label): equity and drawdown" : "\(data.curves.count) runs: equity and drawdown"
    }

    /// Approximate width in pixels of `text` at font size 11 (for laying out the legend).
    static func textWidth(_ text: String) -> Double { Double(text.count) * 6.6 }

    /// The SVG text and the panels' value axes.
    public func render(_ data: PlotData, normalized: Bool) -> (svg: String, equity: ValueAxis, drawdown: ValueAxis) {
        let left = Double(Self.marginLeft), right = Double(width - Self.marginRight)
        let heading = title ?? Self.defaultTitle(for: data)
        let subtitle = title == nil ? data.subtitle : nil
        let top = subtitle == nil ? 40.0 : 54.0, bottom = Double(height) - 34
        let legendRuns = data.curves.count > 1 ? data.curves.map(\.label) : []
        let legendMarkers = !data.markers.isEmpty
        let legendHeight = Double(legendRuns.count) * 15 + (legendMarkers ? 18 : 0) + (legendRuns.isEmpty && !legendMarkers ? 0 : 8)
        let longest = legendRuns.map { Self.textWidth($0) }.max() ?? 0
        let svgWidth = max(width, Int((left + 24 + longest + 16).rounded(.up)))
        let svgHeight = height + Int(legendHeight.rounded(.up))
        let gap = 28.0
        let split = top + (bottom - top - gap) * 0.66
        var lo = Double.infinity, hi = -Double.infinity, deepest = 0.0
        for c in data.curves {
            if let r = c.buckets.equityRange { lo = min(lo, r.lowerBound); hi = max(hi, r.upperBound) }
            deepest = min(deepest, c.buckets.deepestDrawdown)
        }
        if !lo.isFinite { lo = 0; hi = 1 }
        let eqTicks = AxisTicks.values(lo, hi)
        let ddTicks = AxisTicks.values(deepest, 0, target: 3)
        let eqAxis = ValueAxis(lo: eqTicks.range.lowerBound, hi: eqTicks.range.upperBound, top: top, bottom: split)
        let ddAxis = ValueAxis(lo: ddTicks.range.lowerBound, hi: ddTicks.range.upperBound, top: split + gap, bottom: bottom)
        let columns = data.curves.first?.buckets.buckets.count ?? plotColumns
        let span = Double(max(1, data.end - data.start))
        func x(_ ts: Int64) -> Double { left + Double(ts - data.start) / span * (right - left) }
        func xColumn(_ c: Int) -> Double { left + (Double(c) + 0.5) / Double(columns) * (right - left) }
        func f(_ v: Double) -> String { String(format: "%.2f", v) }

        var s = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(svgWidth)" height="\(svgHeight)" viewBox="0 0 \(svgWidth) \(svgHeight)" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>

            """
        s += "<text class=\"title\" x=\"\(f(Double(width) / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(Self.escape(heading))</text>\n"
        if let subtitle {
            s += "<text class=\"subtitle\" x=\"\(f(Double(width) / 2))\" y=\"40\" text-anchor=\"middle\" fill=\"#555\">\(Self.escape(subtitle))</text>\n"
        }
        // Value grids and labels.
        for (axis, ticks, percent, name) in [(eqAxis, eqTicks, false, normalized ? "equity (normalized)" : "equity"),
                                             (ddAxis, ddTicks, true, "drawdown")] {
            s += "<g class=\"axis-\(name.prefix(8) == "drawdown" ? "drawdown" : "equity")\" stroke=\"#ddd\">\n"
            for t in ticks.ticks {
                let y = axis.y(t)
                s += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(right))\" y2=\"\(f(y))\"/>\n"
                s += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" stroke=\"none\" fill=\"#333\">\(AxisTicks.label(t, step: ticks.step, percent: percent))</text>\n"
            }
            s += "<rect x=\"\(f(left))\" y=\"\(f(axis.top))\" width=\"\(f(right - left))\" height=\"\(f(axis.bottom - axis.top))\" fill=\"none\" stroke=\"#888\"/>\n"
            s += "<text x=\"\(f(left + 4))\" y=\"\(f(axis.top + 12))\" fill=\"#555\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">\(name)</text>\n</g>\n"
        }
        // Time ticks on both panels, labels under the drawdown panel.
        s += "<g class=\"axis-time\" stroke=\"#eee\">\n"
        for t in AxisTicks.times(data.start, data.end) {
            let px = x(t.ts)
            s += "<line x1=\"\(f(px))\" y1=\"\(f(eqAxis.top))\" x2=\"\(f(px))\" y2=\"\(f(eqAxis.bottom))\"/>"
            s += "<line x1=\"\(f(px))\" y1=\"\(f(ddAxis.top))\" x2=\"\(f(px))\" y2=\"\(f(ddAxis.bottom))\"/>\n"
            s += "<text x=\"\(f(px))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333\">\(Self.escape(t.label))</text>\n"
        }
        s += "</g>\n"
        // Curves: equity lines through each column's first/min/max/last, drawdown bands.
        for (k, c) in data.curves.enumerated() {
            let color = Self.palette[k % Self.palette.count]
            let pts = c.buckets.equityPoints.map { "\(f(x($0.ts))),\(f(eqAxis.y($0.v)))" }.joined(separator: " ")
            s += "<polyline class=\"equity\" data-run=\"\(Self.escape(c.label))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.2\" points=\"\(pts)\"/>\n"
            var upper: [String] = [], lower: [String] = []
            for (col, b) in c.buckets.buckets.enumerated() {
                guard let b else { continue }
                upper.append("\(f(xColumn(col))),\(f(ddAxis.y(b.ddMax)))")
                lower.append("\(f(xColumn(col))),\(f(ddAxis.y(b.ddMin)))")
            }
            let band = (upper + lower.reversed()).joined(separator: " ")
            s += "<polygon class=\"drawdown\" data-run=\"\(Self.escape(c.label))\" fill=\"\(color)\" fill-opacity=\"0.35\" stroke=\"\(color)\" stroke-width=\"0.8\" points=\"\(band)\"/>\n"
        }
        // Trade markers: entries ▲ (long, below the curve) or ▼ (short, above it); exits as dots on
        // the curve, green for a winning trade and red for a losing one.
        if let curve = data.curves.first, !data.markers.isEmpty {
            s += "<g class=\"trades\">\n"
            func key(_ m: PlotData.TradeMarker) -> (Int, Int) { (m.column, (m.kind == .exit ? 4 : 0) + (m.short ? 2 : 0) + (m.win ? 1 : 0)) }
            let ordered = data.markers.sorted { key($0) < key($1) }
            for m in ordered {
                guard let b = nearestBucket(curve.buckets.buckets, m.column) else { continue }
                let px = xColumn(m.column), y = eqAxis.y(b.last.v)
                s += Self.marker(m.kind, short: m.short, win: m.win, x: px, y: y)
            }
            s += "</g>\n"
        }
        // Legend below the time axis: the runs in the order given, then the markers.
        var ly = bottom + 34
        if !legendRuns.isEmpty {
            s += "<g class=\"legend\">\n"
            for (k, label) in legendRuns.enumerated() {
                let color = Self.palette[k % Self.palette.count]
                s += "<line x1=\"\(f(left))\" y1=\"\(f(ly - 4))\" x2=\"\(f(left + 18))\" y2=\"\(f(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
                s += "<text class=\"legend-entry\" x=\"\(f(left + 24))\" y=\"\(f(ly))\">\(Self.escape(label))</text>\n"
                ly += 15
            }
            s += "</g>\n"
        }
        if legendMarkers {
            s += "<g class=\"legend-trades\">\n"
            var lx = left + 6
            for (kind, short, win, text) in [(PlotData.TradeMarker.Kind.entry, false, false, "long entry"), (.entry, true, false, "short entry"),
                                             (.exit, false, true, "winning exit"), (.exit, false, false, "losing exit")] {
                s += Self.marker(kind, short: short, win: win, x: lx, y: ly - 4, offset: 0, classPrefix: "legend-")
                s += "<text x=\"\(f(lx + 8))\" y=\"\(f(ly))\">\(text)</text>\n"
                lx += 16 + Self.textWidth(text)
            }
            s += "</g>\n"
        }
        s += "</svg>\n"
        return (s, eqAxis, ddAxis)
    }

    /// One trade marker at (x, y): an entry triangle pointing up (long, drawn `offset` below y) or
    /// down (short, drawn above), an exit dot (green win, red loss) at y.
    /// `classPrefix` marks the legend's samples apart from the markers on the chart.
    static func marker(_ kind: PlotData.TradeMarker.Kind, short: Bool, win: Bool, x: Double, y: Double, offset: Double = 7,
                       classPrefix: String = "") -> String {
        func f(_ v: Double) -> String { String(format: "%.2f", v) }
        switch kind {
        case .entry:
            let py = short ? y - offset : y + offset
            let tip = short ? py + 4 : py - 4, base = short ? py - 3 : py + 3
            let cls = classPrefix + (short ? "entry short" : "entry long"), color = short ? "#ff7f0e" : "#1f77b4"
            return "<polygon class=\"\(cls)\" fill=\"\(color)\" points=\"\(f(x)),\(f(tip)) \(f(x - 3.5)),\(f(base)) \(f(x + 3.5)),\(f(base))\"/>\n"
        case .exit:
            let cls = classPrefix + (win ? "exit win" : "exit loss"), color = win ? "#2ca02c" : "#d62728"
            return "<circle class=\"\(cls)\" cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3\" fill=\"\(color)\" stroke=\"white\" stroke-width=\"0.8\"/>\n"
        }
    }

    private func nearestBucket(_ buckets: [PixelBuckets.Bucket?], _ col: Int) -> PixelBuckets.Bucket? {
        for d in 0..<buckets.count {
            if col - d >= 0, let b = buckets[col - d] { return b }
            if col + d < buckets.count, let b = buckets[col + d] { return b }
        }
        return nil
    }

    /// Text escaped for XML content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // XML 1.0 forbids most control characters even escaped.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" && ch != "\r" { out += " " } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}
