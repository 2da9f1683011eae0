import Foundation
import Testing
import Tape
import TapeCodec
import TapeFormat
import TapeIO
@testable import TapeCommands
import TapeTestSupport

// `tape summary`'s fast footer scan (`ScannedFooter`) never answers differently from the full
// reader: for every file it accepts, the facts are `RunFacts(path:)`'s; every file the full
// reader refuses, it refuses too (the run is then read, and reported, by the full reader).

private let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

/// The facts the scan gives for `path`, nil when it leaves the file to the full reader.
private func scanned(_ path: String) -> RunFacts? {
    let url = URL(fileURLWithPath: path)
    let dir = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
    defer { close(dir) }
    guard let s = ScannedFooter.scan(directory: dir, name: url.lastPathComponent) else { return nil }
    var merge = CacheMerge(dir: url.deletingLastPathComponent().path, enabled: false)
    let record = merge.record(name: ArraySlice(url.lastPathComponent.utf8), scanned: s)
    #expect(record.identity == FileIdentity(path: path))
    return try? record.facts(names: merge.map.names)
}

private func writeRun(_ path: String, metadata: [String: String], rows: Int = 40, metrics: Bool = true, cancel: Bool = false,
                      extraTables: Int = 0) throws {
    var options = WriterOptions()
    if !metrics { options.metrics = nil }
    let w = try TapeWriter(path: path, options: options, metadata: metadata)
    let eq = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
    for i in 0..<rows {
        try eq.append(values: [.timestamp(1_704_067_200_000_000_000 + Int64(i) * 86_400_000_000_000), .double(100 + Double((i * 7) % 11))])
    }
    let tr = try w.declareTable("trades", columns: [ColumnDef("pnl", .float64), ColumnDef("note", .string)])
    for i in 0..<(rows / 4) { try tr.append(values: [.double(Double(i % 5) - 2), .string("n\(i)")]) }
    for t in 0..<extraTables {
        let x = try w.declareTable("x\(t)", columns: [ColumnDef("a", .int64), ColumnDef("b", .bool), ColumnDef("c", .string)])
        for i in 0..<3 { try x.append(values: [.int(Int64(i)), .bool(i % 2 == 0), .null]) }
    }
    if cancel { try w.cancel(reason: "stopped") } else { try w.close() }
}

