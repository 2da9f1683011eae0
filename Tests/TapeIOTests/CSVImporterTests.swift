import TapeFormat
import Testing
@testable import TapeIO

func importCSV(_ text: String, _ options: ImportOptions = ImportOptions()) throws -> (Schema, [[Value]], ImportReport) {
    let importer = try CSVImporter(.bytes(Array(text.utf8)), options: options)
    let schema = try importer.inferSchema()
    let sink = CollectingSink()
    let report = try importer.run(into: sink)
    return (schema, sink.rows, report)
}

func importError(_ body: () throws -> Void) -> TextInputError? {
    do {
        try body()
        return nil
    } catch let e as TextInputError {
        return e
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

@Suite struct CSVImporterTests {
    /// What `pandas.DataFrame.to_csv(index=False)` writes.
    static let pandasCSV = """
        ts,equity,cash,position,price,live,symbol
        2019-01-01 00:00:00,100000.0,100000.0,0,101.5,True,AAPL
        2019-01-01 00:01:00,100012.5,50000.0,10,,False,AAPL
        2019-01-01 00:02:00,99990.25,50000.0,10,99.75,True,"BRK,B"

        """

    @Test func infersPandasOutput() throws {
        let (schema, rows, report) = try importCSV(CSVImporterTests.pandasCSV)
        #expect(schema.columns == [
            ColumnDef("ts", .timestamp), ColumnDef("equity", .float64), ColumnDef("cash", .float64),
            ColumnDef("position", .int64), ColumnDef("price", .float64), ColumnDef("live", .bool),
            ColumnDef("symbol", .string),
        ])
        #expect(rows.count == 3)
        #expect(rows[1] == [.timestamp(1_546_300_860_000_000_000), .double(100012.5), .double(50000), .int(10), .null,
                            .bool(false), .string("AAPL")])
        #expect(rows[2][6] == .string("BRK,B"))
        #expect(report.rowsImported == 3 && report.linesSkipped == 0)
    }

    @Test func pandasIndexColumnGetsAName() throws {
        let (schema, rows, _) = try importCSV(",a\n0,x\n1,y\n")
        #expect(schema.columns.map(\.name) == ["column_1", "a"])
        #expect(rows == [[.int(0), .string("x")], [.int(1), .string("y")]])
    }

    @Test func typeMismatchAfterInferenceSampleNamesLineAndField() {
        var options = ImportOptions()
        options.inferRows = 2
        let e = importError { _ = try importCSV("a,b\n1,x\n2,y\n3.5,z\n", options) }
        #expect(e == TextInputError(.invalidValue(expected: .int64, text: "3.5"), line: 4, field: "a"))
        #expect(e?.description == "line 4, field 'a': expected int64, got \"3.5\"")
    }

    @Test func wrongFieldCountIsReported() {
        let e = importError { _ = try importCSV("a,b\n1,2\n3\n") }
        #expect(e == TextInputError(.wrongFieldCount(expected: 2, found: 1), line: 3))
    }

    @Test func lineNumbersAfterEmbeddedNewlines() {
        let e = importError { _ = try importCSV("a,b\n1,\"x\ny\"\n2,\"p\r\nq\"\n3\n") }
        #expect(e == TextInputError(.wrongFieldCount(expected: 2, found: 1), line: 6))
    }

    @Test func skipMalformedCountsAndKeepsGoing() throws {
        var options = ImportOptions(schema: try Schema([ColumnDef("a", .int64), ColumnDef("b", .string)]))
        options.skipMalformed = true
        options.maxReportedSkips = 2
        let text = "a,b\n1,x\nbad,y\n2,\"q\"z\n3\n4,w\n5,\"open\n"
        let (_, rows, report) = try importCSV(text, options)
        #expect(rows == [[.int(1), .string("x")], [.int(4), .string("w")]])
        #expect(report.rowsImported == 2)
        #expect(report.linesSkipped == 4)
        #expect(report.skipped == [
            TextInputError(.invalidValue(expected: .int64, text: "bad"), line: 3, field: "a"),
            TextInputError(.charactersAfterClosingQuote, line: 4, column: 6),
        ])
    }

    @Test func skipMalformedDuringInference() throws {
        var options = ImportOptions()
        options.skipMalformed = true
        let (schema, rows, report) = try importCSV("a,b\n1,2\n3\n4,5\n", options)
        #expect(schema.columns.map(\.type) == [.int64, .int64])
        #expect(rows == [[.int(1), .int(2)], [.int(4), .int(5)]])
        #expect(report.linesSkipped == 1)
        #expect(report.skipped.first?.line == 3)
    }

    @Test func givenSchemaMatchesByNameAndReorders() throws {
        let schema = try Schema([ColumnDef("b", .float64), ColumnDef("a", .string, nullable: false)])
        let (_, rows, _) = try importCSV("a,b\nx,1\ny,2.5\n", ImportOptions(schema: schema))
        #expect(rows == [[.double(1), .string("x")], [.double(2.5), .string("y")]])
    }

    @Test func givenSchemaMissingAndExtraColumns() throws {
        let schema = try Schema([ColumnDef("a", .int64), ColumnDef("c", .int64)])
        #expect(importError { _ = try importCSV("a,b,c\n1,2,3\n", ImportOptions(schema: try Schema([ColumnDef("z", .int64)]))) }
            == TextInputError(.missingColumn("z"), line: 1))
        #expect(importError { _ = try importCSV("a,b,c\n1,2,3\n", ImportOptions(schema: schema)) }
            == TextInputError(.unexpectedColumn("b"), line: 1))
        let (_, rows, _) = try importCSV("a,b,c\n1,2,3\n", ImportOptions(schema: schema, ignoreExtraColumns: true))
        #expect(rows == [[.int(1), .int(3)]])
    }

    @Test func nullInNonNullableColumn() throws {
        let schema = try Schema([ColumnDef("a", .int64, nullable: false)])
        #expect(importError { _ = try importCSV("a\n1\nNA\n", ImportOptions(schema: schema)) }
            == TextInputError(.nullInNonNullableColumn, line: 3, field: "a"))
    }

    @Test func headerProblems() {
        #expect(importError { _ = try importCSV("") } == TextInputError(.emptyInput, line: 0))
        #expect(importError { _ = try importCSV("a,a\n1,2\n") } == TextInputError(.badHeader("duplicate column name 'a'"), line: 1))
    }

    @Test func noHeaderOption() throws {
        var options = ImportOptions()
        options.hasHeader = false
        let (schema, rows, _) = try importCSV("1,x\n2,y\n", options)
        #expect(schema.columns.map(\.name) == ["column_1", "column_2"])
        #expect(rows.count == 2)
    }

    @Test func bufferedRowsAreReplayedBeforeTheRest() throws {
        var options = ImportOptions()
        options.inferRows = 3
        var text = "n\n"
        for i in 0..<10 { text += "\(i)\n" }
        let (_, rows, report) = try importCSV(text, options)
        #expect(rows == (0..<10).map { [.int(Int64($0))] })
        #expect(report.rowsImported == 10)
    }

    @Test func tabDelimited() throws {
        var options = ImportOptions()
        options.delimiter = UInt8(ascii: "\t")
        let (schema, rows, _) = try importCSV("a\tb\n1\thello, world\n", options)
        #expect(schema.columns.map(\.type) == [.int64, .string])
        #expect(rows == [[.int(1), .string("hello, world")]])
    }
}
