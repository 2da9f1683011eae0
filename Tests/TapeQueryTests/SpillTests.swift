import Foundation
import Testing
import Tape
import TapeTestSupport
@testable import TapeQuery

/// Operators beyond `--memory-limit` spill to a temporary file and give the same answer as with
/// no limit (and as DuckDB): external merge sort (ORDER BY), hash-partitioned DISTINCT, GROUP BY
/// (fused scan and HashAggregate), grace hash join, window partitions, INTERSECT/EXCEPT (hash
/// partitions of both sides), ASOF join (partitions by its equality keys), CTE results, keyless
/// count(DISTINCT x) (partitions by x).
@Suite struct SpillTests {
    static let fixture: QueryFixture = { try! QueryFixture(runs: 4, bars: 2500, rowsPerChunk: 500) }()
    var paths: [String] { Self.fixture.paths }
    static let tiny = 64 << 10

    func rows(_ sql: String, limit: Int, threads: Int = 2) throws -> [[Value]] {
        try Query(sql: sql, paths: paths, options: QueryOptions(threads: threads, memoryLimit: limit)).rows()
    }

    /// A value's text for comparing answers: a DOUBLE to 12 significant digits, because a sum's
    /// last digit depends on the order in which partitions or threads add their parts (the
    /// unlimited run aggregates per scan thread, the spilled one per partition).
    func text(_ v: Value) -> String {
        if case .double(let d) = v, d.isFinite { return String(format: "%.12g", d) }
        return v.description
    }

    func sorted(_ r: [[Value]]) -> [String] { r.map { $0.map(text).joined(separator: "|") }.sorted() }

