import Testing
import TapeFormat

/// The one scalar type: grouping equality, bit identity, and its two text forms.
@Suite struct DatumTests {
    @Test func equalityIsSQLGroupingEquality() {
        // DuckDB groups every NaN together and -0.0 with 0.0.
        #expect(Datum.double(.nan) == .double(-.nan))
        #expect(Datum.double(.nan) == .double(Double(bitPattern: 0x7FF8_0000_0000_0001)))
        #expect(Datum.double(-0.0) == .double(0.0))
        #expect(Datum.double(1) != .double(.nan))
        // Different cases never compare equal: coerce first.
        #expect(Datum.int(1) != .double(1))
        #expect(Datum.int(5) != .timestamp(5))
        #expect(Datum.null != .string(""))
        #expect(Datum.interval(Interval(days: 1)) != .interval(Interval(nanos: Interval.nanosPerDay)))
    }

    @Test func hashAgreesWithEquality() {
        let values: [Datum] = [.double(.nan), .double(-.nan), .double(0), .double(-0.0), .int(0), .null, .string("a"), .timestamp(0), .bool(false)]
        #expect(Set(values).count == 7)
        var groups: [Datum: Int] = [:]
        for v in values { groups[v, default: 0] += 1 }
        #expect(groups[.double(.nan)] == 2 && groups[.double(0)] == 2 && groups[.int(0)] == 1)
    }

    @Test func identityKeepsTheBits() {
        #expect(!Datum.double(-0.0).isIdentical(to: .double(0.0)))
        #expect(Datum.double(.nan).isIdentical(to: .double(.nan)))
        #expect(!Datum.double(.nan).isIdentical(to: .double(Double(bitPattern: 0x7FF8_0000_0000_0001))))
        #expect(Datum.string("x").isIdentical(to: .string("x")))
        #expect(!Datum.int(1).isIdentical(to: .double(1)))
    }

    @Test func plainTextAndSQLLiteralAreSeparate() {
        let ts: Int64 = 1_704_067_200_000_000_000
        #expect(Datum.string("it's").description == "it's")
        #expect(Datum.string("it's").sqlLiteral == "'it''s'")
        #expect(Datum.timestamp(ts).description == Timestamps.format(ts))
        #expect(Datum.timestamp(ts).sqlLiteral == "TIMESTAMP '\(Timestamps.format(ts))'")
        #expect(Datum.interval(Interval(days: 2)).description == "2 days")
        #expect(Datum.interval(Interval(days: 2)).sqlLiteral == "INTERVAL '2 days'")
        for d: Datum in [.null, .int(-7), .double(2.5), .bool(true)] { #expect(d.description == d.sqlLiteral) }
        #expect(Datum.null.description == "NULL" && Datum.double(2.5).description == "2.5")
    }
}
