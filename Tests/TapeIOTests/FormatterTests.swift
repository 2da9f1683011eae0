import Foundation
import TapeCodec
import TapeFormat
import Testing
@testable import TapeIO

/// A batch of the columns `ts, equity, n, ok, sym` from rows of Values.
func makeBatch(_ schema: Schema, _ rows: [[Value]]) -> RecordBatch {
    var columns: [ColumnData] = []
    for (c, def) in schema.columns.enumerated() {
        var validity = Bitmap()
        var nulls = 0
        var ints: [Int64] = [], floats: [Double] = [], bools: [Bool] = [], strings = StringArray()
        for row in rows {
            let v = row[c]
            validity.append(!v.isNull)
            if v.isNull { nulls += 1 }
            switch (def.type, v) {
            case (.int64, .int(let x)), (.timestamp, .timestamp(let x)), (.duration, .int(let x)): ints.append(x)
            case (.float64, .double(let x)): floats.append(x)
            case (.bool, .bool(let x)): bools.append(x)
            case (.string, .string(let x)): _ = try? strings.append(x)
            case (.int64, _), (.timestamp, _), (.duration, _): ints.append(0)
            case (.float64, _): floats.append(0)
            case (.bool, _): bools.append(false)
            case (.string, _): strings.appendEmpty()
            }
        }
        let storage: ColumnLayout
        switch def.type {
        case .int64, .timestamp, .duration: storage = .int64(ints)
        case .float64: storage = .float64(floats)
        case .bool: storage = .bool(Bitmap(bools))
        case .string: storage = .strings(strings)
        }
        columns.append(ColumnData(type: def.type, storage: storage, validity: nulls > 0 ? validity : nil))
    }
    return RecordBatch(schema: schema, columns: columns, count: rows.count)
}

let sampleSchema = try! Schema([
    ColumnDef("ts", .timestamp), ColumnDef("equity", .float64), ColumnDef("n", .int64), ColumnDef("ok", .bool),
    ColumnDef("sym", .string),
])

let sampleRows: [[Value]] = [
    [.timestamp(1_546_300_800_000_000_000), .double(100), .int(-5), .bool(true), .string("AAPL")],
    [.timestamp(1_546_300_800_500_000_000), .double(0.1), .null, .bool(false), .string("a,b \"q\"")],
    [.null, .double(.nan), .int(Int64.min), .null, .null],
    [.timestamp(-1), .double(-.infinity), .int(0), .bool(true), .string("")],
    [.timestamp(0), .double(1e-7), .int(7), .bool(true), .string("line\nbreak\t é")],
]

@Suite struct FormatterTests {
    func render<F: RecordFormatter>(_ type: F.Type, _ batches: [RecordBatch]) throws -> String {
        let sink = ByteSink.inMemory(flushThreshold: 16)
        let f = F(schema: sampleSchema, sink: sink)
        for b in batches { try f.write(b) }
        try f.finish()
        return sink.text
    }

    @Test func csvExactOutput() throws {
        let text = try render(CSVFormatter.self, [makeBatch(sampleSchema, Array(sampleRows[0..<2])),
                                                 makeBatch(sampleSchema, Array(sampleRows[2...]))])
        let expected = [
            "ts,equity,n,ok,sym",
            "2019-01-01T00:00:00Z,100.0,-5,true,AAPL",
            "2019-01-01T00:00:00.500Z,0.1,,false,\"a,b \"\"q\"\"\"",
            ",nan,-9223372036854775808,,",
            "1969-12-31T23:59:59.999999999Z,-inf,0,true,\"\"",
            "1970-01-01T00:00:00Z,1e-07,7,true,\"line\nbreak\t é\"",
            "",
        ].joined(separator: "\n")
        #expect(text == expected)
    }

