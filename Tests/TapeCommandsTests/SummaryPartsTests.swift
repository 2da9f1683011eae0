import Foundation
import Testing
import Tape
import TapeCodec
import TapeFormat
@testable import TapeCommands
import TapeTestSupport

// `tape summary` at scale loads directories side by side into parts of the table and appends them
// in order, and finds the first rows of a sort without sorting everything: both must give exactly
// what the one-by-one, sort-everything way gives.

/// Every cell of `table` (rows in path order) as text, with the names it saw.
private func cells(_ table: RunTable, paths: RunPathList) -> [String] {
    let view = SummaryView(table: table, paths: paths)
    let names = ["run", "path", "status"] + table.wanted
    return view.rows.map { r in names.map { view.datum(view.source($0), Int(r)).sqlLiteral }.joined(separator: "|") }
        + ["types: \(view.types)", "metrics: \(table.metricNames.sorted())", "metadata: \(table.metadataKeys.sorted())"]
}

private func facts(_ i: Int) -> RunFacts {
    var meta: [(key: String, value: String)] = [("fast", String(i % 7))]
    if i % 3 == 0 { meta.append(("strategy", "s\(i % 2)")) }
    if i % 5 == 1 { meta.append(("run_id", "id\(i)")) }
    if i % 4 == 2 { meta.append(("Extra", "e\(i)")) }   // found through `ignoringCase` only
    var metrics: [(name: String, value: RunMetrics.Value)] = [("sharpe", .double(Double(i % 11) / 3))]
    // A metric whose kind changes between runs: a DOUBLE column takes any number, a BIGINT
    // column leaves doubles null.
    metrics.append(("mixed", i < 9 ? .int(Int64(i)) : .double(Double(i) + 0.5)))
    metrics.append(("late", i < 13 ? .double(0.25) : .int(Int64(i))))
    if i % 2 == 0 { metrics.append(("trades", .int(Int64(i)))) }
    return RunFacts(metadata: meta, metrics: RunMetrics(entries: metrics), status: i % 6 == 0 ? .cancelled : .complete, metricsStored: true)
}

@Suite("tape summary: table parts and partial sort")
struct SummaryPartsTests {
    @Test func partsAppendedInOrderEqualRowsAppendedOneByOne() {
        let count = 40
        let paths = RunPathList((0..<count).map { "d\($0 / 10)/r\($0).tape" })
        let wanted = ["sharpe", "mixed", "late", "trades", "fast", "strategy", "absent"]
        var one = RunTable(wanted: wanted, ignoringCase: ["extra"])
        for i in 0..<count { one.append(path: i, facts: facts(i)) }
        // Parts of uneven sizes (one empty, one where "late" changes kind inside).
        for cuts in [[0, 10, 10, 25, 40], [0, 1, 2, 3, 40], [0, 40], [0, 39, 40]] {
            var whole = RunTable(wanted: wanted, ignoringCase: ["extra"])
            whole.reserveCapacity(count)
            for (a, b) in zip(cuts, cuts.dropFirst()) {
                var part = whole.emptyPart()
                for i in a..<b { part.append(path: i, facts: facts(i)) }
                whole.append(contentsOf: part)
            }
            #expect(cells(whole, paths: paths) == cells(one, paths: paths), "cuts \(cuts)")
            #expect(whole.wanted == one.wanted)
        }
        #expect(one.wanted.contains("Extra"))
    }

    @Test func columnsBuiltFromTheTableEqualTheRowByRowValues() throws {
        // Every kind of source: run (with and without ids), path, status, metrics of each kind
        // (a BIGINT column leaving doubles null), metadata typed BIGINT/DOUBLE/BOOLEAN/TIMESTAMP/
        // VARCHAR with runs lacking the key, and a name no run has; rows in a shuffled order.
        let count = 40
        let paths = RunPathList((0..<count).map { "d\($0 / 10)/r\($0).tape" })
        func typedFacts(_ i: Int) -> RunFacts {
            var f = facts(i)
            if i % 3 != 1 { f.metadata.append(("ratio", String(Double(i) / 8))) }
            if i % 2 == 0 { f.metadata.append(("flag", i % 4 == 0 ? "true" : "false")) }
            if i % 5 != 2 { f.metadata.append(("since", "2024-01-\(String(format: "%02d", i % 28 + 1))T00:00:00Z")) }
            f.metadata.append(("word", i % 9 == 0 ? "" : "w,\"\(i % 4)"))
            return f
        }
        let wanted = ["sharpe", "mixed", "late", "trades", "fast", "strategy", "ratio", "flag", "since", "word", "absent"]
        var table = RunTable(wanted: wanted)
        for i in 0..<count { table.append(path: i, facts: typedFacts(i)) }
        let view = SummaryView(table: table, paths: paths)
        #expect(Set(view.types) == [.double, .int, .string, .bool, .timestamp])
        var order = view.rows
        order.shuffle()
        for name in ["run", "path", "status"] + wanted {
            let source = view.source(name)
            let type = view.type(source).columnType
            for rows in [order[...], order[5..<5], order[3..<17]] {
                let column = try view.column(source, rows: rows)
                #expect(column.type == type)
                #expect(column.count == rows.count)
                let batch = RecordBatch(schema: try Schema([ColumnDef(name, type)]), columns: [column], count: column.count)
                let got = (0..<column.count).map { batch.value(row: $0, column: 0) }
                let want = rows.map { view.datum(source, Int($0)) }
                #expect(got.map(\.sqlLiteral) == want.map(\.sqlLiteral), "\(name)")
            }
        }
    }

