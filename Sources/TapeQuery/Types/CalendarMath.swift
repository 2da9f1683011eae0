import TapeFormat

/// UTC calendar arithmetic on nanosecond timestamps (proleptic Gregorian), for date_trunc,
/// date_part, time_bucket and month intervals.
///
/// A timestamp is an `Int64` of nanoseconds, so it spans 1677-09-21 00:12:43.145224192 to
/// 2262-04-11 23:47:16.854775807. Functions whose result may leave that range compute in `Int128`
/// and return nil when it does; callers turn nil into a positioned "out of range" error (DuckDB
/// also errors when a result leaves its timestamp range).
enum CalendarMath {
    static let nsPerDay = Interval.nanosPerDay
    static let nsPerSecond = Interval.nanosPerSecond

    /// Floor division (toward negative infinity). REQUIRES: b > 0 (every unit and bucket width is
    /// positive), so neither `/` nor `%` can trap.
    @inline(__always) static func floorDiv<T: BinaryInteger>(_ a: T, _ b: T) -> T {
        let q = a / b
        return a % b < 0 ? q - 1 : q
    }

    /// Modulo toward negative infinity, in 0..<b. REQUIRES: b > 0.
    @inline(__always) static func floorMod<T: BinaryInteger>(_ a: T, _ b: T) -> T {
        let r = a % b
        return r < 0 ? r + b : r
    }

    /// `ns` as a timestamp when it lies in Tape's range, else nil.
    @inline(__always) static func timestamp(_ ns: Int128) -> Int64? { Int64(exactly: ns) }

    /// Midnight of day number `d` (days since 1970-01-01), when representable.
    @inline(__always) static func midnight(_ d: Int64) -> Int64? { timestamp(Int128(d) * Int128(nsPerDay)) }

    /// The message for a result outside Tape's timestamp range.
    static func outOfRange(_ what: String) -> String {
        "\(what) is out of the TIMESTAMP range (1677-09-21 00:12:43.145224192 to 2262-04-11 23:47:16.854775807)"
    }

    /// Year, month (1–12), day (1–31) of a day number (days since 1970-01-01). Safe (no overflow)
    /// for |days| < 2^40; timestamps give |days| < 2^17.
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
    /// Safe for |year| < 2^40; callers bound the year first.
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

    /// date_trunc: the start of the unit holding `ts` (weeks start on Monday); nil when that start
    /// lies before Tape's first timestamp (e.g. the year of 1677-09-22).
    static func trunc(_ ts: Int64, _ unit: TruncUnit) -> Int64? {
        switch unit {
        case .nanos(let n): return timestamp(Int128(floorDiv(ts, n)) * Int128(n))
        case .week:
            let d = floorDiv(ts, nsPerDay)
            // 1970-01-01 was a Thursday: Monday-based weekday = (d + 3) mod 7.
            return midnight(d - floorMod(d + 3, 7))
        case .month, .quarter, .year:
            let c = civil(floorDiv(ts, nsPerDay))
            var m = c.month
            if case .quarter = unit { m = (m - 1) / 3 * 3 + 1 }
            if case .year = unit { m = 1 }
            return midnight(days(year: c.year, month: m, day: 1))
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
        let nsOfDay = floorMod(ts, nsPerDay)
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

    /// `ts` moved by `months` calendar months, the day clamped to the target month's length; nil
    /// when the result is out of range.
    static func addMonths(_ ts: Int64, _ months: Int64) -> Int64? {
        guard months != 0 else { return ts }
        // The whole timestamp range is under 600 years: a larger move always leaves it (and the
        // bound keeps the year arithmetic below far from overflow).
        guard months.magnitude <= 12 * 1_000 else { return nil }
        let d = floorDiv(ts, nsPerDay)
        let nsOfDay = floorMod(ts, nsPerDay)
        let c = civil(d)
        let total = c.year * 12 + (c.month - 1) + months
        let y = floorDiv(total, 12), m = floorMod(total, 12) + 1
        let day = min(c.day, daysInMonth(y, m))
        return timestamp(Int128(days(year: y, month: m, day: day)) * Int128(nsPerDay) + Int128(nsOfDay))
    }

    /// `ts + sign × interval` (months first, then days and nanoseconds, as DuckDB); nil when out
    /// of range.
    static func add(_ ts: Int64, _ i: Interval, sign: Int64) -> Int64? {
        let (months, o) = i.months.multipliedReportingOverflow(by: sign)
        guard !o, let m = addMonths(ts, months) else { return nil }
        return timestamp(Int128(m) + Int128(sign) * (Int128(i.days) * Int128(nsPerDay) + Int128(i.nanos)))
    }

    /// DuckDB's default time_bucket origin: Monday 2000-01-03 (month buckets: 2000-01-01).
    static let defaultOrigin: Int64 = 946_857_600 * nsPerSecond
    static let defaultMonthOrigin: Int64 = 946_684_800 * nsPerSecond

    /// Why `width` cannot be a time_bucket width (DuckDB's rules), or nil when it can.
    static func bucketWidthProblem(_ width: Interval) -> String? {
        if width.months != 0 {
            if width.days != 0 || width.nanos != 0 { return "a month bucket width cannot have a day or time part" }
            return width.months > 0 ? nil : "the bucket width must be positive"
        }
        guard let w = width.fixedNanos, w > 0 else { return "the bucket width must be positive" }
        return nil
    }

    /// time_bucket: the start of the `width`-long bucket holding `ts`, buckets aligned on `origin`;
    /// nil when that start is out of range. REQUIRES: `bucketWidthProblem(width) == nil`.
    static func bucket(_ ts: Int64, width: Interval, origin: Int64?) -> Int64? {
        if width.months > 0 {
            let o = origin ?? defaultMonthOrigin
            let od = civil(floorDiv(o, nsPerDay)), td = civil(floorDiv(ts, nsPerDay))
            // |diff| < 12 × 600: both dates lie in the timestamp range.
            let diff = (td.year * 12 + td.month) - (od.year * 12 + od.month)
            let k = floorDiv(diff, width.months)
            // |k × months| ≤ |diff| + months: with months above the whole range it is out of range.
            let (step, o1) = k.multipliedReportingOverflow(by: width.months)
            guard !o1, let start = addMonths(o, step) else { return nil }
            if start <= ts { return start }
            let (back, o2) = step.subtractingReportingOverflow(width.months)
            return o2 ? nil : addMonths(o, back)
        }
        let w = Int128(width.fixedNanos ?? 1)
        let o = Int128(origin ?? defaultOrigin)
        return timestamp(o + floorDiv(Int128(ts) - o, w) * w)
    }
}
