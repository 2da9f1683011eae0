import Foundation
import Tape
import TapeFormat

/// Tick positions and labels for plot axes.
enum AxisTicks {
    /// About `target` "nice" values (1, 2 or 5 × 10^k apart) covering `lo...hi`: the axis range
    /// (widened to whole steps) and the ticks in it.
    static func values(_ lo: Double, _ hi: Double, target: Int = 6) -> (range: ClosedRange<Double>, ticks: [Double], step: Double) {
        var lo = lo, hi = hi
        if !(hi > lo) {
            let pad = lo == 0 ? 1 : abs(lo) * 0.05
            lo -= pad; hi += pad
        }
        // Values too far apart for a finite span (e.g. ±1e308): the bare range, ticks at its ends.
        guard lo.isFinite, hi.isFinite, (hi - lo).isFinite else {
            let a = lo.isFinite ? lo : -Double.greatestFiniteMagnitude, b = hi.isFinite ? hi : Double.greatestFiniteMagnitude
            return (min(a, b)...max(a, b), [min(a, b), max(a, b)], max(a, b) - min(a, b))
        }
        let raw = (hi - lo) / Double(max(1, target))
        let mag = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        let first = (lo / step).rounded(.down) * step, last = (hi / step).rounded(.up) * step
        guard first.isFinite, last.isFinite, step > 0 else { return (lo...hi, [lo, hi], hi - lo) }
        var ticks: [Double] = []
        var k = 0.0
        while first + k * step <= last + step * 1e-9 {
            ticks.append(first + k * step)
            k += 1
        }
        return (first...last, ticks, step)
    }

    /// A value label with as many decimals as the step needs (a percentage when `percent`).
    static func label(_ v: Double, step: Double, percent: Bool = false) -> String {
        let x = percent ? v * 100 : v, s = percent ? step * 100 : step
        let decimals = s.isFinite && s > 0 ? max(0, Int(-(log10(s)).rounded(.down))) : 0
        let text = String(format: "%.\(min(decimals, 10))f", abs(x) < s * 1e-9 ? 0 : x)
        return percent ? text + "%" : text
    }

    /// A calendar step for time ticks.
    enum TimeStep {
        case seconds(Int64)
        case months(Int)

        /// Approximate length in nanoseconds (for choosing a step).
        var approxNanos: Double {
            switch self {
            case .seconds(let s): return Double(s) * 1e9
            case .months(let m): return Double(m) * 30.44 * 86_400e9
            }
        }
    }

    static let timeSteps: [TimeStep] = {
        let seconds: [Int64] = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800, 1_209_600]
        let months: [Int] = [1, 2, 3, 6, 12, 24, 60, 120, 600]
        return seconds.map { TimeStep.seconds($0) } + months.map { TimeStep.months($0) }
    }()

    /// "Nice" time ticks (seconds, minutes, hours, days, weeks, months, years) inside
    /// `start...end`, at most about `target`, with labels just precise enough for the step.
    static func times(_ start: Int64, _ end: Int64, target: Int = 7) -> [(ts: Int64, label: String)] {
        guard end > start else { return [(start, Timestamps.format(start))] }
        let span = Double(end - start)
        let step = timeSteps.first { span / $0.approxNanos <= Double(target) } ?? .months(1200)
        var out: [(ts: Int64, label: String)] = []
        switch step {
        case .seconds(let s):
            let n = s * 1_000_000_000
            var t = Compactor.floorDiv(start, n) * n
            if t < start { t += n }
            while t <= end {
                out.append((t, timeLabel(t, stepSeconds: s)))
                t += n
            }
        case .months(let m):
            // Months counted as year × 12 + month - 1; ticks at multiples of m (January of years
            // divisible by m / 12 for yearly steps).
            let iso = Timestamps.format(start)
            var index = (Int(iso.prefix(4)) ?? 1970) * 12 + (Int(iso.dropFirst(5).prefix(2)) ?? 1) - 1
            func ns(_ i: Int) -> Int64? { Timestamps.parse(String(format: "%04d-%02d-01", i / 12, i % 12 + 1)) }
            if let t = ns(index), t < start { index += 1 }
            index = (index + m - 1) / m * m
            while let t = ns(index), t <= end {
                out.append((t, m >= 12 ? String(format: "%04d", index / 12) : String(format: "%04d-%02d", index / 12, index % 12 + 1)))
                index += m
            }
        }
        return out
    }

    /// `YYYY-MM-DD` for whole days, `MM-DD HH:MM` for hours and minutes, `HH:MM:SS` below.
    static func timeLabel(_ t: Int64, stepSeconds s: Int64) -> String {
        let iso = Timestamps.format(t)          // YYYY-MM-DDTHH:MM:SS[.fff]Z
        let date = String(iso.prefix(10)), clock = String(iso.dropFirst(11).prefix(8))
        if s >= 86_400 { return date }
        if s >= 60 { return String(date.dropFirst(5)) + " " + String(clock.prefix(5)) }
        return clock
    }
}
