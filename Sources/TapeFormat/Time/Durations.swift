/// Text forms of a duration (nanoseconds, `ColumnType.duration`).
///
/// Printed as DuckDB prints an INTERVAL without months (and as pandas prints a `Timedelta`):
/// `[D day[s] ]HH:MM:SS[.fffffffff]`, days and the clock both carrying the sign of the duration,
/// e.g. `2 days 03:00:00`, `00:00:01.5`, `-1 day -02:00:00`, `1 day`. Read back from that form,
/// from ISO-8601 durations with days, hours, minutes and seconds (`P2DT3H`, `PT0.5S`, `-PT1M`), and
/// from a bare integer of nanoseconds.
public enum Durations {
    public static let nanosPerSecond: Int64 = 1_000_000_000
    public static let nanosPerDay: Int64 = 86_400 * nanosPerSecond

    /// DuckDB's text of `nanoseconds`.
    public static func format(_ nanoseconds: Int64) -> String {
        let days = nanoseconds / nanosPerDay, rest = nanoseconds % nanosPerDay
        var out = ""
        if days != 0 { out = "\(days) day\(days.magnitude == 1 ? "" : "s")" }
        if rest != 0 || days == 0 {
            if !out.isEmpty { out += " " }
            let n = rest.magnitude
            let seconds = n / UInt64(nanosPerSecond), fraction = n % UInt64(nanosPerSecond)
            func two(_ v: UInt64) -> String { v < 10 ? "0\(v)" : "\(v)" }
            out += "\(rest < 0 ? "-" : "")\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
            if fraction != 0 {
                var f = String(fraction)
                f = String(repeating: "0", count: 9 - f.count) + f
                while f.hasSuffix("0") { f.removeLast() }
                out += "." + f
            }
        }
        return out
    }

    /// Appends `format(nanoseconds)` to `out`.
    public static func format(_ nanoseconds: Int64, into out: inout [UInt8]) {
        out.append(contentsOf: format(nanoseconds).utf8)
    }

    /// The nanoseconds `text` spells (any form above, surrounding spaces ignored), nil when it
    /// spells none or the value does not fit in Int64 nanoseconds.
    public static func parse<S: StringProtocol>(_ text: S) -> Int64? {
        let t = text.trimmingSpaces
        guard !t.isEmpty else { return nil }
        if let n = Int64(t) { return n }
        if t.hasPrefix("P") || t.hasPrefix("-P") || t.hasPrefix("+P") { return parseISO(t) }
        return parseDuckDB(t)
    }

    /// `[D day[s]] [HH:MM:SS[.f]]` (either part optional, not both).
    static func parseDuckDB(_ t: String) -> Int64? {
        let words = t.split(separator: " ", omittingEmptySubsequences: true)
        var total = Int128(0)
        var k = 0
        var sawDays = false, sawClock = false
        while k < words.count {
            if !sawDays, !sawClock, k + 1 < words.count, ["day", "days"].contains(words[k + 1].lowercased()), let d = Int64(words[k]) {
                total += Int128(d) * Int128(nanosPerDay)
                sawDays = true
                k += 2
            } else if !sawClock, let c = clock(words[k]) {
                total += c
                sawClock = true
                k += 1
            } else {
                return nil
            }
        }
        return Int64(exactly: total)
    }

    /// `[-]H+:MM:SS[.f]` (hours may exceed 23) as nanoseconds.
    static func clock(_ s: Substring) -> Int128? {
        var s = s
        var negative = false
        if s.hasPrefix("-") { negative = true; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let h = UInt64(parts[0]), let m = UInt64(parts[1]), m < 60, parts[1].count == 2 else { return nil }
        let secParts = parts[2].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard secParts[0].count == 2, let sec = UInt64(secParts[0]), sec < 60 else { return nil }
        var frac = Int128(0)
        if secParts.count == 2 {
            let digits = secParts[1]
            guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isASCII), let f = UInt64(digits) else { return nil }
            frac = Int128(f) * Int128(pow10(9 - digits.count))
        }
        let v = (Int128(h) * 3600 + Int128(m) * 60 + Int128(sec)) * Int128(nanosPerSecond) + frac
        return negative ? -v : v
    }

    /// ISO-8601 `[-]P[nD][T[nH][nM][n[.f]S]]` (no years, months or weeks: they have no fixed length).
    static func parseISO(_ t: String) -> Int64? {
        var s = Substring(t)
        var negative = false
        if s.hasPrefix("-") { negative = true; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
        guard s.hasPrefix("P") else { return nil }
        s = s.dropFirst()
        var total = Int128(0), inTime = false, number = "", any = false
        for ch in s {
            if ch == "T" {
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
            } else if ch.isASCII && (ch.isNumber || ch == ".") {
                number.append(ch)
            } else {
                guard !number.isEmpty else { return nil }
                let unit: Int64
                switch (ch, inTime) {
                case ("D", false): unit = nanosPerDay
                case ("H", true): unit = 3600 * nanosPerSecond
                case ("M", true): unit = 60 * nanosPerSecond
                case ("S", true): unit = nanosPerSecond
                default: return nil
                }
                let pieces = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
                guard let whole = UInt64(pieces[0].isEmpty ? "0" : pieces[0]), whole < UInt64(Int64.max) else { return nil }
                total += Int128(whole) * Int128(unit)
                if pieces.count == 2 {
                    guard unit == nanosPerSecond, !pieces[1].isEmpty, pieces[1].count <= 9, let f = UInt64(pieces[1]) else { return nil }
                    total += Int128(f) * Int128(pow10(9 - pieces[1].count))
                }
                guard total.magnitude <= UInt128(UInt64.max) else { return nil }
                number = ""
                any = true
            }
        }
        guard any, number.isEmpty else { return nil }
        return Int64(exactly: negative ? -total : total)
    }

    private static func pow10(_ n: Int) -> Int64 {
        var v: Int64 = 1
        for _ in 0..<n { v *= 10 }
        return v
    }
}

private extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
