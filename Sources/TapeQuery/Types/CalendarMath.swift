/// UTC calendar arithmetic on nanosecond timestamps (proleptic Gregorian), for date_trunc,
/// date_part, time_bucket and month intervals.
enum CalendarMath {
    static let nsPerDay = Interval.nanosPerDay
    static let nsPerSecond = Interval.nanosPerSecond

    /// Floor division and modulo (toward negative infinity).
    @inline(__always) static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    @inline(__always) static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }

    /// Year, month (1–12), day (1–31) of a day number (days since 1970-01-01).
    static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Day number of a civil date (month and day may be out of range only as produced here).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Int(m - 1)]
    }

    enum TruncUnit {
        case nanos(Int64), week, month, quarter, year

        init?(_ s: String) {
            switch s {
            case "microsecond", "microseconds", "us": self = .nanos(1_000)
            case "millisecond", "milliseconds", "ms": self = .nanos(1_000_000)
            case "second", "seconds", "s": self = .nanos(CalendarMath.nsPerSecond)
            case "minute", "minutes", "m": self = .nanos(60 * CalendarMath.nsPerSecond)
            case "hour", "hours", "h": self = .nanos(3600 * CalendarMath.nsPerSecond)
            case "day", "days", "d": self = .nanos(CalendarMath.nsPerDay)
            case "week", "weeks", "w": self = .week
            case "month", "months": self = .month
            case "quarter", "quarters": self = .quarter
            case "year", "years", "y": self = .year
            default: return nil
            }
        }
    }

    /// date_trunc: the start of the unit holding `ts` (weeks start on Monday).
    static func trunc(_ ts: Int64, _ unit: TruncUnit) -> Int64 {
        switch unit {
        case .nanos(let n): return floorDiv(ts, n) * n
        case .week:
            let d = floorDiv(ts, nsPerDay)
            // 1970-01-01 was a Thursday: Monday-based weekday = (d + 3) mod 7.
            return (d - floorMod(d + 3, 7)) * nsPerDay
        case .month, .quarter, .year:
            let c = civil(floorDiv(ts, nsPerDay))
            var m = c.month
            if case .quarter = unit { m = (m - 1) / 3 * 3 + 1 }
            if case .year = unit { m = 1 }
            return days(year: c.year, month: m, day: 1) * nsPerDay
        }
    }

    enum Part: Equatable {
        case year, quarter, month, week, day, dow, isodow, doy, hour, minute, second, millisecond, microsecond, epoch

        init?(_ s: String) {
            switch s {
            case "year", "years", "y": self = .year
            case "quarter": self = .quarter
            case "month", "months": self = .month
            case "week", "weeks", "weekofyear": self = .week
            case "day", "days", "dayofmonth": self = .day
            case "dow", "dayofweek", "weekday": self = .dow
            case "isodow": self = .isodow
            case "doy", "dayofyear": self = .doy
            case "hour", "hours": self = .hour
            case "minute", "minutes": self = .minute
            case "second", "seconds": self = .second
            case "millisecond", "milliseconds": self = .millisecond
            case "microsecond", "microseconds": self = .microsecond
            case "epoch": self = .epoch
            default: return nil
            }
        }
    }

    /// date_part as an integer (epoch is handled by the caller as a double).
    static func part(_ ts: Int64, _ p: Part) -> Int64 {
        let d = floorDiv(ts, nsPerDay)
        let nsOfDay = ts - d * nsPerDay
        switch p {
        case .year: return civil(d).year
        case .quarter: return (civil(d).month - 1) / 3 + 1
        case .month: return civil(d).month
        case .day: return civil(d).day
        case .dow: return floorMod(d + 4, 7)   // Sunday = 0
        case .isodow: return floorMod(d + 3, 7) + 1   // Monday = 1 … Sunday = 7
        case .doy:
            let c = civil(d)
            return d - days(year: c.year, month: 1, day: 1) + 1
        case .week:
            // ISO 8601 week number: the week with the year's first Thursday is week 1.
            let thursday = d - floorMod(d + 3, 7) + 3
            let y = civil(thursday).year
            return (thursday - days(year: y, month: 1, day: 1)) / 7 + 1
        case .hour: return nsOfDay / (3600 * nsPerSecond)
        case .minute: return nsOfDay / (60 * nsPerSecond) % 60
        case .second: return nsOfDay / nsPerSecond % 60
        case .millisecond: return nsOfDay / 1_000_000 % 60_000
        case .microsecond: return nsOfDay / 1_000 % 60_000_000
        case .epoch: return floorDiv(ts, nsPerSecond)
        }
    }

    /// `ts` moved by `months` calendar months, the day clamped to the target month's length.
    static func addMonths(_ ts: Int64, _ months: Int64) -> Int64 {
        guard months != 0 else { return ts }
        let d = floorDiv(ts, nsPerDay)
        let nsOfDay = ts - d * nsPerDay
        let c = civil(d)
        let total = c.year * 12 + (c.month - 1) + months
        let y = floorDiv(total, 12), m = floorMod(total, 12) + 1
        let day = min(c.day, daysInMonth(y, m))
        return days(year: y, month: m, day: day) * nsPerDay + nsOfDay
    }

    /// DuckDB's default time_bucket origin: Monday 2000-01-03 (month buckets: 2000-01-01).
    static let defaultOrigin: Int64 = 946_857_600 * nsPerSecond
    static let defaultMonthOrigin: Int64 = 946_684_800 * nsPerSecond

    /// time_bucket: the start of the `width`-long bucket holding `ts`, buckets aligned on `origin`.
    static func bucket(_ ts: Int64, width: Interval, origin: Int64?) -> Int64 {
        if width.months > 0 {
            let o = origin ?? defaultMonthOrigin
            let od = civil(floorDiv(o, nsPerDay)), td = civil(floorDiv(ts, nsPerDay))
            let diff = (td.year * 12 + td.month) - (od.year * 12 + od.month)
            var k = floorDiv(diff, width.months)
            var start = addMonths(o, k * width.months)
            if start > ts { k -= 1; start = addMonths(o, k * width.months) }
            return start
        }
        let w = width.fixedNanos ?? 1
        let o = origin ?? defaultOrigin
        return o + floorDiv(ts &- o, w) &* w
    }
}
