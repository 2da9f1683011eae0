import Foundation
import TapeFormat

/// Draws `PlotData` as a standalone SVG: equity on top, drawdown below, shared time axis with
/// nice date ticks, 1-2-5 value ticks, a legend for several runs and optional trade markers.
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

    /// The SVG text and the panels' value axes.
    public func render(_ data: PlotData, normalized: Bool) -> (svg: String, equity: ValueAxis, drawdown: ValueAxis) {
        let left = Double(Self.marginLeft), right = Double(width - Self.marginRight)
        let top = title == nil ? 16.0 : 40.0, bottom = Double(height) - 34
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
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>

            """
        if let title { s += "<text x=\"\(f(Double(width) / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(Self.escape(title))</text>\n" }
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
        // Trade markers: entries ▲ below the curve, exits ▼ above it.
        if let curve = data.curves.first, !(data.entryColumns.isEmpty && data.exitColumns.isEmpty) {
            s += "<g class=\"trades\">\n"
            for (cols, up, color) in [(data.entryColumns, true, "#2ca02c"), (data.exitColumns, false, "#d62728")] {
                for col in cols.sorted() {
                    guard let b = nearestBucket(curve.buckets.buckets, col) else { continue }
                    let px = xColumn(col), py = eqAxis.y(b.last.v) + (up ? 7 : -7)
                    let tip = up ? py - 5 : py + 5, base = up ? py + 2 : py - 2
                    s += "<polygon class=\"\(up ? "entry" : "exit")\" fill=\"\(color)\" points=\"\(f(px)),\(f(tip)) \(f(px - 3.5)),\(f(base)) \(f(px + 3.5)),\(f(base))\"/>\n"
                }
            }
            s += "</g>\n"
        }
        // Legend for several runs.
        if data.curves.count > 1 {
            s += "<g class=\"legend\">\n"
            for (k, c) in data.curves.enumerated() {
                let y = eqAxis.top + 16 + Double(k) * 15
                let color = Self.palette[k % Self.palette.count]
                s += "<line x1=\"\(f(right - 150))\" y1=\"\(f(y - 4))\" x2=\"\(f(right - 132))\" y2=\"\(f(y - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
                s += "<text class=\"legend-entry\" x=\"\(f(right - 127))\" y=\"\(f(y))\">\(Self.escape(c.label))</text>\n"
            }
            s += "</g>\n"
        }
        s += "</svg>\n"
        return (s, eqAxis, ddAxis)
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