    /// Queries whose answer does not fit 64 KiB; `true` when the order is defined by ORDER BY.
    static let queries: [(String, Bool)] = [
        // ORDER BY: fused scan and operator path (external merge sort), with ties kept stable.
        ("SELECT run, ts, equity FROM equity ORDER BY equity DESC, run, ts", true),
        ("SELECT run, ts, position FROM equity ORDER BY position, run, ts", true),
        ("SELECT * FROM (SELECT run, ts, equity, position FROM equity) ORDER BY position NULLS FIRST, ts DESC, run", true),
        ("SELECT e.run, e.ts, symbol, pnl FROM equity e LEFT JOIN trades t USING (run, ts) ORDER BY symbol NULLS FIRST, pnl, e.run, e.ts", true),
        ("SELECT run, ts, equity FROM equity ORDER BY equity, run, ts LIMIT 9000 OFFSET 10", true),
        // DISTINCT (hash partitions).
        ("SELECT DISTINCT ts, position FROM equity", false),
        ("SELECT DISTINCT ts, position FROM (SELECT * FROM equity)", false),
        ("SELECT DISTINCT ts, position FROM equity ORDER BY ts, position", true),
        // GROUP BY: fused scan and HashAggregate over a subquery.
        ("SELECT ts, count(*), sum(equity), min(run), max(position) FROM equity GROUP BY ts", false),
        ("SELECT ts, count(*), avg(equity), count(DISTINCT run) FROM (SELECT * FROM equity) GROUP BY ts HAVING count(*) >= 1", false),
        ("SELECT ts, first(equity), last(run), arg_max(run, equity) FROM (SELECT * FROM equity) GROUP BY ts", false),
        // Joins (grace hash join), every kind.
        ("SELECT e.run, e.ts, e.equity, t.pnl FROM trades t JOIN equity e USING (run, ts)", false),
        ("SELECT e.run, e.ts, t.pnl FROM trades t LEFT JOIN equity e ON e.run = t.run AND e.ts = t.ts", false),
        ("SELECT e.run, e.ts, t.pnl FROM trades t RIGHT JOIN equity e ON e.run = t.run AND e.ts = t.ts", false),
        ("SELECT e.run, e.ts, t.pnl FROM trades t FULL JOIN (SELECT * FROM equity WHERE position > 0) e ON e.run = t.run AND e.ts = t.ts", false),
        ("SELECT count(*), sum(e.equity) FROM equity e JOIN equity f ON e.run = f.run AND e.ts = f.ts AND f.position >= e.position", false),
        ("SELECT run, ts FROM equity e WHERE ts IN (SELECT ts FROM equity WHERE position > 0)", false),
        ("SELECT run, ts FROM equity e WHERE ts NOT IN (SELECT ts FROM equity WHERE position > 0)", false),
        // Windows with a PARTITION BY (hash partitions by it).
        ("SELECT run, ts, row_number() OVER (PARTITION BY ts, position ORDER BY equity DESC, run) FROM equity", false),
        ("SELECT run, ts, sum(equity) OVER (PARTITION BY ts ORDER BY run ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM equity", false),
        ("SELECT run, ts, rank() OVER (PARTITION BY ts ORDER BY equity), lag(equity) OVER (PARTITION BY ts ORDER BY run) FROM equity", false),
        // Windows with no common PARTITION BY (external sort, then streamed in pieces), or one
        // partition beyond the limit (hash partitions, then sorted).
        ("SELECT run, ts, row_number() OVER (ORDER BY equity DESC, run, ts) FROM equity", false),
        ("SELECT run, ts, sum(equity) OVER (ORDER BY ts, run), max(equity) OVER (ORDER BY ts, run ROWS BETWEEN 3 PRECEDING AND 2 FOLLOWING), count(position) OVER (ORDER BY ts, run), avg(position) OVER (ORDER BY ts, run), avg(equity) OVER (ORDER BY ts), avg(equity) OVER () FROM equity", false),
        ("SELECT run, ts, rank() OVER (ORDER BY ts), dense_rank() OVER (ORDER BY ts), sum(position) OVER (ORDER BY ts), min(equity) OVER (ORDER BY ts), count(*) OVER (ORDER BY ts DESC) FROM equity", false),
        ("SELECT run, ts, percent_rank() OVER (ORDER BY equity, run, ts), cume_dist() OVER (ORDER BY ts), ntile(7) OVER (ORDER BY equity, run, ts), count(*) OVER (), sum(position) OVER (), max(equity) OVER (), last_value(equity) OVER (ORDER BY ts, run ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING), first_value(equity) OVER () FROM equity", false),
        ("SELECT run, ts, lag(equity, 3) OVER (ORDER BY ts, run), lead(equity, 2, 0.0) OVER (ORDER BY ts, run), first_value(position) OVER (ORDER BY ts, run), nth_value(equity, 2) OVER (ORDER BY ts, run ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) FROM equity", false),
        ("SELECT run, ts, row_number() OVER (PARTITION BY run ORDER BY ts), sum(equity) OVER (ORDER BY ts, run ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) FROM equity", false),
        ("SELECT run, ts, row_number() OVER (PARTITION BY run ORDER BY equity, ts), ntile(3) OVER (PARTITION BY run ORDER BY ts), sum(position) OVER (PARTITION BY run) FROM equity", false),
        ("SELECT * FROM (SELECT run, ts, min(equity) OVER (ORDER BY ts, run), percent_rank() OVER (ORDER BY position, ts, run) FROM (SELECT * FROM equity))", false),
        ("SELECT run, ts, equity FROM equity QUALIFY row_number() OVER (ORDER BY equity DESC, run, ts) <= 5", false),
        ("SELECT run, ts, count(*) OVER (ORDER BY date_trunc('hour', ts)), sum(position) OVER (ORDER BY date_trunc('hour', ts)), dense_rank() OVER (ORDER BY date_trunc('hour', ts)), cume_dist() OVER (ORDER BY date_trunc('hour', ts)) FROM equity", false),
        // INTERSECT / EXCEPT [ALL] (both sides hash-partitioned by the whole row).
        ("SELECT ts, position FROM equity INTERSECT SELECT ts, position FROM equity WHERE equity > 100000", false),
        ("SELECT run, ts, position FROM equity EXCEPT SELECT run, ts, position FROM equity WHERE position > 0", false),
        ("SELECT position, ts FROM equity INTERSECT ALL SELECT position, ts FROM equity WHERE run <> 'run001'", false),
        ("SELECT position, ts FROM equity EXCEPT ALL SELECT position, ts FROM equity WHERE equity > 100000", false),
        // ASOF join (partitioned by its equality keys), inner and left.
        ("SELECT t.run, t.ts, t.pnl, e.equity, e.ts FROM trades t ASOF JOIN equity e ON t.run = e.run AND t.ts >= e.ts", false),
        ("SELECT e.run, e.ts, f.ts, f.equity FROM equity e ASOF LEFT JOIN (SELECT * FROM equity WHERE position > 0) f ON e.run = f.run AND e.ts < f.ts", false),
        // A CTE read twice (its result spilled, replayed per reference).
        ("WITH x AS (SELECT run, ts, equity FROM equity) SELECT a.run, a.ts, b.equity FROM x a JOIN x b ON a.run = b.run AND a.ts = b.ts", false),
        ("WITH x AS (SELECT run, ts, equity, position FROM equity) SELECT * FROM x UNION ALL SELECT * FROM x WHERE position > 0", false),
        // count(DISTINCT x) without GROUP BY (partitioned by x): fused scan and HashAggregate.
        ("SELECT count(DISTINCT equity) FROM equity", false),
        ("SELECT count(DISTINCT equity), count(DISTINCT equity) AS again FROM (SELECT * FROM equity WHERE position >= 0)", false),
        // Running and whole-partition stddev/var over spilled sorted rows (moments carried).
        ("SELECT run, ts, stddev(equity) OVER (ORDER BY ts, run), var_pop(position) OVER (ORDER BY ts), stddev_pop(equity) OVER (), var_samp(equity) OVER (PARTITION BY run ORDER BY ts) FROM equity", false),
        // Suffix frames (CURRENT ROW to UNBOUNDED FOLLOWING): running frames in the reverse order.
        ("SELECT run, ts, sum(equity) OVER (ORDER BY ts, run ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), count(position) OVER (ORDER BY ts RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), max(equity) OVER (ORDER BY position NULLS FIRST RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), avg(position) OVER (PARTITION BY run ORDER BY ts DESC ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), min(position) OVER (ORDER BY run GROUPS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM equity", false),
    ]

