import Testing
@testable import TapeIO

func readAllJSON(_ text: String, blockSize: Int = 256 << 10) throws -> [(Int, [String], [JSONScalar])] {
    let r = try NDJSONReader(text: text, blockSize: blockSize)
    var out: [(Int, [String], [JSONScalar])] = []
    while try r.readObject() { out.append((r.recordLine, r.keys, r.values)) }
    return out
}

func jsonError(_ text: String) -> TextInputError? {
    do {
        _ = try readAllJSON(text)
        return nil
    } catch let e as TextInputError {
        return e
    } catch {
        return nil
    }
}

@Suite struct NDJSONReaderTests {
    @Test(arguments: [3, 8, 256 << 10])
    func scalarsLinesAndBlankLines(blockSize: Int) throws {
        let text = """
            {"a": 1, "b": -2.5e3, "c": "x", "d": true, "e": null}

            {"a":9223372036854775807,"b":0,"c":"","d":false,"e":1.0}\r
               \t
            {}
            {"big": 9223372036854775808, "neg": -9223372036854775808, "exp": 1E2}
            """
        let r = try readAllJSON(text, blockSize: blockSize)
        #expect(r.map(\.0) == [1, 3, 5, 6])
        #expect(r[0].1 == ["a", "b", "c", "d", "e"])
        #expect(r[0].2 == [.int(1), .number("-2.5e3"), .string("x"), .bool(true), .null])
        #expect(r[1].2 == [.int(Int64.max), .int(0), .string(""), .bool(false), .number("1.0")])
        #expect(r[2].1.isEmpty)
        #expect(r[3].2 == [.number("9223372036854775808"), .int(Int64.min), .number("1E2")])
    }

    @Test func stringEscapes() throws {
        let line = #"{"k\"ey": "q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u20ac \ud83d\ude00 raw é"}"#
        let r = try readAllJSON(line)
        #expect(r[0].1 == ["k\"ey"])
        #expect(r[0].2 == [.string("q\" b\\ s/ \u{8}\u{C}\n\r\t Aé€ 😀 raw é")])
    }

    @Test func keysReusedAcrossLinesStayCorrect() throws {
        let r = try readAllJSON("{\"a\":1,\"b\":2}\n{\"a\":3,\"c\":4}\n{\"b\":5,\"a\":6}\n")
        #expect(r.map(\.1) == [["a", "b"], ["a", "c"], ["b", "a"]])
    }

    static let malformed: [(String, TextInputError)] = [
        ("{\"a\":1}\n{\"a\":[1]}", TextInputError(.nestedValue, line: 2, column: 6)),
        ("{\"a\":{\"b\":1}}", TextInputError(.nestedValue, line: 1, column: 6)),
        ("[1,2]", TextInputError(.nestedValue, line: 1, column: 1)),
        ("{\"a\":1,\"a\":2}", TextInputError(.duplicateKey("a"), line: 1, column: 8)),
        ("{\"a\":1", TextInputError(.invalidJSON("expected ',' or '}'"), line: 1, column: 7)),
        ("{\"a\" 1}", TextInputError(.invalidJSON("expected ':' after a key"), line: 1, column: 6)),
        ("{\"a\":tru}", TextInputError(.invalidJSON("invalid literal"), line: 1, column: 6)),
        ("{\"a\":01}", TextInputError(.invalidJSON("expected ',' or '}'"), line: 1, column: 7)),
        ("{\"a\":1.}", TextInputError(.invalidJSON("invalid number"), line: 1, column: 8)),
        ("{\"a\":-}", TextInputError(.invalidJSON("invalid number"), line: 1, column: 7)),
        ("{\"a\":NaN}", TextInputError(.invalidJSON("unexpected character in a value"), line: 1, column: 6)),
        ("{\"a\":\"x}", TextInputError(.invalidJSON("unterminated string"), line: 1, column: 6)),
        ("{\"a\":\"\\x\"}", TextInputError(.invalidJSON("invalid escape"), line: 1, column: 7)),
        ("{\"a\":\"\\ud83d\"}", TextInputError(.invalidJSON("unpaired surrogate"), line: 1, column: 7)),
        ("{\"a\":\"\\ude00\"}", TextInputError(.invalidJSON("unpaired surrogate"), line: 1, column: 7)),
        ("{\"a\":\"\\u12G4\"}", TextInputError(.invalidJSON("invalid \\u escape"), line: 1, column: 7)),
        ("{\"a\":\"tab\there\"}", TextInputError(.invalidJSON("control character in a string"), line: 1, column: 10)),
        ("{\"a\":1} x", TextInputError(.invalidJSON("unexpected text after the object"), line: 1, column: 9)),
        ("\n\n 42", TextInputError(.invalidJSON("expected '{' at the start of the line"), line: 3, column: 2)),
        ("{a:1}", TextInputError(.invalidJSON("expected a key string"), line: 1, column: 2)),
    ]

    @Test(arguments: malformed)
    func malformedLinesReportLineAndColumn(text: String, expected: TextInputError) {
        #expect(jsonError(text) == expected)
    }

    @Test func invalidUTF8IsAnError() throws {
        var bytes = Array("{\"a\":\"".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array("\"}".utf8)
        let r = try NDJSONReader(.bytes(bytes))
        #expect(throws: TextInputError(.invalidUTF8, line: 1, column: 7)) { try r.readObject() }
    }
}
