import TapeCodec
import TapeFormat
import Testing
import TapeTestSupport
@testable import TapeIO

#if canImport(Glibc)
import Glibc
#endif

/// Adapts a formatter's output to the importer's input and compares values.
@Suite struct RoundTripTests {
    static let schema = try! Schema([
        ColumnDef("ts", .timestamp), ColumnDef("f", .float64), ColumnDef("i", .int64), ColumnDef("b", .bool),
        ColumnDef("s", .string),
    ])

    static let alphabet: [String] = ["a", "Z", "0", " ", ",", "\"", "\n", "\r", "\r\n", "\t", ";", "é", "€", "😀", "N", "A", "\\", "{", "'"]

    static func randomRows(_ count: Int, _ rng: inout SplitMix64) -> [[Value]] {
        (0..<count).map { _ in
            func maybeNull(_ v: Value) -> Value { rng.next() % 7 == 0 ? .null : v }
            let ts = Int64(bitPattern: rng.next()) / 1000 * 1000
            let f: Double
            switch rng.next() % 4 {
            case 0: f = Double(bitPattern: rng.next())
            case 1: f = Double(Int64(bitPattern: rng.next()) % 1_000_000) / 100
            case 2: f = [Double.infinity, -.infinity, 0, -0.0, 1e300, .leastNonzeroMagnitude][Int(rng.next() % 6)]
            default: f = Double(Int64(bitPattern: rng.next()) % 1000)
            }
            var s = ""
            let special = ["", "NA", "NULL", "null", " x ", "\"\""]
            if rng.next() % 5 == 0 {
                s = special[Int(rng.next() % UInt64(special.count))]
            } else {
                for _ in 0..<(rng.next() % 12) { s += alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            }
            return [maybeNull(.timestamp(ts)), maybeNull(.double(f.isNaN ? 0 : f)), maybeNull(.int(Int64(bitPattern: rng.next()))),
                    maybeNull(.bool(rng.next() % 2 == 0)), maybeNull(.string(s))]
        }
    }

    @Test(arguments: [1, 2, 3])
    func csvWriterThenReaderGivesBackTheValues(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let rows = RoundTripTests.randomRows(500, &rng)
        let sink = ByteSink.inMemory()
        let f = CSVFormatter(schema: RoundTripTests.schema, sink: sink)
        for chunk in stride(from: 0, to: rows.count, by: 128) {
            try f.write(makeBatch(RoundTripTests.schema, Array(rows[chunk..<min(chunk + 128, rows.count)])))
        }
        try f.finish()

        let importer = try CSVImporter(.bytes(sink.contents), options: ImportOptions(schema: RoundTripTests.schema))
        let out = CollectingSink()
        let report = try importer.run(into: out)
        #expect(report.rowsImported == rows.count)
        #expect(out.rows.isIdentical(to: rows))
    }

    @Test(arguments: [4, 5])
    func csvWriterThenInferenceFindsTheTypes(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var rows = RoundTripTests.randomRows(300, &rng)
        // Inference needs at least one non-null per column; strings that read as other types are excluded.
        rows[0] = [.timestamp(0), .double(1.5), .int(1), .bool(true), .string("text")]
        for r in rows.indices { if case .string(let s) = rows[r][4], TypeInference.inferType([s]) != .string { rows[r][4] = .string("x" + s) } }
        let sink = ByteSink.inMemory()
        let f = CSVFormatter(schema: RoundTripTests.schema, sink: sink)
        try f.write(makeBatch(RoundTripTests.schema, rows))
        try f.finish()
        let importer = try CSVImporter(.bytes(sink.contents))
        let inferred = try importer.inferSchema()
        #expect(inferred.columns.map(\.type) == RoundTripTests.schema.columns.map(\.type))
        let out = CollectingSink()
        _ = try importer.run(into: out)
        #expect(out.rows.isIdentical(to: rows))
    }

    @Test(arguments: [6, 7])
    func jsonlWriterThenNDJSONReaderGivesBackTheValues(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var rows = RoundTripTests.randomRows(400, &rng)
        // JSON has no infinities: they are written as null.
        for r in rows.indices { if case .double(let d) = rows[r][1], !d.isFinite { rows[r][1] = .null } }
        let sink = ByteSink.inMemory()
        let f = JSONLFormatter(schema: RoundTripTests.schema, sink: sink)
        try f.write(makeBatch(RoundTripTests.schema, rows))
        try f.finish()
        let importer = try NDJSONImporter(.bytes(sink.contents), options: ImportOptions(schema: RoundTripTests.schema))
        let out = CollectingSink()
        _ = try importer.run(into: out)
        #expect(out.rows.isIdentical(to: rows))
    }
}

@Suite(.serialized) struct FileIOTests {
    func tempPath(_ name: String) -> String { "/tmp/tapeio-test-\(getpid())-\(name)" }

    @Test func readsAFileInSmallBlocksAndWritesOneBack() throws {
        let path = tempPath("rw.csv")
        defer { unlink(path) }
        let sink = try ByteSink(path: path, flushThreshold: 100)
        let schema = try Schema([ColumnDef("i", .int64), ColumnDef("s", .string)])
        let f = CSVFormatter(schema: schema, sink: sink)
        let rows: [[Value]] = (0..<1000).map { [.int(Int64($0)), .string("row \($0)\nsecond line")] }
        try f.write(makeBatch(schema, rows))
        try f.finish()
        try sink.close()

        let reader = try CSVReader(.path(path), blockSize: 64)
        var n = 0
        var lastLine = 0
        while try reader.readRecord() {
            n += 1
            lastLine = reader.recordLine
        }
        #expect(n == 1001)
        #expect(lastLine == 2 * 1000)
    }

    @Test func missingFileIsAnIOError() {
        #expect(throws: TextInputError.self) { try CSVReader(.path("/nonexistent/dir/x.csv")) }
    }

    @Test func brokenPipeIsReportedAsSuch() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])
        defer { close(fds[1]) }
        let sink = ByteSink(fileDescriptor: fds[1], flushThreshold: 1)
        sink.write("hello\n")
        #expect(throws: OutputError.brokenPipe) { try sink.flush() }
    }
}