@Suite("tape summary fast footer scan")
struct SummaryFastPathTests {
    @Test func scannedFactsEqualTheFullReadersOnRunsOfEveryShape() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var paths: [String] = []
        func add(_ name: String, _ body: (String) throws -> Void) rethrows {
            let p = dir.path(name)
            try body(p)
            paths.append(p)
        }
        try add("plain.tape") { try writeRun($0, metadata: ["strategy": "sma", "fast": "5"]) }
        try add("unicode.tape") { try writeRun($0, metadata: ["stratégie": "moyenne mobile é", "symbol": "日経", "emoji": "📈"]) }
        try add("cancelled.tape") { try writeRun($0, metadata: ["strategy": "x"], cancel: true) }
        try add("statuses.tape") { try writeRun($0, metadata: ["tape.incomplete": "true", "tape.recovered": "true", "tape.cancelled": "true"]) }
        try add("no-metadata.tape") { try writeRun($0, metadata: [:]) }
        try add("many-tables.tape") { try writeRun($0, metadata: ["k": "v"], extraTables: 12) }
        // Larger than the whole-read limit: trailer and footer read apart.
        try add("large.tape") { try writeRun($0, metadata: ["big": String(repeating: "z", count: 70_000)], rows: 20_000) }
        let big = try #require(FileManager.default.attributesOfItem(atPath: dir.path("large.tape"))[.size] as? Int)
        #expect(big > ScannedFooter.wholeReadLimit)
        for p in paths {
            let full = try RunFacts(path: p)
            let fast = try #require(scanned(p), "the scan refused \(p)")
            #expect(fast == full, "\(p)")
        }
        // No stored metrics: they are computed from the tables, by the full reader.
        try writeRun(dir.path("computed.tape"), metadata: [:], metrics: false)
        #expect(scanned(dir.path("computed.tape")) == nil)
    }

    @Test("Every committed fixture and conformance file: the scan agrees with the full reader or leaves the file to it")
    func theScanNeverAcceptsWhatTheFullReaderRefuses() throws {
        var files: [String] = []
        for sub in ["Fixtures", "Conformance"] {
            let d = testsDirectory.appendingPathComponent(sub).path
            for name in try FileManager.default.contentsOfDirectory(atPath: d) where name.hasSuffix(".tape") { files.append(d + "/" + name) }
        }
        #expect(files.count > 40)
        var accepted = 0
        for f in files {
            let full = Result { try RunFacts(path: f) }
            guard let fast = scanned(f) else { continue }
            accepted += 1
            switch full {
            case .success(let facts): #expect(fast == facts, "\(f)")
            case .failure(let error): Issue.record("the scan accepted \(f), which the full reader refuses: \(error)")
            }
        }
        #expect(accepted > 0)
    }

    @Test func craftedFootersWithAValidChecksumAreCheckedAsTheFullReaderChecksThem() throws {
        // A footer re-sealed with a correct CRC but an index the full reader refuses (rows that
        // do not continue, a chunk outside its frame, a duplicate table, a bad table name): the
        // scan must not vouch for it; the full reader reports it.
        let dir = TempDir(); defer { dir.cleanup() }
        let good = dir.path("good.tape")
        try writeRun(good, metadata: ["strategy": "sma"], rows: 40)
        let reader = try TapeReader(path: good)
        let footer = reader.footer
        let dataEnd = reader.footerOffset
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: good)))[0..<dataEnd]
        var crafted: [(String, Footer)] = []
        var f = footer
        f.tables[0].chunks[0].rowStart = 1
        crafted.append(("rows do not continue", f))
        f = footer
        f.tables[0].chunks[0].frameLength += 1
        crafted.append(("chunk frame and body disagree", f))
        f = footer
        f.tables.append(f.tables[0])
        crafted.append(("duplicate table", f))
        f = footer
        f.tables[1].name = "bad\u{7}name"
        crafted.append(("bad table name", f))
        f = footer
        f.tables[0].rowCount += 1
        crafted.append(("row count", f))
        for (what, footer) in crafted {
            var w = ByteWriter()
            footer.encodeSealed(at: dataEnd, into: &w)
            let p = dir.path("crafted.tape")
            try Data(Array(data) + w.bytes).write(to: URL(fileURLWithPath: p))
            #expect(throws: (any Error).self, "\(what)") { try TapeReader(path: p) }
            #expect(scanned(p) == nil, "\(what)")
        }
    }

    @Test func damagedTruncatedOrUnsealedFilesAreLeftToTheFullReader() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let good = dir.path("good.tape")
        try writeRun(good, metadata: ["strategy": "sma"])
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: good)))
        // Every single-byte change of the last 200 bytes (footer, trailer) and of the header.
        let positions = Array(0..<16) + Array(max(16, bytes.count - 200)..<bytes.count)
        for at in positions {
            var b = bytes
            b[at] ^= 0x5A
            let p = dir.path("flip.tape")
            try Data(b).write(to: URL(fileURLWithPath: p))
            if let fast = scanned(p) {
                // Only a change the full reader also accepts (none is expected: the footer has a CRC).
                #expect((try? RunFacts(path: p)) == fast, "byte \(at)")
            }
        }
        for cut in [0, 10, 16, 40, bytes.count / 2, bytes.count - 1] {
            let p = dir.path("cut.tape")
            try Data(bytes[0..<cut]).write(to: URL(fileURLWithPath: p))
            #expect(scanned(p) == nil, "cut at \(cut)")
        }
        // Being written (no footer yet).
        let w = try TapeWriter(path: dir.path("open.tape"), metadata: ["a": "b"])
        let t = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
        for i in 0..<3 { try t.append(values: [.timestamp(1_704_067_200_000_000_000 + Int64(i) * 86_400_000_000_000), .double(100 + Double(i))]) }
        #expect(scanned(dir.path("open.tape")) == nil)
        try w.close()
        #expect(try scanned(dir.path("open.tape")) == RunFacts(path: dir.path("open.tape")))
    }

    @Test func linesWrittenInParallelEqualTheFormattersOutput() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        for i in 0..<23 { try writeRun(dir.path("r\(i).tape"), metadata: ["fast": String(i), "note": i % 3 == 0 ? "a,\"b\"\n" : "c"], rows: 8 + i) }
        let paths = try RunPaths.expand([dir.url.path])
        var table = RunTable(wanted: SummaryTable.defaultNames + ["fast", "note"])
        #expect(RunTableLoader(paths: paths, cache: .off).load(into: &table).isEmpty)
        let view = SummaryView(table: table, paths: paths)
        let columns = SummaryTable.defaultColumns(for: view) + ["fast", "note", "path"]
        for csv in [true, false] {
            let expected = ByteSink.inMemory()
            var f: RecordFormatter?
            try SummaryTable.batches(view, columns: columns, batchRows: 5) { batch in
                let formatter = f ?? (csv ? CSVFormatter(schema: batch.schema, sink: expected) as RecordFormatter : JSONLFormatter(schema: batch.schema, sink: expected))
                f = formatter
                try formatter.write(batch)
            }
            try f?.finish()
            for workers in [1, 2, 3] {
                for batchRows in [1, 4, 100] {
                    let got = ByteSink.inMemory()
                    try SummaryTable.writeLines(view, columns: columns, workers: workers, batchRows: batchRows, lines: { schema, sink in
                        csv ? CSVFormatter(schema: schema, sink: sink, delimiter: UInt8(ascii: ","), includeHeader: false) as RecordFormatter
                            : JSONLFormatter(schema: schema, sink: sink)
                    }, header: csv ? CSVFormatter.self as RecordFormatter.Type : JSONLFormatter.self, to: got)
                    #expect(got.text == expected.text, "csv \(csv), \(workers) workers, \(batchRows) rows per batch")
                }
            }
        }
    }
}
