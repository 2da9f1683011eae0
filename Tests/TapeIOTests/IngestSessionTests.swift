import TapeCodec
import TapeFormat
import TapeTestSupport
import Testing
@testable import TapeIO

/// An in-memory `IngestTarget`: tables with their schemas and rows, metadata, expected bars.
final class CollectingTarget: IngestTarget {
    var schemas: [String: Schema] = [:]
    var sinks: [String: BatchSink] = [:]
    var order: [String] = []
    var metadata: [String: String] = [:]
    var expected: (count: Int, table: String)?

    /// Collects batches as rows.
    final class BatchSink: ColumnBatchSink {
        let schema: Schema
        var rows: [[Value]] = []
        init(schema: Schema) { self.schema = schema }
        func append(columns: [ColumnData]) throws {
            let b = RecordBatch(schema: schema, columns: columns, count: columns.first?.count ?? 0)
            for r in 0..<b.count { rows.append((0..<schema.count).map { b.value(row: r, column: $0) }) }
        }
    }

    func declareTable(_ name: String, schema: Schema) throws -> ColumnBatchSink {
        guard schemas[name] == nil else { throw TextInputError(.invalidRecord("duplicate"), line: 0) }
        schemas[name] = schema
        order.append(name)
        let s = BatchSink(schema: schema)
        sinks[name] = s
        return s
    }
    func setMetadata(_ key: String, _ value: String) { metadata[key] = value }
    func expectBars(_ count: Int, table: String) { expected = (count, table) }
    func rows(_ table: String) -> [[Value]] { sinks[table]?.rows ?? [] }
}

private func ingest(_ lines: [String], _ options: IngestSession.Options = .init()) throws
    -> (IngestSession.Ending, CollectingTarget, IngestSession) {
    let target = CollectingTarget()
    let session = try IngestSession(.bytes(Array((lines.joined(separator: "\n") + "\n").utf8)), target: target, options: options)
    return (try session.run(), target, session)
}

/// Runs an ingest that must fail; returns its error and the target as it was left.
private func ingestFailure(_ lines: [String], _ options: IngestSession.Options = .init(),
                           sourceLocation: SourceLocation = #_sourceLocation) throws -> (TextInputError?, CollectingTarget) {
    let target = CollectingTarget()
    let session = try IngestSession(.bytes(Array((lines.joined(separator: "\n") + "\n").utf8)), target: target, options: options)
    do {
        _ = try session.run()
        Issue.record("ingest succeeded", sourceLocation: sourceLocation)
        return (nil, target)
    } catch let e as TextInputError {
        return (e, target)
    }
}

private let t0: Int64 = 1_704_067_200_000_000_000  // 2024-01-01T00:00:00Z

