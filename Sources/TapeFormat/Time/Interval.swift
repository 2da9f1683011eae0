/// A SQL INTERVAL: calendar months, days and nanoseconds kept apart, because a month has no fixed
/// length (`ts + INTERVAL '1 month'` moves the calendar month; `'30 days'` moves 30 × 24 hours, as
/// all Tape timestamps are UTC).
public struct Interval: Hashable, Sendable, CustomStringConvertible {
    public var months: Int64
    public var days: Int64
    public var nanos: Int64

    public init(months: Int64 = 0, days: Int64 = 0, nanos: Int64 = 0) {
        self.months = months
        self.days = days
        self.nanos = nanos
    }

    /// An interval from fields that may have overflowed (nil): nil when any did.
    public init?(months: Int64?, days: Int64?, nanos: Int64?) {
        guard let months, let days, let nanos else { return nil }
        self.init(months: months, days: days, nanos: nanos)
    }

    /// A stored duration (`ColumnType.duration`) as an interval of days and nanoseconds, split as
    /// `timestamp - timestamp` splits its difference, so the two compare, print and aggregate alike.
    public init(durationNanos n: Int64) {
        self.init(days: n / Interval.nanosPerDay, nanos: n % Interval.nanosPerDay)
    }

    public static let nanosPerSecond: Int64 = 1_000_000_000
    public static let nanosPerDay: Int64 = 86_400 * nanosPerSecond

    /// Parses `'1 hour'`, `'90 minutes'`, `'1 day 2 hours'`, `'2 weeks'`, `'-1 month'`, `'00:15:00'`.
    public init?(parsing text: String) {
        var result = Interval()
        let parts = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !parts.isEmpty else { return nil }
        var k = 0
        while k < parts.count {
            let p = parts[k]
            if p.contains(":") {
                guard let n = Interval.clock(p), let sum = Int64(exactly: Int128(result.nanos) + Int128(n)) else { return nil }
                result.nanos = sum
                k += 1
                continue
            }
            guard let amount = Double(p) else {
                // "5minutes" style: number glued to the unit.
                let digits = p.prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" }
                guard !digits.isEmpty, let a = Double(digits), let u = Interval.unit(String(p.dropFirst(digits.count))) else { return nil }
                guard result.add(a, u) else { return nil }
                k += 1
                continue
            }
            guard k + 1 < parts.count, let u = Interval.unit(parts[k + 1]) else { return nil }
            guard result.add(amount, u) else { return nil }
            k += 2
        }
        self = result
    }

    public enum Unit { case nanos(Int64), days(Int64), months(Int64) }

    public static func unit(_ s: String) -> Unit? {
        switch s {
        case "ns", "nanosecond", "nanoseconds": return .nanos(1)
        case "us", "microsecond", "microseconds": return .nanos(1_000)
        case "ms", "millisecond", "milliseconds": return .nanos(1_000_000)
        case "s", "sec", "secs", "second", "seconds": return .nanos(nanosPerSecond)
        case "m", "min", "mins", "minute", "minutes": return .nanos(60 * nanosPerSecond)
        case "h", "hr", "hrs", "hour", "hours": return .nanos(3_600 * nanosPerSecond)
        case "d", "day", "days": return .days(1)
        case "w", "week", "weeks": return .days(7)
        case "mon", "mons", "month", "months": return .months(1)
        case "quarter", "quarters": return .months(3)
        case "y", "year", "years": return .months(12)
        default: return nil
        }
    }

    /// Adds `amount` of `unit`; fractions are allowed for units of fixed length only. False when
    /// the amount is not finite, is a fraction of months, or a field would overflow.
    public mutating func add(_ amount: Double, _ unit: Unit) -> Bool {
        guard amount.isFinite, abs(amount) < 1e12 else { return false }
        // |amount| < 1e12, so Int64(amount) × (a unit ≤ 12) cannot overflow; a fraction in
        // nanoseconds is checked against the Int64 range before converting.
        func fraction(_ v: Double) -> Int64? { abs(v) < 9.2e18 ? Int64(v.rounded()) : nil }
        func sum(_ a: Int64, _ b: Int64?) -> Int64? { b.flatMap { Int64(exactly: Int128(a) + Int128($0)) } }
        switch unit {
        case .nanos(let n):
            guard let v = sum(nanos, fraction(amount * Double(n))) else { return false }
            nanos = v
        case .days(let d):
            if amount == amount.rounded() {
                guard let v = sum(days, Int64(amount) * d) else { return false }
                days = v
            } else {
                guard let v = sum(nanos, fraction(amount * Double(d) * Double(Interval.nanosPerDay))) else { return false }
                nanos = v
            }
        case .months(let m):
            guard amount == amount.rounded(), let v = sum(months, Int64(amount) * m) else { return false }
            months = v
        }
        return true
    }

    /// `HH:MM[:SS[.fff]]` as nanoseconds.
    public static func clock(_ s: String) -> Int64? {
        var neg = false
        var s = Substring(s)
        if s.hasPrefix("-") { neg = true; s = s.dropFirst() }
        let f = s.split(separator: ":", omittingEmptySubsequences: false)
        guard f.count == 2 || f.count == 3, let h = Int64(f[0]), let m = Int64(f[1]) else { return nil }
        let sec = f.count == 3 ? Double(f[2]) : 0
        guard let sec, sec.isFinite, abs(sec) < 9.2e9 else { return nil }
        let n = (Int128(h) * 3600 + Int128(m) * 60) * Int128(nanosPerSecond) + Int128((sec * 1e9).rounded())
        return Int64(exactly: neg ? -n : n)
    }

    /// Length in nanoseconds when the interval has no months part.
    public var fixedNanos: Int64? {
        guard months == 0 else { return nil }
        let (d, o1) = days.multipliedReportingOverflow(by: Interval.nanosPerDay)
        let (t, o2) = d.addingReportingOverflow(nanos)
        return o1 || o2 ? nil : t
    }

    /// DuckDB's spelling: `1 year 2 months 3 days 04:05:06.5`.
    public var description: String {
        var parts: [String] = []
        let y = months / 12, mo = months % 12
        if y != 0 { parts.append("\(y) year\(y.magnitude == 1 ? "" : "s")") }
        if mo != 0 { parts.append("\(mo) month\(mo.magnitude == 1 ? "" : "s")") }
        if days != 0 { parts.append("\(days) day\(days.magnitude == 1 ? "" : "s")") }
        if nanos != 0 || parts.isEmpty {
            let neg = nanos < 0
            let n = nanos.magnitude
            let totalSeconds = n / UInt64(Interval.nanosPerSecond)
            let frac = n % UInt64(Interval.nanosPerSecond)
            let h = totalSeconds / 3600, m = (totalSeconds / 60) % 60, s = totalSeconds % 60
            func two(_ v: UInt64) -> String { v < 10 ? "0\(v)" : "\(v)" }
            var clock = "\(neg ? "-" : "")\(two(h)):\(two(m)):\(two(s))"
            if frac != 0 {
                var f = String(frac)
                f = String(repeating: "0", count: 9 - f.count) + f
                while f.hasSuffix("0") { f.removeLast() }
                clock += "." + f
            }
            parts.append(clock)
        }
        return parts.joined(separator: " ")
    }
}
