import Foundation
import Testing
import Tape
import TapeCodec
import TapeTestSupport
@testable import TapeQuery

/// The paths that make a query faster without changing its answer: the top-N cut-off at any
/// thread count, partial aggregations per scan thread above joins (`MorselPipeline`), GROUP BY
/// several keys through per-column codes (`KeyTupleIds`), and the hash join's build-side gather.
/// Each is checked against one thread and against answers computed here from the rows written.
@Suite struct ParallelPipelineTests {
    /// 3 runs of `t` (k DOUBLE with NaN, -0.0, 0.0 and NULL; g BIGINT with NULLs; s VARCHAR with
    /// NULLs; v DOUBLE of exact halves) in 97-row chunks, and the rows as written.
    struct Data {
        let dir = TempDir()
        var paths: [String] = []
        var rows: [(run: String, k: Double?, g: Int64?, s: String?, v: Double)] = []
    }

    static let data: Data = {
        var d = Data()
        var rng = SplitMix64(seed: 11)
        let ks: [Double?] = [.nan, -0.0, 0.0, 1.5, nil, -2.25]
        let ss: [String?] = ["AAPL", "MSFT", nil, "ES", "é"]
        for r in 0..<3 {
            let path = d.dir.path("run\(r).tape")
            var options = WriterOptions()
            options.rowsPerChunk = 97
            let w = try! TapeWriter(path: path, options: options, metadata: ["strategy": r == 1 ? "b" : "a"])
            let t = try! w.declareTable("t", columns: [ColumnDef("i", .int64), ColumnDef("k", .float64), ColumnDef("g", .int64),
                                                        ColumnDef("s", .string), ColumnDef("v", .float64)])
            for i in 0..<2_000 {
                let k = ks[Int(rng.next() % UInt64(ks.count))]
                let g: Int64? = rng.next() % 11 == 0 ? nil : Int64(rng.next() % 4)
                let s = ss[Int(rng.next() % UInt64(ss.count))]
                let v = Double(Int(rng.next() % 201) - 100) / 2
                try! t.append(values: [.int(Int64(i)), k.map(Value.double) ?? .null, g.map(Value.int) ?? .null, s.map(Value.string) ?? .null, .double(v)])
                d.rows.append(("run\(r)", k, g, s, v))
            }
            _ = try! w.close()
            d.paths.append(path)
        }
        return d
    }()

    func rows(_ sql: String, threads: Int, memoryLimit: Int = 2 << 30) throws -> [[Value]] {
        try Query(sql: sql, paths: Self.data.paths, options: QueryOptions(threads: threads, memoryLimit: memoryLimit)).rows()
    }

    /// Rows as text, sorted (GROUP BY output order is not part of the answer).
    func sorted(_ r: [[Value]]) -> [String] { r.map { "\($0)" }.sorted() }