    @Test func floatsAreSpelledAsSwiftsDescription() throws {
        // Cells are written without a `String` per number: they must still spell `description`
        // exactly, for every kind of double (random bit patterns, subnormals, signed zeros and
        // NaNs, powers of ten at the exponent switch-overs).
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, .nan, -.nan, Double(nan: 7, signaling: true), .infinity, -.infinity,
                                .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude, .ulpOfOne, 100, 0.1]
        values += (-20...20).flatMap { e in [pow(10, Double(e)), -pow(10, Double(e)) * 1.5] }
        values += (0..<20_000).map { _ in Double(bitPattern: rng.next()) }
        values += (0..<20_000).map { _ in Double.random(in: -1e6...1e6, using: &rng) }
        for style in [CellStyle.csv(delimiter: 44), .table] {
            var out: [UInt8] = [0x7C]
            var expected: [UInt8] = [0x7C]
            for v in values {
                CellRenderer.appendDouble(v, style: style, to: &out)
                out.append(0x0A)
                expected += Array(v.description.utf8) + [0x0A]
            }
            #expect(out == expected)
        }
    }

    @Test func csvQuotesWhatWouldNotReadBack() throws {
        let schema = try Schema([ColumnDef("s", .string)])
        let sink = ByteSink.inMemory()
        let f = CSVFormatter(schema: schema, sink: sink)
        try f.write(makeBatch(schema, [[.string(" lead")], [.string("trail ")], [.string("NA")], [.string("null")],
                                      [.string("plain text")], [.string("cr\r")], [.null]]))
        try f.finish()
        #expect(sink.text == "s\n\" lead\"\n\"trail \"\n\"NA\"\n\"null\"\nplain text\n\"cr\r\"\n\n")
    }

    @Test func csvHeaderOnlyWhenNoRows() throws {
        #expect(try render(CSVFormatter.self, []) == "ts,equity,n,ok,sym\n")
    }

    @Test func jsonlExactOutput() throws {
        let text = try render(JSONLFormatter.self, [makeBatch(sampleSchema, sampleRows)])
        let expected = #"""
            {"ts":"2019-01-01T00:00:00Z","equity":100.0,"n":-5,"ok":true,"sym":"AAPL"}
            {"ts":"2019-01-01T00:00:00.500Z","equity":0.1,"n":null,"ok":false,"sym":"a,b \"q\""}
            {"ts":null,"equity":"NaN","n":-9223372036854775808,"ok":null,"sym":null}
            {"ts":"1969-12-31T23:59:59.999999999Z","equity":"-Infinity","n":0,"ok":true,"sym":""}
            {"ts":"1970-01-01T00:00:00Z","equity":1e-07,"n":7,"ok":true,"sym":"line\nbreak\t é"}

            """#
        #expect(text == expected)
    }

    @Test func jsonlOutputParsesBack() throws {
        let text = try render(JSONLFormatter.self, [makeBatch(sampleSchema, sampleRows)])
        let r = try readAllJSON(text)
        #expect(r.count == 5)
        #expect(r[1].2[4] == .string("a,b \"q\""))
        #expect(r[4].2[4] == .string("line\nbreak\t é"))
    }

    @Test func jsonEscapesControlCharacters() throws {
        let schema = try Schema([ColumnDef("k\"ey", .string)])
        let sink = ByteSink.inMemory()
        let f = JSONLFormatter(schema: schema, sink: sink)
        try f.write(makeBatch(schema, [[.string("\u{1}\u{1F}\\/\u{8}\u{C}\r")]]))
        try f.finish()
        let expected = #"{"k\"ey":"\u0001\u001f\\/\b\f\r"}"# + "\n"
        #expect(sink.text == expected)
    }

    @Test func tableExactOutput() throws {
        let sink = ByteSink.inMemory()
        let f = TableFormatter(schema: sampleSchema, sink: sink, sampleRows: 3, maxColumnWidth: 24)
        try f.write(makeBatch(sampleSchema, Array(sampleRows[0..<2])))
        try f.write(makeBatch(sampleSchema, Array(sampleRows[2...])))
        try f.finish()
        // Widths come from the first 3 rows; rows 4 and 5 stream and are cut to fit.
        let expected = [
            "ts                        equity                     n  ok     sym",
            "------------------------  ------  --------------------  -----  -------",
            "2019-01-01T00:00:00Z       100.0                    -5  true   AAPL",
            "2019-01-01T00:00:00.500Z     0.1                  NULL  false  a,b \"q\"",
            "NULL                         nan  -9223372036854775808  NULL   NULL",
            "1969-12-31T23:59:59.999…    -inf                     0  true   ",
            "1970-01-01T00:00:00Z       1e-07                     7  true   line\\n…",
            "",
        ].joined(separator: "\n")
        #expect(sink.text == expected)
    }

    @Test func tableEmpty() throws {
        let sink = ByteSink.inMemory()
        let f = TableFormatter(schema: try Schema([ColumnDef("a", .int64), ColumnDef("bb", .string)]), sink: sink)
        try f.finish()
        #expect(sink.text == "a  bb\n-  --\n")
    }

    @Test func dictionaryColumnsRender() throws {
        let schema = try Schema([ColumnDef("s", .string)])
        var validity = Bitmap()
        for ok in [true, false, true] { validity.append(ok) }
        let col = ColumnData(type: .string, storage: .dictionary(entries: ((try? StringArray(["x,y", "z"])) ?? StringArray()), indices: [1, 0, 0]),
                             validity: validity)
        let sink = ByteSink.inMemory()
        let f = CSVFormatter(schema: schema, sink: sink)
        try f.write(RecordBatch(schema: schema, columns: [col], count: 3))
        try f.finish()
        #expect(sink.text == "s\nz\n\n\"x,y\"\n")
    }
}