@Suite struct IngestSessionTests {
    @Test func declaredTablesRowsMetadataAndClose() throws {
        let (ending, target, session) = try ingest([
            #"{"$metadata":true,"strategy":"sma","fast":10}"#,
            #"{"$expect_bars":3,"table":"equity"}"#,
            #"{"$schema":"equity","ts":"timestamp!","equity":"float64","table":"string"}"#,
            #"{"$table":"equity","ts":"2024-01-01T00:00:00Z","equity":100000.0,"table":"a"}"#,
            "",
            #"{"$table":"equity","equity":100001,"ts":"2024-01-01T00:01:00Z"}"#,
            #"{"$table":"equity","ts":"2024-01-01T00:02:00Z","equity":null}"#,
            #"{"$close":true,"final":"ok"}"#,
            "",
        ])
        #expect(ending == .closed)
        #expect(target.schemas["equity"]?.columns == [ColumnDef("ts", .timestamp, nullable: false),
                                                     ColumnDef("equity", .float64), ColumnDef("table", .string)])
        #expect(target.rows("equity") == [
            [.timestamp(t0), .double(100000), .string("a")],
            [.timestamp(t0 + 60_000_000_000), .double(100001), .null],
            [.timestamp(t0 + 120_000_000_000), .null, .null],
        ])
        #expect(target.metadata == ["strategy": "sma", "fast": "10", "final": "ok"])
        #expect(target.expected?.count == 3 && target.expected?.table == "equity")
        #expect(session.tableRows.map(\.rows) == [3])
    }

    @Test func undeclaredTablesAreInferredAndInterleave() throws {
        var lines: [String] = []
        for i in 0..<5 {
            lines.append(#"{"$table":"equity","ts":"2024-01-01T00:0\#(i):00Z","equity":\#(100 + i)}"#)
            if i % 2 == 1 { lines.append(#"{"$table":"trades","pnl":\#(i).5,"side":null}"#) }
        }
        lines.append(#"{"$table":"trades","pnl":-1,"side":"short","open":true}"#)
        lines.append(#"{"$cancel":"stopped by user"}"#)
        let (ending, target, _) = try ingest(lines, .init(inferRows: 3))
        #expect(ending == .cancelled(reason: "stopped by user"))
        // Each table's schema comes from its own first 3 rows (a key first seen in row 3 counts).
        #expect(target.schemas["equity"]?.columns == [ColumnDef("ts", .timestamp), ColumnDef("equity", .int64)])
        #expect(target.rows("equity").map { $0[1] } == (0..<5).map { .int(100 + Int64($0)) })
        #expect(target.schemas["trades"]?.columns == [ColumnDef("pnl", .float64), ColumnDef("side", .string), ColumnDef("open", .bool)])
        #expect(target.rows("trades") == [[.double(1.5), .null, .null], [.double(3.5), .null, .null],
                                          [.double(-1), .string("short"), .bool(true)]])
    }

    @Test func endOfInputWithoutCloseKeepsInferredRows() throws {
        let (ending, target, _) = try ingest([#"{"$table":"t","a":1}"#, #"{"$table":"t","a":2}"#])
        #expect(ending == .endOfInput)
        #expect(target.rows("t") == [[.int(1)], [.int(2)]])
    }

    @Test(arguments: [
        (#"{"$table":"t","a":1,"b":2}"#, TextInputError(.unexpectedColumn("b"), line: 3, field: "b")),
        (#"{"$table":"t","a":"x"}"#, TextInputError(.invalidValue(expected: .int64, text: "x"), line: 3, field: "a")),
        (#"{"$table":"t","a":1"#, TextInputError(.invalidJSON("expected ',' or '}'"), line: 3, column: 20)),
        (#"{"a":1,"$table":"t"}"#, TextInputError(.invalidRecord("a record must start with a directive key ($table, $schema, $metadata, $expect_bars, $close, $cancel)"), line: 3)),
        (#"{"$tabel":"t","a":1}"#, TextInputError(.invalidRecord("unknown directive \"$tabel\""), line: 3, field: "$tabel")),
        (#"{"$table":1,"a":1}"#, TextInputError(.invalidRecord("$table needs a table name string"), line: 3, field: "$table")),
        (#"{"$schema":"t","a":"int64"}"#, TextInputError(.invalidRecord("table 't' is already declared"), line: 3, field: "$schema")),
        (#"{"$schema":"u","a":"decimal"}"#, TextInputError(.invalidRecord("column type must be a string: int64, float64, timestamp, duration, bool or string, with an optional trailing '!' for not null"), line: 3, field: "a")),
        (#"{"$expect_bars":-1}"#, TextInputError(.invalidRecord("$expect_bars needs a non-negative integer"), line: 3, field: "$expect_bars")),
    ])
    func malformedLineStopsWithPlaceAndKeepsEarlierRows(line: String, expected: TextInputError) throws {
        let (error, target) = try ingestFailure([#"{"$schema":"t","a":"int64!"}"#, #"{"$table":"t","a":7}"#, line,
                                                 #"{"$table":"t","a":8}"#, #"{"$close":true}"#])
        #expect(error == expected)
        #expect(target.rows("t") == [[.int(7)]])
    }

    @Test func nullInNotNullColumnNamesTheColumn() throws {
        let (error, target) = try ingestFailure([#"{"$schema":"t","a":"int64!","b":"string"}"#, #"{"$table":"t","b":"x"}"#])
        #expect(error == TextInputError(.nullInNonNullableColumn, line: 2, field: "a"))
        #expect(target.rows("t").isEmpty)
    }

    @Test func failureStillWritesRowsHeldForInference() throws {
        let (error, target) = try ingestFailure([#"{"$table":"t","a":1}"#, #"{"$table":"u","b":"x"}"#, #"{"$table":"t","a":2}"#, "{"])
        #expect(error?.line == 4)
        #expect(target.rows("t") == [[.int(1)], [.int(2)]])
        #expect(target.rows("u") == [[.string("x")]])
    }

    @Test func skipMalformedCountsAndContinues() throws {
        let (ending, target, session) = try ingest([
            #"{"$table":"t","a":1}"#, #"{"$table":"t","a":"#, #"{"$table":"t","a":2,"zz":1}"#, #"{"$table":"t","a":3}"#,
            #"{"$close":true}"#,
        ], .init(skipMalformed: true, inferRows: 1))
        #expect(ending == .closed)
        #expect(target.rows("t") == [[.int(1)], [.int(3)]])
        #expect(session.linesSkipped == 2)
        #expect(session.skipped.map(\.line) == [2, 3])
    }

    @Test func columnNamesMayNotStartWithDollar() throws {
        let (error, _) = try ingestFailure([#"{"$schema":"t","$a":"int64"}"#])
        #expect(error == TextInputError(.invalidRecord("column names may not start with '$'"), line: 1, field: "$a"))
        // An inferred table that cannot be declared at $close fails the run even with skipMalformed
        // (its rows cannot be kept); that error is the one reported, before the line after $close.
        let (late, target) = try ingestFailure([#"{"$table":"u","b":1}"#, #"{"$table":"t","$a":1}"#, #"{"$close":true}"#, "{"],
                                               .init(skipMalformed: true))
        #expect(late == TextInputError(.invalidRecord("column names may not start with '$'"), line: 2, field: "$a"))
        #expect(target.rows("u") == [[.int(1)]])
    }

    /// The fast path and the general parser accept the same lines with the same values and
    /// reject the same lines with the same errors, over randomly mutated rows.
    @Test(arguments: [1, 2, 3])
    func fastPathMatchesGeneralPath(seed: UInt64) throws {
        var g = SplitMix64(seed: seed)
        var lines = [#"{"$schema":"t","ts":"timestamp!","px":"float64","n":"int64","ok":"bool","s":"string"}"#]
        for i in 0..<3000 {
            let r = Int(g.next() % 100)
            lines.append(fastPathVariant(r < 70 ? 0 : 1 + r % 14, i))
        }
        lines.append(#"{"$close":true}"#)
        var results: [(rows: [String: [[Value]]], skipped: [TextInputError])] = []
        for fast in [true, false] {
            var options = IngestSession.Options(skipMalformed: true, maxReportedSkips: 10_000, batchRows: 64)
            options.fastPath = fast
            let (ending, target, session) = try ingest(lines, options)
            #expect(ending == .closed)
            results.append((Dictionary(uniqueKeysWithValues: target.order.map { ($0, target.rows($0)) }), session.skipped))
        }
        #expect(results[0].rows == results[1].rows)
        #expect(results[0].skipped == results[1].skipped)
        #expect((results[0].rows["t"]?.count ?? 0) > 2000 && !results[0].skipped.isEmpty)
    }
}

/// Row line number `kind` (0: the plain fast-path row) for the differential test; `i` varies values.
private func fastPathVariant(_ kind: Int, _ i: Int) -> String {
    let second = String(format: "%02d", i % 60)
    switch kind {
    case 0: return #"{"$table":"t","ts":"2024-01-01T00:00:"# + second + #"Z","px":"# + "\(Double(i) / 8)" + #","n":"# + "\(i)" + #","ok":true,"s":"a"# + "\(i)" + #""}"#
    case 1: return #"{ "$table" : "t" , "px" : 1.5e3 , "ts" : "2024-01-01" , "s" : null }"#
    case 2: return #"{"$table":"t","ts":"2024-01-01T00:00:00.5+02:00","px":-0.0,"n":-"# + "\(i)" + #","ok":false,"s":"Zürich \"q\""}"#
    case 3: return #"{"$table":"t","ts":"2024-01-01T00:00:00Z","px":"1.25","n":3.0,"s":7}"#
    case 4: return #"{"$table":"t","ts":"2024-01-01T00:00:00Z","px":1,"n":1,"ok":"true"}"#
    case 5: return #"{"$table":"t","ts":null,"px":1}"#
    case 6: return #"{"$table":"t","ts":"2024-01-01T00:00:00Z","px":1,"px":2}"#
    case 7: return #"{"$table":"t","ts":"2024-01-01T00:00:00Z","px":01}"#
    case 8: return #"{"$table":"t","ts":"not a time","px":1}"#
    case 9: return #"{"$table":"t","ts":"2024-01-01T00:00:00Z","zz":1}"#
    case 10: return #"{"$table":"t","ts":"2024-01-01T00:00:00Z","n":9223372036854775808}"#
    case 11: return "{\"$table\":\"t\",\"ts\":\"2024-01-01T00:00:00Z\",\"s\":\"\u{01}\"}"
    case 12: return #"{"$table":"t","ts":"2024-01-01T00:00:00Z"} x"#
    case 13: return #"{"$table":"u","a":"# + "\(i)" + "}"
    default: return #"{"$table":"t","ts":"2024-01-01T00:00:00Z","ok":nul}"#
    }
}