    @Test func spilledAnswersEqualUnlimitedOnes() throws {
        let threads = 2
        for (sql, ordered) in Self.queries {
            let free = try rows(sql, limit: 2 << 30, threads: threads)
            let spilled: [[Value]]
            do { spilled = try rows(sql, limit: Self.tiny, threads: threads) } catch let e as QueryError {
                Issue.record("\(sql): \(e.message)")
                continue
            }
            #expect(!free.isEmpty, "\(sql)")
            if ordered {
                #expect(spilled.map { $0.map(text) } == free.map { $0.map(text) }, "\(sql)")
            } else {
                #expect(sorted(spilled) == sorted(free), "\(sql)")
            }
        }
    }

    @Test func spilledAnswersEqualDuckDBs() throws {
        let picked = [0, 1, 5, 8, 11, 12, 14, 18, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 39, 40, 41, 42].map { Self.queries[$0] }
        guard let results = try DuckDBDifferentialTests.duckDB(picked.map(\.0), tables: Self.fixture.csv) else { return }
        let diff = DuckDBDifferentialTests()
        for ((sql, ordered), ref) in zip(picked, results) {
            if let err = ref["error"] as? String { Issue.record("DuckDB rejected \(sql): \(err)"); continue }
            diff.compare(try rows(sql, limit: Self.tiny, threads: 1), ref["rows"] as? [[Any]] ?? [], ordered: ordered, sql: sql + " [64 KiB]")
        }
    }

