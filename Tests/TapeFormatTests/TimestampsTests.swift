import Testing
import TapeTestSupport
@testable import TapeFormat

private let accepted: [(String, Int64)] = [
        ("2019-01-01T00:00:00Z", 1_546_300_800_000_000_000),
        ("2019-01-01T00:00:00", 1_546_300_800_000_000_000),
        ("2019-01-01 00:00:00", 1_546_300_800_000_000_000),
        ("2019-01-01", 1_546_300_800_000_000_000),
        ("2019-01-01t00:00:00z", 1_546_300_800_000_000_000),
        ("2019-01-01T00:00", 1_546_300_800_000_000_000),
        ("2019-01-01T00:00:00.5Z", 1_546_300_800_500_000_000),
        ("2019-01-01T00:00:00.123456", 1_546_300_800_123_456_000),
        ("2019-01-01T00:00:00.123456789Z", 1_546_300_800_123_456_789),
        ("2019-01-01T00:00:00,25", 1_546_300_800_250_000_000),
        ("2019-01-01T00:00:00+00:00", 1_546_300_800_000_000_000),
        ("2019-01-01 00:00:00+00:00", 1_546_300_800_000_000_000),
        ("2019-01-01T00:00:00-05:00", 1_546_300_800_000_000_000 + 5 * 3600 * 1_000_000_000),
        ("2019-01-01T05:30:00+0530", 1_546_300_800_000_000_000),
        ("2019-01-01T05:00:00+05", 1_546_300_800_000_000_000),
        ("2019-01-01T00:00:00 +01:00", 1_546_300_800_000_000_000 - 3600 * 1_000_000_000),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.999999999Z", -1),
        ("1969-12-31T23:59:59.5Z", -500_000_000),
        ("2000-02-29", 951_782_400_000_000_000),
        ("2020-02-29T12:00:00Z", 1_582_977_600_000_000_000),
        ("1677-09-21T00:12:43.145224192Z", Int64.min),
        ("2262-04-11T23:47:16.854775807Z", Int64.max),
]

private let formatted: [(Int64, String)] = [
        (0, "1970-01-01T00:00:00Z"),
        (1_546_300_800_000_000_000, "2019-01-01T00:00:00Z"),
        (1_546_300_800_500_000_000, "2019-01-01T00:00:00.500Z"),
        (1_546_300_800_123_456_000, "2019-01-01T00:00:00.123456Z"),
        (1_546_300_800_123_456_789, "2019-01-01T00:00:00.123456789Z"),
        (1_546_300_800_000_001_000, "2019-01-01T00:00:00.000001Z"),
        (-1, "1969-12-31T23:59:59.999999999Z"),
        (-500_000_000, "1969-12-31T23:59:59.500Z"),
        (-86_400_000_000_000, "1969-12-31T00:00:00Z"),
        (951_782_400_000_000_000, "2000-02-29T00:00:00Z"),
        (Int64.min, "1677-09-21T00:12:43.145224192Z"),
        (Int64.max, "2262-04-11T23:47:16.854775807Z"),
]

@Suite struct TimestampsTests {
    @Test(arguments: accepted)
    func parsesAcceptedForms(text: String, expected: Int64) {
        #expect(Timestamps.parse(text) == expected)
        #expect(Timestamps.parse(Substring(text)) == expected)
    }

    @Test(arguments: [
        "", "2019", "2019-1-01", "2019-01-1", "2019/01/01", "2019-13-01", "2019-00-10", "2019-01-00",
        "2019-02-29", "1900-02-29", "2019-02-30", "2019-04-31", "2019-01-01T24:00:00", "2019-01-01T23:60:00",
        "2019-01-01T23:59:60", "2019-01-01T", "2019-01-01T1:00:00", "2019-01-01T00:00:00.", "2019-01-01T00:00:00.1234567891",
        "2019-01-01T00:00:00+", "2019-01-01T00:00:00+24:00", "2019-01-01T00:00:00+05:60", "2019-01-01T00:00:00Zx",
        "2019-01-01x", "2019-01-01T00:00:00 ", " 2019-01-01", "1677-09-21T00:12:43.145224191Z",
        "2262-04-11T23:47:16.854775808Z", "1600-01-01", "9999-12-31", "abcd-ef-gh", "2019-01-01T00:00:00-0",
    ])
    func rejectsInvalid(text: String) {
        #expect(Timestamps.parse(text) == nil)
    }

    @Test(arguments: formatted)
    func formats(ns: Int64, expected: String) {
        #expect(Timestamps.format(ns) == expected)
        var bytes: [UInt8] = [0x41]
        Timestamps.format(ns, into: &bytes)
        #expect(bytes == [0x41] + Array(expected.utf8))
    }

    @Test func randomRoundTripOverFullRange() {
        var rng = SplitMix64(seed: 0x7A9E)
        for _ in 0..<20_000 {
            var ns = Int64(bitPattern: rng.next())
            switch rng.next() % 4 {
            case 0: ns -= ns % 1_000_000_000
            case 1: ns -= ns % 1_000_000
            case 2: ns -= ns % 1000
            default: break
            }
            let text = Timestamps.format(ns)
            #expect(Timestamps.parse(text) == ns, "\(ns) -> \(text)")
        }
    }

    @Test func civilDaysRoundTripEveryDayInRange() {
        // 1678-01-01 ... 2261-12-31, checked against a day-by-day walk of the calendar.
        var days = Timestamps.daysFromCivil(year: 1678, month: 1, day: 1)
        for year in Int64(1678)...2261 {
            for month in Int64(1)...12 {
                for day in 1...Timestamps.daysInMonth(year: year, month: month) {
                    let c = Timestamps.civilFromDays(days)
                    if Timestamps.daysFromCivil(year: year, month: month, day: day) != days
                        || c.year != year || c.month != month || c.day != day
                    {
                        Issue.record("day \(days): \(c) != \(year)-\(month)-\(day)")
                        return
                    }
                    days += 1
                }
            }
        }
        #expect(Timestamps.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
    }

    @Test func offsetsAgreeWithUTC() throws {
        let utc = try #require(Timestamps.parse("2019-06-15T12:34:56.789Z"))
        #expect(Timestamps.parse("2019-06-15T07:34:56.789-05:00") == utc)
        #expect(Timestamps.parse("2019-06-15T18:04:56.789+05:30") == utc)
        #expect(Timestamps.parse("2019-06-15T18:04:56.789+0530") == utc)
    }
}
