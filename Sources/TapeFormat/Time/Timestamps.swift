/// ISO-8601 timestamps as nanoseconds since 1970-01-01T00:00:00Z (the `timestamp` column type).
///
/// The supported range is what fits in an `Int64` of nanoseconds:
/// 1677-09-21T00:12:43.145224192Z ... 2262-04-11T23:47:16.854775807Z.
/// Calendar arithmetic is the proleptic Gregorian calendar, after Howard Hinnant's
/// `days_from_civil` / `civil_from_days` (http://howardhinnant.github.io/date_algorithms.html);
/// no Foundation.
public enum Timestamps {
    static let nanosPerSecond: Int64 = 1_000_000_000
    static let secondsPerDay: Int64 = 86_400

    /// Days since 1970-01-01 of the civil date `year-month-day`.
    /// REQUIRES: `1 <= month <= 12`, `1 <= day <= 31`.
    @inlinable
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400                                          // [0, 399]
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1  // [0, 365]
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy                   // [0, 146096]
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of `days` since 1970-01-01.
    @inlinable
    public static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097                                       // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365  // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)                 // [0, 365]
        let mp = (5 * doy + 2) / 153                                      // [0, 11]
        let d = doy - (153 * mp + 2) / 5 + 1                              // [1, 31]
        let m = mp < 10 ? mp + 3 : mp - 9                                 // [1, 12]
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func isLeapYear(_ y: Int64) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