    /// EXPLAIN ANALYZE says which operator spilled and how much.
    @Test(arguments: [
        ("SELECT * FROM (SELECT run, ts, equity FROM equity) ORDER BY equity", "SORT by equity; spilled"),
        ("SELECT count(*) FROM trades t JOIN equity e USING (run, ts)", "(build: right input); spilled"),
        ("SELECT ts, count(*) FROM equity GROUP BY ts", "; spilled"),
        ("SELECT run, ts, equity FROM equity ORDER BY equity", "; spilled"),
        ("SELECT e.ts, count(*) FROM (SELECT * FROM equity) e GROUP BY e.ts", "GROUP BY e.ts; spilled"),
        ("SELECT * FROM (SELECT run, ts, row_number() OVER (PARTITION BY ts ORDER BY run) FROM (SELECT * FROM equity))", "skipped when the input is already in order); spilled"),
        ("SELECT run, ts FROM equity EXCEPT SELECT run, ts FROM equity WHERE position > 0", "EXCEPT (hash table of the right side); spilled"),
        ("SELECT t.run, e.equity FROM trades t ASOF JOIN equity e ON t.run = e.run AND t.ts >= e.ts", "are not sorted); spilled"),
        ("WITH x AS (SELECT run, ts, equity FROM equity) SELECT count(*) FROM (SELECT * FROM x UNION ALL SELECT * FROM x)", "CTE SCAN x (materialised); spilled"),
        ("SELECT count(DISTINCT equity) FROM (SELECT * FROM equity)", "HASH AGGREGATE count(DISTINCT equity); spilled"),
        ("SELECT * FROM (SELECT run, ts, sum(equity) OVER (ORDER BY ts, run) FROM (SELECT * FROM equity))", "skipped when the input is already in order); spilled"),
        ("SELECT run, ts, sum(equity) OVER (ORDER BY ts, run), rank() OVER (ORDER BY equity) FROM equity", "sorted runs over 2 sorts"),
        ("SELECT * FROM (SELECT run, ts, stddev(equity) OVER (ORDER BY ts, run) FROM (SELECT * FROM equity))", "skipped when the input is already in order); spilled"),
        ("SELECT run, ts, sum(equity) OVER (ORDER BY ts, run), sum(equity) OVER (ORDER BY ts, run ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM equity", "sorted runs over 2 sorts"),
    ])
    func explainAnalyzeSaysWhatSpilled(sql: String, expected: String) throws {
        let q = try Query(sql: "EXPLAIN ANALYZE " + sql, paths: paths, options: QueryOptions(threads: 2, memoryLimit: Self.tiny))
        try q.run { _ in true }
        let text = q.explainAnalyzed()
        #expect(text.contains(expected) && text.contains("to a temporary file"), "\(text)")
        let free = try Query(sql: "EXPLAIN ANALYZE " + sql, paths: paths, options: QueryOptions(threads: 2))
        try free.run { _ in true }
        #expect(!free.explainAnalyzed().contains("spilled"))
    }

