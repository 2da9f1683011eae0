import TapeFormat
import Testing
@testable import TapeIO

/// Imports and ingests must store the values they were given (issue 13): no number re-printed
/// from a double into a string column, no integer column widened to float64 by rounding, no
/// leading zeros or signs of zero dropped.
@Suite struct ExactValuesTests {
    private func ingestRows(_ lines: [String]) throws -> (CollectingTarget, IngestSession.Ending) {
        let target = CollectingTarget()
        let session = try IngestSession(.bytes(Array((lines.joined(separator: "\n") + "\n").utf8)), target: target)
        return (target, try session.run())
    }

    @Test func jsonNumbersKeepTheirTextInStringColumns() throws {
        let texts = ["12345678901234567890123", "1E2", "-0", "0.1000000000000000055511151231257827", "1e-400", "7"]
        let lines = [#"{"$schema":"t","s":"string"}"#] + texts.map { #"{"$table":"t","s":\#($0)}"# } + [#"{"$close":true}"#]
        let (target, _) = try ingestRows(lines)
        #expect(target.rows("t") == texts.map { [.string($0)] })
        // Same through `tape import --ndjson` with a given schema, and in run metadata.
        var options = ImportOptions()
        options.schema = try Schema([ColumnDef("s", .string)])
        let (_, rows, _) = try importNDJSON(texts.map { #"{"s":\#($0)}"# }.joined(separator: "\n"), options)
        #expect(rows == texts.map { [.string($0)] })
        let (meta, _) = try ingestRows([#"{"$metadata":true,"big":12345678901234567890123,"e":1E2}"#, #"{"$close":true}"#])
        #expect(meta.metadata == ["big": "12345678901234567890123", "e": "1E2"])
    }

    @Test func integerBeyondInt64MakesAnInferredColumnExactText() throws {
        let (schema, rows, _) = try importNDJSON("""
            {"id":9007199254740993}
            {"id":9223372036854775808}
            {"id":-5}
            """)
        #expect(schema.columns == [ColumnDef("id", .string)])
        #expect(rows == [[.string("9007199254740993")], [.string("9223372036854775808")], [.string("-5")]])
        // Ingest infers the same way: nothing rounded.
        let (target, _) = try ingestRows([#"{"$table":"t","id":9007199254740993}"#, #"{"$table":"t","id":9223372036854775808}"#])
        #expect(target.schemas["t"]?.columns == [ColumnDef("id", .string)])
        #expect(target.rows("t") == [[.string("9007199254740993")], [.string("9223372036854775808")]])
    }

    @Test func intsBeyondTwoToThe53AmongFloatsStayExact() throws {
        let (schema, rows, _) = try importNDJSON("{\"x\":1.5}\n{\"x\":9007199254740993}\n")
        #expect(schema.columns == [ColumnDef("x", .string)])
        #expect(rows == [[.string("1.5")], [.string("9007199254740993")]])
        // Small ints among floats still widen to float64 (exactly).
        let (s2, r2, _) = try importNDJSON("{\"x\":1.5}\n{\"x\":9007199254740992}\n{\"x\":-3}\n")
        #expect(s2.columns == [ColumnDef("x", .float64)])
        #expect(r2 == [[.double(1.5)], [.double(9007199254740992)], [.double(-3)]])
    }

    @Test func declaredInt64RejectsWhatItCannotHoldExactly() throws {
        var options = ImportOptions()
        options.schema = try Schema([ColumnDef("n", .int64)])
        let (_, rows, _) = try importNDJSON("{\"n\":1E2}\n{\"n\":5.000}\n{\"n\":-0}\n{\"n\":1234567890123456789.0}\n{\"n\":1e18}\n", options)
        #expect(rows == [[.int(100)], [.int(5)], [.int(0)], [.int(1_234_567_890_123_456_789)], [.int(1_000_000_000_000_000_000)]])
        for bad in ["9223372036854775808", "1.5", "1e19", "-9223372036854775809"] {
            #expect(importError { _ = try importNDJSON("{\"n\":\(bad)}\n", options) }
                == TextInputError(.invalidValue(expected: .int64, text: bad), line: 1, field: "n"))
        }
    }

    @Test func floatLiteralBeyondDoubleRangeIsNotInfinity() throws {
        // Inferred: no numeric type holds 1e400, so the column keeps the text.
        let (schema, rows, _) = try importNDJSON("{\"x\":1.5}\n{\"x\":1e400}\n")
        #expect(schema.columns == [ColumnDef("x", .string)])
        #expect(rows == [[.string("1.5")], [.string("1e400")]])
        let (csvSchema, csvRows, _) = try importCSV("x\n1.5\n-1e400\n")
        #expect(csvSchema.columns.map(\.type) == [.string] && csvRows[1] == [.string("-1e400")])
        // Declared float64: an error naming the value, not a silent inf; `inf` itself still parses.
        var options = ImportOptions()
        options.schema = try Schema([ColumnDef("x", .float64)])
        #expect(importError { _ = try importNDJSON("{\"x\":1e400}\n", options) }
            == TextInputError(.invalidValue(expected: .float64, text: "1e400"), line: 1, field: "x"))
        let (_, inf, _) = try importNDJSON("{\"x\":\"inf\"}\n{\"x\":1e-400}\n", options)
        #expect(inf == [[.double(.infinity)], [.double(0)]])
    }

    @Test func negativeZeroKeepsItsSignInFloatColumns() throws {
        for fast in [true, false] {
            var o = IngestSession.Options()
            o.fastPath = fast
            let target = CollectingTarget()
            let lines = [#"{"$schema":"t","f":"float64"}"#, #"{"$table":"t","f":-0}"#, #"{"$table":"t","f":-0.0}"#, #"{"$close":true}"#]
            _ = try IngestSession(.bytes(Array(lines.joined(separator: "\n").utf8)), target: target, options: o).run()
            let signs = target.rows("t").map { row -> Bool in
                if case .double(let d) = row[0] { return d.sign == .minus && d == 0 }
                return false
            }
            #expect(signs == [true, true], "fastPath \(fast)")
        }
    }

    @Test func csvLeadingZerosAndHugeIntegersStayText() throws {
        let (schema, rows, _) = try importCSV("zip,id,n\n00501,99999999999999999999,1\n02134,1,-2\n")
        #expect(schema.columns.map(\.type) == [.string, .string, .int64])
        #expect(rows == [[.string("00501"), .string("99999999999999999999"), .int(1)],
                         [.string("02134"), .string("1"), .int(-2)]])
        // A lone 0 and -0 are ordinary integers.
        #expect(TypeInference.inferType(["0", "-0", "10"]) == .int64)
    }

    @Test func recordAfterCloseIsAnErrorNamingItsLine() throws {
        let target = CollectingTarget()
        let lines = [#"{"$table":"t","x":1}"#, #"{"$close":true}"#, "", #"{"$table":"t","x":2}"#]
        let session = try IngestSession(.bytes(Array(lines.joined(separator: "\n").utf8)), target: target)
        #expect(throws: TextInputError(.invalidRecord("a record after the $close record of line 2; $close must be the last record (nothing after it is stored)"), line: 4)) {
            try session.run()
        }
        #expect(target.rows("t") == [[.int(1)]])   // the rows before $close are still handed over
        let cancelled = try IngestSession(.bytes(Array("{\"$cancel\":null}\n{\"$close\":true}\n".utf8)), target: CollectingTarget())
        #expect(throws: TextInputError.self) { try cancelled.run() }
    }

    @Test func outOfRangeTimestampSaysTheValueAndTheRange() throws {
        var options = ImportOptions()
        options.schema = try Schema([ColumnDef("ts", .timestamp)])
        let e = importError { _ = try importNDJSON("{\"ts\":\"2024-01-01\"}\n{\"ts\":\"3000-01-01T00:00:00Z\"}\n", options) }
        #expect(e?.description == #"line 2, field 'ts': timestamp "3000-01-01T00:00:00Z" is outside the range Tape stores (1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z: int64 nanoseconds since 1970)"#)
        // Text that is no timestamp at all (or a day that does not exist) keeps the plain message.
        for text in ["soon", "2023-02-29", "1677-02-29"] {
            let e = importError { _ = try importNDJSON("{\"ts\":\"\(text)\"}\n", options) }
            #expect(e?.description == "line 1, field 'ts': expected timestamp, got \"\(text)\"")
        }
        let csv = importError {
            var o = ImportOptions()
            o.schema = options.schema
            _ = try importCSV("ts\n1600-06-01 12:00:00\n", o)
        }
        #expect(csv?.description.contains("timestamp \"1600-06-01 12:00:00\" is outside the range") == true)
    }

    @Test func lineWithFortyThousandKeys() throws {
        let n = 40_000
        let object = "{" + (0..<n).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        let parsed = try readAllJSON(object)
        #expect(parsed.first?.1.count == n)
        #expect(parsed.first?.2.last == .int(Int64(n - 1)))
        // A duplicate far past the first keys is still found.
        let dup = "{" + (0..<n).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"k7\":1}"
        let e = importError { _ = try readAllJSON(dup) }
        #expect(e?.problem == .duplicateKey("k7"))
        // (Before issue 13 the key set was rebuilt per key: this line took ~30 s; now ~0.1 s.)
    }
}
