import TapeFormat
import Testing
import TapeTestSupport
@testable import TapeIO

@Suite struct TypeInferenceTests {
    static let cases: [([String], ColumnType)] = [
        (["1", "-2", "+3", "", "NA"], .int64),
        (["1", "2.5", "NULL"], .float64),
        (["1e-3", "inf", "-inf", "nan", "Infinity", ".5", "5."], .float64),
        (["True", "False", "null"], .bool),
        (["true", "FALSE", ""], .bool),
        (["0", "1", "1"], .int64),
        (["2019-01-01 00:00:00", "2019-01-02", "2019-01-01T00:00:00.5+01:00"], .timestamp),
        (["abc", "1"], .string),
        (["1", "True"], .string),
        (["2019-01-01", "5"], .string),
        (["", "NA", "null"], .string),
        ([], .string),
        (["99999999999999999999"], .string),  // beyond int64: kept exactly as text, not rounded
        ([" 12 ", "\t3"], .int64),
        (["1,5"], .string),
        (["2019-02-30"], .string),
    ]

    @Test(arguments: cases)
    func infersFromText(samples: [String], expected: ColumnType) {
        #expect(TypeInference.inferType(samples) == expected)
    }

    @Test func infersFromJSONScalars() {
        var t = TypeInference()
        let rows: [[JSONScalar]] = [
            [.int(1), .int(2), .string("2019-01-01T00:00:00Z"), .bool(true), .string("x"), .null],
            [.number("1.5"), .int(3), .string("2019-01-02"), .null, .int(4), .null],
        ]
        for r in rows { for (i, v) in r.enumerated() { t.observe(v, column: i) } }
        #expect(t.columnTypes == [.float64, .int64, .timestamp, .bool, .string, .string])
    }
}

@Suite struct ValueParserTests {
    static let good: [(String, ColumnType, Bool, Value)] = [
        ("42", .int64, false, .int(42)),
        (" -42 ", .int64, false, .int(-42)),
        ("-9223372036854775808", .int64, false, .int(Int64.min)),
        ("1.25", .float64, false, .double(1.25)),
        ("7", .float64, false, .double(7)),
        ("-inf", .float64, false, .double(-.infinity)),
        ("1e-3", .float64, false, .double(0.001)),
        ("0.1", .float64, false, .double(0.1)),
        ("123456789012345678901234567890", .float64, false, .double(1.2345678901234568e29)),
        ("True", .bool, false, .bool(true)),
        ("FALSE", .bool, false, .bool(false)),
        ("2019-01-01 00:00:00", .timestamp, false, .timestamp(1_546_300_800_000_000_000)),
        ("", .float64, false, .null),
        ("NA", .int64, true, .null),
        ("NA", .string, false, .null),
        ("NA", .string, true, .string("NA")),
        ("", .string, true, .string("")),
        ("", .string, false, .null),
        (" padded ", .string, false, .string(" padded ")),
    ]

    @Test(arguments: good)
    func parses(text: String, type: ColumnType, quoted: Bool, expected: Value) throws {
        #expect(try ValueParser.parse(text, as: type, quoted: quoted) == expected)
    }

    @Test func nanParses() throws {
        guard case .double(let d) = try ValueParser.parse("NaN", as: .float64) else {
            Issue.record("not a float")
            return
        }
        #expect(d.isNaN)
    }

    static let bad: [(String, ColumnType)] = [
        ("abc", .float64), ("1.5", .int64), ("9223372036854775808", .int64), ("0", .bool), ("yes", .bool),
        ("1546300800", .timestamp), ("2019-13-01", .timestamp), ("1e", .float64), ("--1", .float64), ("0x10", .int64),
    ]

    @Test(arguments: bad)
    func rejects(text: String, type: ColumnType) {
        #expect(throws: ValueParseError.invalid(expected: type, text: text)) {
            try ValueParser.parse(text, as: type)
        }
    }

    @Test func errorMessage() {
        #expect(ValueParseError.invalid(expected: .float64, text: "abc").description == "expected float64, got \"abc\"")
    }

    @Test func randomDoublesRoundTripThroughDescription() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<20_000 {
            let d = Double(bitPattern: rng.next())
            guard d.isFinite else { continue }
            let text = d.description
            let parsed = text.utf8.withContiguousStorageIfAvailable { NumberParsing.parseDouble(UnsafeRawBufferPointer($0)) } ?? nil
            #expect(parsed == d, "\(text)")
        }
        // Short decimals exercise the fast path.
        for _ in 0..<20_000 {
            let v = Double(Int64(rng.next() % 2_000_000_000) - 1_000_000_000) / 10_000
            var text = String(v)
            let parsed = text.withUTF8 { NumberParsing.parseDouble(UnsafeRawBufferPointer($0)) }
            #expect(parsed == v, "\(text)")
        }
    }
}
