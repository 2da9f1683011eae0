import Foundation
import Tape
import TapeFormat

/// How the report writes metrics, dates and durations.
enum ReportFormat {
    /// Metrics that are fractions and read best as percentages.
    static let percentMetrics: Set<String> = [
        "total_return", "cagr", "annual_return", "annual_volatility", "max_drawdown", "bar_max_drawdown", "win_rate", "exposure",
    ]

    /// A metric's value as text: percentages, counts, dates, else 4 decimals.
    static func metric(_ name: String, _ value: RunMetrics.Value?) -> String {
        guard let value else { return "–" }
        switch value {
        case .int(let i): return String(i)
        case .timestamp(let t): return Timestamps.format(t)
        case .double(let d): return percentMetrics.contains(name) ? ValueStyle.percent.format(d) : ValueStyle.number(decimals: 4).format(d)
        }
    }

    /// `YYYY-MM-DD` of a day number (days since 1970-01-01).
    static func day(_ day: Int64) -> String {
        let c = Timestamps.civilFromDays(day)
        return String(format: "%04d-%02d-%02d", Int(c.year), Int(c.month), Int(c.day))
    }

    /// `YYYY-MM-DD HH:MM` of a timestamp.
    static func minute(_ ts: Int64) -> String {
        String(Timestamps.format(ts).prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    /// A duration in nanoseconds as "3 d 4 h", "2 h 5 min", "45 s".
    static func duration(_ nanos: Int64) -> String {
        let s = nanos / 1_000_000_000
        if s >= 86_400 { return "\(s / 86_400) d \(s % 86_400 / 3_600) h" }
        if s >= 3_600 { return "\(s / 3_600) h \(s % 3_600 / 60) min" }
        if s >= 60 { return "\(s / 60) min" }
        return "\(s) s"
    }

    /// A class for a signed number cell.
    static func signClass(_ v: Double?) -> String {
        guard let v else { return "" }
        return v > 0 ? " class=\"pos\"" : v < 0 ? " class=\"neg\"" : ""
    }

    /// A key-value table; with `columns` > 1 the rows are split over that many tables side by side.
    static func keyValues(_ rows: [(String, String)], cssClass: String = "kv", columns: Int = 1) -> String {
        func table(_ part: ArraySlice<(String, String)>) -> String {
            "<table class=\"\(cssClass)\"><tbody>" + part.map { "<tr><td>\(html($0.0))</td><td>\(html($0.1))</td></tr>" }.joined() + "</tbody></table>"
        }
        guard columns > 1, rows.count > columns else { return table(rows[...]) }
        let per = (rows.count + columns - 1) / columns
        let parts = stride(from: 0, to: rows.count, by: per).map { rows[$0..<min($0 + per, rows.count)] }
        return "<div class=\"kv-columns\">" + parts.map(table).joined() + "</div>"
    }
}