    /// What cannot spill still fails naming the operator and the limit.
    @Test(arguments: [
        ("SELECT ts, sum(equity) OVER (ORDER BY ts ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) FROM equity", "cannot spill sum(equity) OVER (ORDER BY ts ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)"),
        ("SELECT * FROM (SELECT ts, sum(equity) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1 hour' PRECEDING AND CURRENT ROW) FROM (SELECT * FROM equity))", "Window operator"),
        ("SELECT count(*), sum(e.equity + t.pnl) FROM trades t CROSS JOIN equity e", "INNER JOIN"),
        ("SELECT count(DISTINCT ts || run), count(*) FROM equity", "aggregation"),
        ("SELECT count(DISTINCT equity), count(DISTINCT run) FROM (SELECT * FROM equity)", "aggregation"),
        ("SELECT t.run, e.equity FROM trades t ASOF JOIN equity e ON t.ts >= e.ts", "ASOF JOIN"),
        ("SELECT run, ts, (SELECT max(f.equity) FROM equity f WHERE f.run = e.run AND f.ts = e.ts) FROM equity e", "correlated subquery"),
        ("SELECT * FROM equity e, LATERAL (SELECT * FROM equity f WHERE f.run = e.run AND f.ts <= e.ts LIMIT 3000) x", "LATERAL"),
    ])
    func whatCannotSpillFailsNamingTheOperator(sql: String, op: String) {
        #expect {
            _ = try rows(sql, limit: Self.tiny)
        } throws: { e in
            let m = (e as? QueryError)?.message ?? ""
            return m.contains(op) && m.contains("64 KiB") && m.contains("--memory-limit")
        }
    }

    /// A window partition bigger than the limit spills (hash partitions, then a sort of the big
    /// one) when its functions stream over sorted rows, and fails naming the Window operator, the
    /// partition and the function when one does not.
    @Test func oneWindowPartitionBeyondTheLimit() throws {
        let q = try Query(sql: "EXPLAIN ANALYZE SELECT run, ts, row_number() OVER (PARTITION BY run ORDER BY equity) FROM equity", paths: paths, options: QueryOptions(threads: 2, memoryLimit: Self.tiny))
        try q.run { _ in true }
        #expect(q.explainAnalyzed().contains("sorted runs"), "\(q.explainAnalyzed())")
        #expect {
            _ = try rows("SELECT run, ts, count(DISTINCT position) OVER (PARTITION BY run ORDER BY equity) FROM equity", limit: Self.tiny)
        } throws: { e in
            let m = (e as? QueryError)?.message ?? ""
            return m.contains("Window operator") && m.contains("one window partition (PARTITION BY run)") && m.contains("count(DISTINCT position)")
        }
    }

    /// ORDER BY tie groups far beyond 64 KiB (run: 4 values, position: 7 and NULL, over 10,000
    /// rows): running aggregates over peers, rank, dense_rank, percent_rank and cume_dist stream
    /// in pieces, the group's end and running values coming from the first pass over the sorted
    /// rows (never holding a group): the unlimited answer and DuckDB's, at 1 and 2 threads.
    static let tieQueries = [
        "SELECT run, ts, sum(equity) OVER (ORDER BY run), avg(position) OVER (ORDER BY run), count(*) OVER (ORDER BY run DESC), min(equity) OVER (ORDER BY run RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), max(ts) OVER (ORDER BY run), sum(position) OVER (ORDER BY run) FROM equity",
        "SELECT run, ts, rank() OVER (ORDER BY position), dense_rank() OVER (ORDER BY position DESC NULLS FIRST), percent_rank() OVER (ORDER BY position), cume_dist() OVER (ORDER BY position), count(position) OVER (ORDER BY position), avg(equity) OVER (ORDER BY position RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM equity",
        "SELECT run, ts, rank() OVER (PARTITION BY run ORDER BY position), cume_dist() OVER (PARTITION BY run ORDER BY position), sum(equity) OVER (PARTITION BY run ORDER BY position), max(equity) OVER (PARTITION BY run ORDER BY position), count(*) OVER (PARTITION BY run) FROM equity",
    ]

    @Test func hugeTieGroupsStreamWithTheUnlimitedAndDuckDBAnswer() throws {
        let refs = try DuckDBDifferentialTests.duckDB(Self.tieQueries, tables: Self.fixture.csv)
        let diff = DuckDBDifferentialTests()
        for (k, sql) in Self.tieQueries.enumerated() {
            let free = try rows(sql, limit: 2 << 30)
            for threads in [1, 2] {
                let spilled = try rows(sql, limit: Self.tiny, threads: threads)
                #expect(sorted(spilled) == sorted(free), "\(sql) [\(threads) threads]")
                if let ref = refs?[k] { diff.compare(spilled, ref["rows"] as? [[Any]] ?? [], ordered: false, sql: sql + " [64 KiB, \(threads) threads]") }
            }
        }
        let q = try Query(sql: "EXPLAIN ANALYZE " + Self.tieQueries[1], paths: paths, options: QueryOptions(threads: 2, memoryLimit: Self.tiny))
        try q.run { _ in true }
        #expect(q.explainAnalyzed().contains("sorted runs"), "\(q.explainAnalyzed())")
    }

    /// A suffix stddev/var streams as a running one in the reverse order, folding the moments from
    /// the partition's end in another order than the unlimited evaluation (which folds the first
    /// row's frame from the left): equal to it within 1e-9 relative, and to DuckDB's.
    @Test func suffixMomentsMatchWithinRounding() throws {
        let sql = "SELECT run, ts, stddev(equity) OVER (ORDER BY ts, run ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), var_pop(position) OVER (PARTITION BY run ORDER BY position RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM equity"
        let key = { (r: [Value]) in "\(r[0])|\(r[1])" }
        let free = Dictionary(try rows(sql, limit: 2 << 30).map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let spilled = try rows(sql, limit: Self.tiny, threads: 1)
        #expect(spilled.count == free.count && !spilled.isEmpty)
        var off = 0
        for r in spilled {
            guard let f = free[key(r)] else { off += 1; continue }
            for c in 2..<4 {
                if case .double(let a) = r[c], case .double(let b) = f[c] {
                    if abs(a - b) > 1e-9 * max(1, abs(b)) { off += 1 }
                } else if r[c] != f[c] { off += 1 }
            }
        }
        #expect(off == 0, "\(off) values differ from the unlimited answer")
        if let ref = try DuckDBDifferentialTests.duckDB([sql], tables: Self.fixture.csv)?.first {
            DuckDBDifferentialTests().compare(spilled, ref["rows"] as? [[Any]] ?? [], ordered: false, sql: sql + " [64 KiB]")
        }
    }

    /// Spilled windows leave no file in the temp dir, after success and after an error.
    @Test func windowSpillLeavesNoTempFile() throws {
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []).filter { $0.hasPrefix("tape-spill-") }
        _ = try rows("SELECT run, ts, cume_dist() OVER (ORDER BY ts), sum(equity) OVER () FROM equity", limit: Self.tiny)
        _ = try rows("SELECT run, ts, var_pop(equity) OVER (ORDER BY run), stddev(equity) OVER () FROM equity", limit: Self.tiny)
        _ = try rows("SELECT run, ts, max(equity) OVER (ORDER BY ts, run ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM equity", limit: Self.tiny)
        #expect(throws: QueryError.self) { _ = try rows("SELECT run, ts, sum(position) OVER (ORDER BY ts RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) // 0 FROM equity", limit: Self.tiny) }
        #expect(throws: QueryError.self) { _ = try rows("SELECT run, ts, ntile(-1) OVER (ORDER BY equity, run, ts) FROM equity", limit: Self.tiny) }
        let after = Set((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []).filter { $0.hasPrefix("tape-spill-") }
        #expect(after.subtracting(before).isEmpty)
    }
}