    @Test func aRunWithoutAnIDIsNamedByItsFileNameWithoutTape() {
        for (path, stem) in [("a/b/run1.tape", "run1"), (".tape", ".tape"), ("d/.tape", ".tape"), ("x.tape", "x"),
                             ("dir/x.TAPE", "x.TAPE"), ("nodir", "nodir"), ("ré/é.tape", "é"), ("/r.tape.tape", "r.tape")] {
            #expect(RunFacts.stem(path) == stem, "\(path)")
            #expect(RunFacts.stem(utf8: ArraySlice(path.utf8)) == stem, "\(path)")
        }
    }

    @Test func theFirstRowsOfASortAreThoseOfTheFullSort() {
        var g = SplitMix64(seed: 77)
        for n in [0, 1, 5, 100, 1000] {
            // Keys with many ties and missing values.
            let keys: [Int?] = (0..<n).map { _ in g.next() % 5 == 0 ? nil : Int(g.next() % 17) }
            let less: (Int, Int) -> Bool = { a, b in
                switch (keys[a], keys[b]) {
                case (nil, nil): return a < b
                case (nil, _): return false
                case (_, nil): return true
                case let (x?, y?): return x == y ? a < b : x > y
                }
            }
            let full = SummaryTable.ordered(n, limit: nil, by: less)
            #expect(full == (0..<n).sorted(by: less))
            for k in [0, 1, 3, 20, n / 4, n, n + 5] {
                #expect(SummaryTable.ordered(n, limit: k, by: less) == Array(full.prefix(k)), "n \(n) k \(k)")
            }
        }
    }

    @Test func sortWithALimitKeepsTheRowsOfTheFullSort() {
        let count = 200
        let paths = RunPathList((0..<count).map { "r\($0).tape" })
        var table = RunTable(wanted: ["sharpe", "mixed", "fast", "strategy"])
        for i in 0..<count { table.append(path: i, facts: facts(i)) }
        for key in ["-sharpe", "sharpe", "fast", "-strategy", "run", "-mixed", "nothing"] {
            var full = SummaryView(table: table, paths: paths)
            SummaryTable.sort(&full, by: key)
            for k in [0, 1, 7, 49, 50, 199, 500] {
                var top = SummaryView(table: table, paths: paths)
                SummaryTable.sort(&top, by: key, limit: k)
                #expect(Array(top.rows.prefix(k)) == Array(full.rows.prefix(k)), "\(key) top \(k)")
            }
        }
    }

    @Test func directoriesLoadedSideBySideOrInBlocksGiveTheSameTable() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        // Five directories of uneven sizes and a few runs at the top.
        var paths: [String] = []
        for (d, n) in [("", 3), ("/a", 9), ("/b", 1), ("/b/c", 14), ("/d", 6), ("/e", 2)] {
            try FileManager.default.createDirectory(atPath: dir.path("runs") + d, withIntermediateDirectories: true)
            for i in 0..<n {
                let path = dir.path("runs") + d + "/r\(i).tape"
                let w = try TapeWriter(path: path, metadata: ["fast": String(i), "dir": d])
                let eq = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
                for b in 0..<5 { try eq.append(values: [.timestamp(1_704_067_200_000_000_000 + Int64(b) * 86_400_000_000_000), .double(100 + Double((b * (i + 2)) % 5))]) }
                try w.close()
                paths.append(path)
            }
        }
        try Data("not a run".utf8).write(to: URL(fileURLWithPath: dir.path("runs/d/bad.tape")))
        let list = try RunPaths.expandCompact([dir.path("runs")])
        #expect(list.count == paths.count + 1)
        // Subdirectories listed side by side give the one-thread walk's order (full path bytes).
        let sequential = try RunPaths.tapeFiles(under: dir.path("runs"))
        #expect(Array(list) == sequential && sequential == sequential.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        for workers in [1, 2, 5] {
            var l = RunPathList()
            RunPaths.walk(Array(dir.path("runs").utf8), workers: workers, into: &l)
            #expect(Array(l) == sequential, "\(workers) workers")
        }
        let later = Int64(Date().timeIntervalSince1970 * 1e9) + 3_600_000_000_000
        func load(workers: Int, blockSize: Int, cache: RunTableLoader.CacheMode) -> [String] {
            var table = RunTable(wanted: ["sharpe", "fast", "dir", "bars"])
            var done: [Int] = []
            let failures = RunTableLoader(paths: list, cache: cache, workers: workers, now: later, blockSize: blockSize)
                .load(into: &table) { done.append($0) }
            #expect(done == done.sorted() && done.last == list.count, "progress \(done)")
            return cells(table, paths: list) + failures.map { "failed: \($0.path)" }
        }
        let reference = load(workers: 1, blockSize: 8192, cache: .off)
        #expect(reference.contains { $0.hasPrefix("failed: ") && $0.hasSuffix("/d/bad.tape") })
        for (workers, blockSize) in [(2, 8192), (2, 4), (3, 1), (1, 5)] {
            for cache in [RunTableLoader.CacheMode.on, .on, .off] {
                #expect(load(workers: workers, blockSize: blockSize, cache: cache) == reference, "workers \(workers) block \(blockSize) \(cache)")
            }
        }
    }
}
