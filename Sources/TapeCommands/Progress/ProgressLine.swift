import Foundation

/// The text of one progress report: `LABEL [#####.....] DONE/TOTAL UNIT (PCT%) RATE UNIT/s ETA
/// H:MM:SS`, or without a total `LABEL DONE UNIT RATE UNIT/s`. Pure, so it is tested on its own.
///
/// Invariant: the shown done count never exceeds the shown total; a count past the total (an
/// estimate that was too low) shows as total/total, 100%, and the total follows it (as
/// `TapeWriter.progress` does).
struct ProgressLine: Equatable {
    var label: String
    var unit: String
    var done: Int
    var total: Int?
    /// Seconds since the work started.
    var elapsed: Double

    /// The shown (done, total): done clamped to 0...total, total raised to done when exceeded.
    var shown: (done: Int, total: Int?) {
        let d = max(0, done)
        guard let total else { return (d, nil) }
        let t = max(0, total)
        return (min(d, max(t, d)), max(t, d))
    }

    /// Units per second so far (nil before any time has passed).
    var rate: Double? { elapsed > 0 ? Double(shown.done) / elapsed : nil }

    /// Seconds left at the rate so far (nil without a total or a rate).
    var eta: Double? {
        let (d, t) = shown
        guard let t, let rate, rate > 0 else { return nil }
        return Double(t - d) / rate
    }

    /// The report, `barWidth` characters of bar (0: none).
    func text(barWidth: Int = 24) -> String {
        let (d, t) = shown
        var parts = [label]
        if let t {
            let fraction = t > 0 ? Double(d) / Double(t) : 1
            if barWidth > 0 {
                let filled = min(barWidth, Int(fraction * Double(barWidth)))
                parts.append("[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]")
            }
            parts.append("\(d)/\(t) \(unit)")
            parts.append("(\(Int(fraction * 100))%)")
        } else {
            parts.append("\(d) \(unit)")
        }
        if let rate { parts.append(Self.count(rate) + " \(unit)/s") }
        if let eta { parts.append("ETA " + Self.clock(eta)) }
        return parts.joined(separator: " ")
    }

    /// 1234 -> "1234", 12345.6 -> "12.3k", 1.5e6 -> "1.5M".
    static func count(_ v: Double) -> String {
        if v >= 1e6 { return String(format: "%.1fM", v / 1e6) }
        if v >= 1e4 { return String(format: "%.1fk", v / 1e3) }
        return String(format: v >= 100 ? "%.0f" : "%.1f", v)
    }

    /// Seconds as H:MM:SS (or M:SS under an hour).
    static func clock(_ seconds: Double) -> String {
        let s = Int(min(seconds, 359_999).rounded(.up))
        let h = s / 3600, m = s / 60 % 60, sec = s % 60
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, sec) : String(format: "%d:%02d", m, sec)
    }
}