/// The spill file and its encoding.
@Suite struct SpillFileTests {
    @Test func spillFileLeavesNoNameBehindAndRoundTrips() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let f = try SpillFile(owner: "SORT", directory: dir.path(""))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("")).isEmpty)
        let a = try f.append([1, 2, 3])
        let b = try f.append([9, 8])
        #expect(try f.read(at: b, count: 2) == [9, 8])
        #expect(try f.read(at: a, count: 3) == [1, 2, 3])
        #expect(f.size == 5)
    }

    @Test func missingTempDirectoryIsAClearError() {
        #expect {
            _ = try SpillFile(owner: "SORT", directory: "/nonexistent/tape-spill-dir")
        } throws: { e in
            let m = (e as? QueryError)?.message ?? ""
            return m.contains("SORT") && m.contains("/nonexistent/tape-spill-dir") && m.contains("TMPDIR")
        }
    }

    @Test func codecRoundTripsEveryStorage() throws {
        var validity = Bitmap(count: 5, value: true)
        validity[1] = false
        validity[4] = false
        let cols: [Vector] = [
            Vector(type: .int, storage: .int64([1, -2, 3, .max, .min]), validity: validity, count: 5),
            Vector(type: .timestamp, storage: .int64([1, 2, 3, 4, 5]), count: 5),
            Vector(type: .double, storage: .float64([0.5, -0.0, .nan, .infinity, 1e300]), count: 5),
            Vector(type: .bool, storage: .bool([true, false, true, true, false]), validity: validity, count: 5),
            Vector(type: .string, storage: .strings(try StringArray(["a", "", "héllo", "x'y", "z"])), validity: validity, count: 5),
            Vector(type: .string, storage: .dictionary(entries: try StringArray(["p", "q"]), indices: [1, 0, 0, 1, 1]), count: 5),
            Vector(type: .interval, storage: .interval((0..<5).map { Interval(months: Int64($0), days: -1, nanos: 7) }), count: 5),
            Vector(type: .string, storage: .constant(.string("run001")), count: 5),
            Vector(type: .double, storage: .constant(.null), count: 5),
        ]
        let b = Batch(columns: cols, count: 5)
        let back = try SpillCodec.decode(SpillCodec.encode(b), types: cols.map(\.type))
        #expect(back.count == 5)
        for (x, y) in zip(b.columns, back.columns) {
            #expect((0..<5).map { x.datum($0) } == (0..<5).map { y.datum($0) })
        }
        // A cut block is an error, not a crash.
        let bytes = SpillCodec.encode(b)
        #expect(throws: QueryError.self) { _ = try SpillCodec.decode(Array(bytes.prefix(bytes.count - 3)), types: cols.map(\.type)) }
    }
}

