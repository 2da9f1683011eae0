import TapeFormat
import Testing
@testable import TapeIO

func importNDJSON(_ text: String, _ options: ImportOptions = ImportOptions()) throws -> (Schema, [[Value]], ImportReport) {
    let importer = try NDJSONImporter(.bytes(Array(text.utf8)), options: options)
    let schema = try importer.inferSchema()
    let sink = CollectingSink()
    let report = try importer.run(into: sink)
    return (schema, sink.rows, report)
}

@Suite struct NDJSONImporterTests {
    @Test func infersAndImports() throws {
        let text = """
            {"ts":"2019-01-01T00:00:00Z","equity":100,"position":1,"live":true,"sym":"A"}
            {"ts":"2019-01-01T00:01:00Z","equity":100.5,"position":2,"live":false}
            {"position":3,"ts":"2019-01-01T00:02:00Z","equity":null,"sym":"B","live":null}
            """
        let (schema, rows, report) = try importNDJSON(text)
        #expect(schema.columns == [ColumnDef("ts", .timestamp), ColumnDef("equity", .float64), ColumnDef("position", .int64),
                                   ColumnDef("live", .bool), ColumnDef("sym", .string)])
        #expect(rows == [
            [.timestamp(1_546_300_800_000_000_000), .double(100), .int(1), .bool(true), .string("A")],
            [.timestamp(1_546_300_860_000_000_000), .double(100.5), .int(2), .bool(false), .null],
            [.timestamp(1_546_300_920_000_000_000), .null, .int(3), .null, .string("B")],
        ])
        #expect(report.rowsImported == 3)
    }

    @Test func unknownKeyAfterSampleAndBadValue() throws {
        var options = ImportOptions()
        options.inferRows = 1
        #expect(importError { _ = try importNDJSON("{\"a\":1}\n{\"a\":2,\"b\":3}\n", options) }
            == TextInputError(.unexpectedColumn("b"), line: 2, field: "b"))
        #expect(importError { _ = try importNDJSON("{\"a\":1}\n{\"a\":\"x\"}\n", options) }
            == TextInputError(.invalidValue(expected: .int64, text: "x"), line: 2, field: "a"))
        options.ignoreExtraColumns = true
        let (_, rows, _) = try importNDJSON("{\"a\":1}\n{\"a\":2,\"b\":3}\n", options)
        #expect(rows == [[.int(1)], [.int(2)]])
    }

    @Test func conversionsWithGivenSchema() throws {
        let schema = try Schema([
            ColumnDef("i", .int64), ColumnDef("f", .float64), ColumnDef("s", .string), ColumnDef("t", .timestamp),
            ColumnDef("b", .bool),
        ])
        let (_, rows, _) = try importNDJSON(
            "{\"i\":2.0,\"f\":3,\"s\":1.5,\"t\":\"2019-01-01\",\"b\":\"True\"}\n{\"i\":\"7\",\"f\":\"inf\",\"s\":true}",
            ImportOptions(schema: schema))
        #expect(rows == [
            [.int(2), .double(3), .string("1.5"), .timestamp(1_546_300_800_000_000_000), .bool(true)],
            [.int(7), .double(.infinity), .string("true"), .null, .null],
        ])
        #expect(importError { _ = try importNDJSON("{\"i\":2.5}", ImportOptions(schema: schema)) }
            == TextInputError(.invalidValue(expected: .int64, text: "2.5"), line: 1, field: "i"))
        #expect(importError { _ = try importNDJSON("{\"t\":1546300800}", ImportOptions(schema: schema)) }
            == TextInputError(.invalidValue(expected: .timestamp, text: "1546300800"), line: 1, field: "t"))
    }

    @Test func skipMalformedJSONLines() throws {
        var options = ImportOptions()
        options.skipMalformed = true
        let (_, rows, report) = try importNDJSON("{\"a\":1}\n{\"a\":\n{\"a\":[2]}\n{\"a\":3}\n", options)
        #expect(rows == [[.int(1)], [.int(3)]])
        #expect(report.linesSkipped == 2)
        #expect(report.skipped.map(\.line) == [2, 3])
    }

    @Test func emptyInputIsAnError() {
        #expect(importError { _ = try importNDJSON("\n\n") } == TextInputError(.emptyInput, line: 0))
    }
}