    @Test func footersReadSideBySideGiveTheRunsInPathOrderAndTheFirstError() throws {
        // Enough runs for two threads (and beyond `keptOpen`, so they are detached): the same
        // runs in the same order as one thread; a bad path fails with the first bad path's error.
        let dir = TempDir(); defer { dir.cleanup() }
        var paths: [String] = []
        for r in 0..<150 {
            let path = dir.path("r\(String(format: "%03d", (r * 37) % 150)).tape")
            let w = try TapeWriter(path: path, metadata: r % 3 == 0 ? ["run_id": "id\(r)", "k": String(r)] : ["k": String(r)])
            let t = try w.declareTable(r % 5 == 0 ? "u" : "t", columns: [ColumnDef("x", .int64)])
            try t.append(values: [.int(Int64(r))])
            _ = try w.close()
            paths.append(path)
        }
        let one = try RunSet(paths: paths, threads: 1)
        let two = try RunSet(paths: paths, threads: 2)
        #expect(one.runs.map(\.path) == paths && two.runs.map(\.path) == paths)
        #expect(two.runs.map(\.id) == one.runs.map(\.id))
        #expect(two.runs.map(\.metadata) == one.runs.map(\.metadata))
        #expect(two.runs.map { $0.tables.map(\.name) } == one.runs.map { $0.tables.map(\.name) })
        #expect(try Query(sql: "SELECT run, x FROM t ORDER BY x", paths: paths, options: QueryOptions(threads: 2)).rows()
            == Query(sql: "SELECT run, x FROM t ORDER BY x", paths: paths, options: QueryOptions(threads: 1)).rows())
        var broken = paths
        broken[40] = dir.path("missing-a.tape")
        broken[120] = dir.path("missing-b.tape")
        for threads in [1, 2] {
            do {
                _ = try RunSet(paths: broken, threads: threads)
                Issue.record("a missing run was not reported")
            } catch {
                #expect("\(error)".contains("missing-a.tape") && !"\(error)".contains("missing-b.tape"), "\(error)")
            }
        }
    }

    @Test func aggregateOverAJoinRunsPerScanThreadWithTheOneThreadAnswer() throws {
        let sql = "SELECT a.k, a.g, r.strategy, count(*), sum(a.v), min(a.s), first(a.v), last(a.s), arg_max(a.i, a.v), arg_min(a.s, a.v) "
            + "FROM t a JOIN runs r USING (run) GROUP BY ALL"
        let one = try rows(sql, threads: 1)
        let two = try rows(sql, threads: 2)
        #expect(sorted(one) == sorted(two))
        // 6 k values (NaN, ±0 as one, 1.5, NULL, -2.25 → 5) × 5 g values × 2 strategies at most.
        #expect(one.count <= 50 && one.count > 20)
        // Counts per (k, g, strategy) from the rows written: NaN one group, -0.0 and 0.0 one group.
        var expected: [String: Int] = [:]
        for row in Self.data.rows {
            let k = row.k.map { $0.isNaN ? "nan" : ($0 == 0 ? "0" : "\($0)") } ?? "null"
            expected["\(k)|\(row.g.map(String.init) ?? "null")|\(row.run == "run1" ? "b" : "a")", default: 0] += 1
        }
        var got: [String: Int] = [:]
        for r in two {
            let k: String
            switch r[0] {
            case .double(let x): k = x.isNaN ? "nan" : (x == 0 ? "0" : "\(x)")
            default: k = "null"
            }
            let g: String
            if case .int(let x) = r[1] { g = String(x) } else { g = "null" }
            if case .string(let s) = r[2], case .int(let n) = r[3] { got["\(k)|\(g)|\(s)"] = Int(n) }
        }
        #expect(got == expected)
        let q = try Query(sql: "EXPLAIN " + sql, paths: Self.data.paths, options: QueryOptions(threads: 2))
        #expect(q.explain().contains("partial per scan thread on 2 threads"), "\(q.explain())")
        let q1 = try Query(sql: "EXPLAIN " + sql, paths: Self.data.paths, options: QueryOptions(threads: 1))
        #expect(!q1.explain().contains("partial per scan thread"))
    }

    /// RIGHT and FULL hash joins (unmatched build rows emitted once, after every chunk) and ASOF
    /// joins (ties in the right side's times included) probe on the scan's worker threads below a
    /// partial aggregation, with the one-thread answer, order-sensitive aggregates included.
    @Test(arguments: [
        "SELECT r.strategy, r.run, count(*), count(a.i), sum(a.v), first(a.i), last(a.s), arg_max(a.i, a.v) FROM (SELECT * FROM t WHERE run = 'run0' AND v > 10) a RIGHT JOIN runs r USING (run) GROUP BY ALL",
        "SELECT a.g, b.g, count(*), sum(a.v), first(a.i), last(b.g) FROM t a FULL JOIN (SELECT DISTINCT g FROM t WHERE g > 1) b ON a.g = b.g + 1 GROUP BY ALL",
        "SELECT a.s, count(*), count(b.v), sum(b.v), first(b.i), last(b.i) FROM t a FULL JOIN (SELECT * FROM t WHERE v > 45) b ON a.run = b.run AND a.i = b.i + 1 AND a.v < b.v GROUP BY ALL",
        "SELECT a.s, count(*), sum(b.v), min(b.i), first(b.i), last(b.v) FROM t a ASOF JOIN (SELECT * FROM t WHERE v > 40) b ON a.run = b.run AND a.i >= b.i GROUP BY ALL",
        "SELECT a.g, count(*), count(b.i), sum(b.v), first(b.i), last(b.i) FROM t a ASOF LEFT JOIN (SELECT * FROM t WHERE v > 30) b ON a.run = b.run AND a.g < b.g GROUP BY ALL",
        "SELECT count(*), sum(b.v), first(b.i), last(b.i) FROM t a ASOF JOIN (SELECT * FROM t WHERE run = 'run2') b ON a.k >= b.k",
    ])
    func rightFullAndAsofJoinsProbePerScanThread(sql: String) throws {
        let one = try rows(sql, threads: 1)
        #expect(!one.isEmpty)
        #expect(sorted(one) == sorted(try rows(sql, threads: 2)), "\(sql)")
        let q = try Query(sql: "EXPLAIN " + sql, paths: Self.data.paths, options: QueryOptions(threads: 2))
        #expect(q.explain().contains("partial per scan thread on 2 threads"), "\(q.explain())")
    }

    /// Joins that feed a projection, sort or limit (no aggregate above) probe on the scan's
    /// threads too, handing rows on in scan order: the same rows in the same order at 1 and 2
    /// threads, RIGHT/FULL's unmatched build rows once, LIMIT stopping early.
    @Test(arguments: [
        "SELECT a.i, a.v, b.i, b.s FROM t a RIGHT JOIN (SELECT * FROM t WHERE v > 20) b ON a.k = b.k AND a.run = b.run",
        "SELECT a.i, b.i, b.v FROM t a FULL JOIN (SELECT * FROM t WHERE v > 40) b ON a.k = b.k AND a.g = b.g AND a.run = b.run ORDER BY b.v, a.i",
        "SELECT a.i, b.i FROM t a JOIN t b ON a.k = b.k AND a.run = b.run",
        "SELECT a.i, b.i, b.v FROM t a LEFT JOIN (SELECT * FROM t WHERE v > 20) b ON a.k = b.k AND a.run = b.run ORDER BY a.v LIMIT 50",
        "SELECT a.i, a.g, b.i, b.v FROM t a ASOF LEFT JOIN (SELECT * FROM t WHERE v > 30) b ON a.run = b.run AND a.g < b.g",
        "SELECT a.i, b.i FROM t a ASOF JOIN (SELECT * FROM t WHERE run = 'run2') b ON a.k >= b.k ORDER BY b.i LIMIT 100",
        "SELECT a.i, b.i, c.i FROM t a FULL JOIN (SELECT * FROM t WHERE v > 45) b ON a.k = b.k AND a.run = b.run RIGHT JOIN (SELECT * FROM t WHERE v < -45) c ON a.k = c.k AND a.run = c.run",
    ])
    func joinsOutsideAggregatesProbePerScanThread(sql: String) throws {
        let one = try rows(sql, threads: 1)
        #expect(!one.isEmpty)
        #expect(one.map { $0.map(\.description) } == (try rows(sql, threads: 2)).map { $0.map(\.description) }, "\(sql)")
        let q = try Query(sql: "EXPLAIN " + sql, paths: Self.data.paths, options: QueryOptions(threads: 2))
        #expect(q.explain().contains("probed per scan thread on 2 threads"), "\(q.explain())")
        // Unmatched build rows come once: as many NULL-left rows as build rows nobody matched.
        if sql.contains("RIGHT JOIN (SELECT * FROM t WHERE v > 20)") {
            let unmatched = one.filter { $0[0] == .null }.count
            let expected = try rows("SELECT count(*) FROM (SELECT * FROM t WHERE v > 20) b WHERE NOT EXISTS (SELECT 1 FROM t a WHERE a.k = b.k AND a.run = b.run)", threads: 1)
            #expect([[Value.int(Int64(unmatched))]] == expected)
        }
    }

    @Test func aggregateOverFiltersAndProjectionsOfASubqueryRunsPerScanThread() throws {
        let sql = "SELECT x.key, count(*), sum(x.w), max(x.s) FROM (SELECT g * 10 + (CASE WHEN k IS NULL THEN 1 ELSE 0 END) AS key, v * 2 AS w, s FROM t WHERE v > -30) x "
            + "WHERE x.w < 80 GROUP BY x.key"
        let one = try rows(sql, threads: 1)
        #expect(sorted(one) == sorted(try rows(sql, threads: 2)))
        var expected: [String: Int] = [:]
        for row in Self.data.rows where row.v > -30 && row.v * 2 < 80 {
            let key = row.g.map { String($0 * 10 + (row.k == nil ? 1 : 0)) } ?? "null"
            expected[key, default: 0] += 1
        }
        var got: [String: Int] = [:]
        for r in one {
            let key: String
            if case .int(let x) = r[0] { key = String(x) } else { key = "null" }
            if case .int(let n) = r[1] { got[key] = Int(n) }
        }
        #expect(got == expected)
    }

    @Test func parallelAggregateBeyondTheMemoryLimitSpillsWithTheSameAnswer() throws {
        let sql = "SELECT a.i, a.run, count(*), sum(a.v) FROM t a JOIN runs r USING (run) GROUP BY ALL"
        let all = try rows(sql, threads: 1)
        let spilled = try Query(sql: sql, paths: Self.data.paths, options: QueryOptions(threads: 2, memoryLimit: 256 << 10))
        let got = try spilled.rows()
        #expect(sorted(got) == sorted(all))
        #expect(got.count == 6_000)
        #expect(spilled.explainAnalyzed().contains("spilled"), "\(spilled.explainAnalyzed())")
        // Without GROUP BY keys, count(DISTINCT x) alone spills (partitioned by x) …
        let distinct = "SELECT count(DISTINCT a.i * 1000 + a.g) FROM t a JOIN runs r USING (run)"
        #expect(try rows(distinct, threads: 2, memoryLimit: 16 << 10) == rows(distinct, threads: 1))
        // … other parallel states cannot: the limit is named.
        #expect {
            _ = try rows("SELECT count(DISTINCT a.i * 1000 + a.g), sum(a.v) FROM t a JOIN runs r USING (run)", threads: 2, memoryLimit: 16 << 10)
        } throws: { e in
            let m = (e as? QueryError)?.message ?? ""
            return m.contains("16 KiB (--memory-limit, 8 KiB per thread)")
        }
    }

    @Test(arguments: [
        "SELECT run, i, v FROM t WHERE g IS NOT NULL ORDER BY i LIMIT 5",
        "SELECT run, i, v FROM t ORDER BY i DESC LIMIT 4",
        "SELECT run, i, k FROM t WHERE s <> 'ES' ORDER BY k DESC NULLS LAST, run, i LIMIT 6",
        "SELECT run, i, v FROM t ORDER BY v, run, i LIMIT 9 OFFSET 2",
    ])
    func topNAtTwoThreadsGivesTheOneThreadAnswer(sql: String) throws {
        // Compared as text: NaN (in k) is not equal to itself as a `Value`.
        #expect("\(try rows(sql, threads: 2))" == "\(try rows(sql, threads: 1))")
    }

    @Test func topNCutOffSkipsChunksAtTwoThreads() throws {
        // i rises through every run: after the first chunks no later chunk can enter the top 5.
        for threads in [1, 2] {
            let q = try Query(sql: "SELECT run, i FROM t WHERE v > -1000 ORDER BY i LIMIT 5", paths: Self.data.paths,
                              options: QueryOptions(threads: threads))
            let r = try q.rows()
            #expect(r.map { $0[1] } == [.int(0), .int(0), .int(0), .int(1), .int(1)])
            // 3 runs × 21 chunks; the cut-off is set once over 4,096 rows are buffered (in run2), and
            // the workers run at most a few chunks ahead of it.
            #expect(q.stats.chunksSkipped >= 10, "threads \(threads): \(q.stats)")
        }
    }

    /// Filters on a dictionary column (`s`: 4 strings and NULL in 97-row chunks) select rows from
    /// the dictionary indices: entries absent, present, NULL, and predicates true for NULL.
    @Test(arguments: ["s = 'ZZZ'", "s = 'AAPL'", "s <> 'AAPL'", "s IS NULL", "coalesce(s, 'x') = 'x'", "s IN ('é', 'ES', 'nope')",
                      "s LIKE 'M%' OR s IS NULL"])
    func dictionaryFilterSelectsFromIndices(predicate: String) throws {
        let expected: (String?) -> Bool
        switch predicate {
        case "s = 'ZZZ'": expected = { $0 == "ZZZ" }
        case "s = 'AAPL'": expected = { $0 == "AAPL" }
        case "s <> 'AAPL'": expected = { $0 != nil && $0 != "AAPL" }
        case "s IS NULL", "coalesce(s, 'x') = 'x'": expected = { $0 == nil }
        case "s IN ('é', 'ES', 'nope')": expected = { $0 == "é" || $0 == "ES" }
        default: expected = { $0 == nil || $0!.hasPrefix("M") }
        }
        let want = Self.data.rows.filter { expected($0.s) }.count
        for threads in [1, 2] {
            #expect(try rows("SELECT count(*) FROM t WHERE \(predicate)", threads: threads) == [[.int(Int64(want))]], "\(predicate)")
            // The rows themselves, not only their number.
            let got = try rows("SELECT run, i FROM t WHERE \(predicate)", threads: threads).map { "\($0)" }.sorted()
            let rowsWanted = Self.data.rows.enumerated().filter { expected($0.element.s) }.map { "[\($0.element.run), \($0.offset % 2_000)]" }.sorted()
            #expect(got == rowsWanted, "\(predicate)")
        }
    }

    @Test func groupTableSeveralKeysGroupsAsDatumEquality() throws {
        let keys: [[Datum]] = [
            [.double(.nan), .string("a")], [.double(-.nan), .string("a")], [.double(0.0), .null], [.double(-0.0), .null],
            [.null, .null], [.null, .string("")], [.double(1), .string("a")], [.double(.nan), .string("a")], [.null, .null],
            [.interval(Interval()), .string("a")],
        ]
        let types: [SQLType] = [.double, .string]
        let t = GroupTable(types: types)
        let d = keys.filter { if case .interval = $0[0] { return false }; return true }
        var cols = [VectorBuilder(type: .double), VectorBuilder(type: .string)]
        for k in d { cols[0].append(k[0]); cols[1].append(k[1]) }
        let ids = t.assign(try cols.map { (c) throws(QueryError) in try c.build() }, count: d.count)
        for i in d.indices {
            for j in d.indices { #expect((ids[i] == ids[j]) == (d[i] == d[j]), "\(d[i]) vs \(d[j])") }
        }
        #expect(t.count == Set(d).count)
        // `id` (used when merging workers' tables) agrees with `assign`.
        for (i, k) in d.enumerated() { #expect(t.id(k) == ids[i]) }
        // A single INTERVAL key: NULL rows and id([.null]) share one group.
        let iv = GroupTable(types: [.interval])
        var b = VectorBuilder(type: .interval)
        for x in [Datum.interval(Interval()), .null, .interval(Interval()), .null] { b.append(x) }
        let ivIds = iv.assign([try b.build()], count: 4)
        #expect(ivIds[0] == ivIds[2] && ivIds[1] == ivIds[3] && ivIds[0] != ivIds[1])
        #expect(iv.id([.null]) == ivIds[1])
    }

    @Test func buildSideGatherKeepsValuesAndNulls() throws {
        var b = VectorBuilder(type: .string)
        for x in [Datum.string("x"), .null, .string("yy"), .string("")] { b.append(x) }
        let v = try b.build()
        for rows: [Int32] in [[2, 2, 2], [0, 1, 2, 3, 3, 0], [3, -1, 0, -1], [-1, -1], [1, 1]] {
            let g = HashJoinOperator.gatherBuild(v, rows, single: HashJoinOperator.singleRow(rows))
            #expect(g.count == rows.count)
            for (i, r) in rows.enumerated() { #expect(g.datum(i) == (r < 0 ? .null : v.datum(Int(r))), "\(rows) row \(i)") }
        }
    }
}
