import Foundation
import Testing
import Tape
import TapeFormat
import TapeTestSupport
@testable import TapeQuery

/// NaN, ±inf, ±0.0, Int64 and timestamp extremes and memory budgets, without Python: expected
/// answers are DuckDB 2.0.1's (the differential suite checks many more against DuckDB itself).
@Suite struct EdgeValueTests {
    static let edge: EdgeFixture = { try! EdgeFixture() }()

    func rows(_ sql: String, threads: Int = 2, memoryLimit: Int = 2 << 30, paths: [String] = [Self.edge.path]) throws -> [[Value]] {
        try Query(sql: sql, paths: paths, options: QueryOptions(threads: threads, memoryLimit: memoryLimit)).rows()
    }

    /// (query, expected single row) — DuckDB's answers.
    static let answers: [(String, [Value])] = [
        // Chunk 0 is [1.0, NaN, 0.5]: its zone map (min 0.5, max 1.0) must not hide the NaN.
        ("SELECT count(*) FROM edge WHERE f > 2 AND id < 3", [.int(1)]),
        ("SELECT count(*) FROM edge WHERE f >= 'nan'::DOUBLE", [.int(2)]),
        ("SELECT count(*) FROM edge WHERE f = 'nan'::DOUBLE", [.int(2)]),
        ("SELECT count(*) FROM edge WHERE f IN ('nan'::DOUBLE)", [.int(2)]),
        ("SELECT count(DISTINCT f) FROM edge", [.int(12)]),   // one NaN, one zero
        ("SELECT count(*) FROM edge WHERE f = 0", [.int(3)]),
        ("SELECT sum(f), avg(f) FROM edge WHERE id IN (0, 3)", [.double(.infinity), .double(.infinity)]),
        ("SELECT sum(f) FROM edge WHERE id IN (3, 4)", [.double(.nan)]),
        ("SELECT stddev_pop(f) FROM edge WHERE id IN (0, 3)", [.double(.nan)]),
        ("SELECT var_pop(f), sqrt(-1.0::DOUBLE), ln(0.0::DOUBLE) FROM edge WHERE id = 3", [.double(0), .double(.nan), .double(-.infinity)]),
        ("SELECT max(f), min(f) FROM edge WHERE id IN (0, 1)", [.double(.nan), .double(1)]),
        ("SELECT avg(i) FROM edge WHERE id IN (4, 8, 14)", [.double(98.0 / 3)]),
        // Partial sums pass Int64.max and come back: the exact sum fits, so it is the answer.
        ("SELECT sum(i) FROM edge", [.int(9_007_199_254_741_001)]),
        ("SELECT CAST(TIMESTAMP '2020-01-02 03:04:05' AS DATE)", [.timestamp(1_577_923_200_000_000_000)]),
        ("SELECT greatest(1, NULL, 3), least(NULL, 2), greatest(NULL, NULL::BIGINT)", [.int(3), .int(2), .null]),
        ("SELECT substr('hello', 0, 2), substr('hello', -1, 2), substr('hello', -10, 3), substr('hello', 2, -1)",
         [.string("h"), .string("o"), .string(""), .string("h")]),
        ("SELECT (-9223372036854775807 - 1) % -1, 10.0::DOUBLE // 4, 7.5::DOUBLE // 2, -7 // 2", [.int(0), .double(2.5), .double(3.75), .int(-3)]),
        ("SELECT 'a_b' LIKE 'a\\_b' ESCAPE '\\', 'axb' LIKE 'a\\_b' ESCAPE '\\', 'a%' LIKE 'a$%' ESCAPE '$'", [.bool(true), .bool(false), .bool(true)]),
        ("SELECT TIMESTAMP '2262-04-10 00:00:00' + INTERVAL '1 day'", [.timestamp(9_223_286_400_000_000_000)]),
        ("SELECT id FROM edge ORDER BY id LIMIT 1 OFFSET 16", [.int(16)]),
    ]

    @Test(arguments: 0..<answers.count)
    func answerAsDuckDB(_ k: Int) throws {
        let (sql, expected) = Self.answers[k]
        for threads in [1, 2] {
            let got = try rows(sql, threads: threads)
            #expect(got.count == 1, "\(sql)")
            guard let row = got.first else { continue }
            #expect(row.count == expected.count && zip(row, expected).allSatisfy(Self.same), "\(sql): \(row), expected \(expected)")
        }
    }

    static func same(_ a: Value, _ b: Value) -> Bool {
        if case .double(let x) = a, case .double(let y) = b { return x.isNaN ? y.isNaN : (x == y || abs(x - y) <= 1e-12 * abs(y)) }
        return a == b
    }

    /// Each of these trapped (the process died on arithmetic overflow) or wrapped silently: now a
    /// `QueryError` pointing into the query.
    static let outOfRange: [(String, String)] = [
        ("SELECT ts + INTERVAL '300 years' FROM edge", "+"),
        ("SELECT ts + INTERVAL '3000 months' FROM edge", "+"),
        ("SELECT TIMESTAMP '2262-04-11 00:00:00' + INTERVAL '1 day'", "+"),
        ("SELECT TIMESTAMP '1677-09-22 00:00:00' - INTERVAL '1 day'", "-"),
        ("SELECT TIMESTAMP '1678-01-01' - INTERVAL '9000000000 seconds'", "-"),
        ("SELECT date_trunc('year', ts) FROM edge", "date_trunc"),
        ("SELECT date_trunc('week', ts) FROM edge", "date_trunc"),
        ("SELECT date_trunc('day', ts) FROM edge", "date_trunc"),
        ("SELECT CAST(ts AS DATE) FROM edge", "CAST"),
        ("SELECT time_bucket(INTERVAL '1 month', TIMESTAMP '1677-09-23')", "time_bucket"),
        ("SELECT time_bucket(INTERVAL '1 hour', ts) FROM edge", "time_bucket"),
        ("SELECT time_bucket(INTERVAL '0 hours', ts) FROM edge", "INTERVAL"),
        ("SELECT INTERVAL '999999999999 months' * 10000000", "*"),
        ("SELECT INTERVAL '1 month' * 9223372036854775807 + INTERVAL '1 month'", "+"),
        ("SELECT -(INTERVAL '1 month' * (-9223372036854775807 - 1))", "-"),
        ("SELECT i + 1 FROM edge", "+"),
        ("SELECT -i FROM edge", "-"),
        ("SELECT abs(i) FROM edge", "abs"),
        ("SELECT (-9223372036854775807 - 1) // -1", "//"),
        ("SELECT f::BIGINT FROM edge", "::"),
        ("SELECT g, sum(i) FROM edge GROUP BY g", "sum"),
        // Totals outside BIGINT (DuckDB returns a HUGEINT): an error naming sum, in every path.
        ("SELECT sum(v) FROM sums WHERE v > 0", "sum"),
        ("SELECT g, sum(v) FROM sums WHERE v > 0 GROUP BY g", "sum"),
        ("SELECT sum(v) OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM sums", "sum"),
        ("SELECT sum(v) OVER (ORDER BY ts) FROM sums WHERE v > 0", "sum"),
    ]

    @Test(arguments: 0..<outOfRange.count)
    func overflowIsAPositionedError(_ k: Int) throws {
        let (sql, at) = Self.outOfRange[k]
        for threads in [1, 2] {
            #expect {
                _ = try rows(sql, threads: threads)
            } throws: { e in
                guard let q = e as? QueryError, q.kind == .execution || q.kind == .binding, let p = q.position else { return false }
                return String(decoding: Array(sql.utf8)[p...].prefix(at.utf8.count), as: UTF8.self) == at
            }
        }
    }

    /// sum(BIGINT) OVER (ORDER BY ts) streams chunk by chunk (three rows each): the second chunk
    /// alone sums to 2·MAX while the running total never leaves BIGINT, so it is exact (DuckDB's
    /// answer), not an overflow error.
    @Test func streamedCumulativeSumPassesSixtyFourBitsPartWay() throws {
        let (max, min) = (Int64.max, Int64.min)
        let expected: [Int64] = [-max, -max, -max, 0, max, 0, min, -1, 0, max, max, -1]
        for threads in [1, 2] {
            let r = try rows("SELECT sum(v) OVER (ORDER BY ts) FROM sums ORDER BY ts", threads: threads)
            #expect(r.map { $0[0] } == expected.map(Value.int))
            let grouped = try rows("SELECT g, sum(v), avg(v) FROM sums GROUP BY g ORDER BY g", threads: threads)
            #expect(grouped.map { Array($0.prefix(2)) } == [[.string("a"), .int(min + 1)], [.string("b"), .int(max - 1)]])
        }
    }

    @Test func limitAndOffsetNearInt64MaxDoNotTrap() throws {
        #expect(try rows("SELECT id FROM edge ORDER BY id LIMIT 9223372036854775807").count == 17)
        #expect(try rows("SELECT id FROM edge ORDER BY id OFFSET 9223372036854775807").isEmpty)
        #expect(try rows("SELECT id FROM edge ORDER BY f LIMIT 9223372036854775807 OFFSET 9223372036854775807").isEmpty)
        #expect(try rows("SELECT id FROM edge OFFSET 9223372036854775807").isEmpty)
    }

    @Test func groupByZeroShowsPlusZeroWhenBothSignsMeet() throws {
        for threads in [1, 2] {
            let r = try rows("SELECT f, count(*) FROM edge WHERE f = 0 GROUP BY f", threads: threads)
            guard case .double(let z)? = r.first?.first else { Issue.record("\(r)"); continue }
            #expect(r.count == 1 && z == 0 && z.sign == .plus && r[0][1] == .int(3))
            let neg = try rows("SELECT f FROM edge WHERE id IN (6, 16) GROUP BY f", threads: threads)
            guard case .double(let n)? = neg.first?.first else { Issue.record("\(neg)"); continue }
            #expect(neg.count == 1 && n.sign == .minus)
        }
    }

    /// Both zeros in one batch, -0.0 first and 0.0 right after it (the one-entry key cache used
    /// to skip the second sign): the zero group shows 0.0 whatever the order, as README states.
    @Test(arguments: [[-0.0, 0.0, 1.0], [0.0, -0.0, 1.0], [1.0, -0.0, -0.0, 0.0], [-0.0, 1.0, 0.0]])
    func groupByZeroShowsPlusZeroWhateverTheOrder(_ values: [Double]) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("z.tape")
        let w = try TapeWriter(path: path)
        let t = try w.declareTable("z", columns: [ColumnDef("f", .float64)])
        for v in values { try t.append(values: [.double(v)]) }
        try w.close()
        for threads in [1, 2] {
            let r = try rows("SELECT f, count(*) FROM z WHERE f = 0 GROUP BY f", threads: threads, paths: [path])
            guard case .double(let z)? = r.first?.first else { Issue.record("\(r)"); continue }
            #expect(r.count == 1 && z == 0 && z.sign == .plus && r[0][1] == .int(Int64(values.filter { $0 == 0 }.count)), "\(values)")
        }
    }

    /// 200,000 distinct keys at a 1 MiB budget: what cannot spill (count(DISTINCT) beside other
    /// aggregates and median without GROUP BY, a window function that cannot stream over sorted
    /// rows) stops with the memory-limit error instead of growing without bound. (DISTINCT, GROUP
    /// BY, count(DISTINCT x) alone, a large top-N and windows spill: `spillingOperatorsGiveTheUnlimitedAnswer`.)
    @Test(arguments: [
        "SELECT count(DISTINCT k), count(*) FROM t", "SELECT count(DISTINCT s), min(k) FROM t",
        "SELECT median(k) FROM t", "SELECT k, count(DISTINCT k) OVER (ORDER BY k) FROM t",
    ])
    func memoryLimitBoundsEveryGrowingOperator(_ sql: String) throws {
        let paths = [try Self.keys.get()]
        for threads in [1, 2] {
            #expect {
                _ = try rows(sql, threads: threads, memoryLimit: 1 << 20, paths: paths)
            } throws: { e in
                (e as? QueryError)?.message.contains("--memory-limit") == true
            }
        }
        // The same query within a generous budget runs.
        #expect(try !rows(sql, threads: 2, memoryLimit: 1 << 30, paths: paths).isEmpty)
    }

    /// The same 200,000 keys at 1 MiB through the operators that spill: the answer the generous
    /// budget gives.
    @Test(arguments: [
        "SELECT DISTINCT s FROM t", "SELECT k FROM t ORDER BY k DESC LIMIT 150000", "SELECT k, count(*) FROM t GROUP BY k",
        "SELECT s, sum(k) OVER (PARTITION BY s) FROM t", "SELECT k, row_number() OVER (ORDER BY k), avg(k) OVER (ORDER BY s) FROM t",
        "SELECT count(DISTINCT k) FROM t", "SELECT count(DISTINCT s) FROM t",
        "SELECT k, s FROM t INTERSECT SELECT k, s FROM t WHERE k % 3 = 0", "SELECT k FROM t EXCEPT ALL SELECT k FROM t WHERE k % 5 = 1",
    ])
    func spillingOperatorsGiveTheUnlimitedAnswer(_ sql: String) throws {
        let paths = [try Self.keys.get()]
        let free = try rows(sql, threads: 2, memoryLimit: 1 << 30, paths: paths)
        let spilled = try rows(sql, threads: 2, memoryLimit: 1 << 20, paths: paths)
        // Row order is defined only by a query-level ORDER BY (not one inside OVER). Compared as
        // one Bool: on a mismatch `#expect(a == b)` diffs 200,000-row arrays (quadratic, minutes).
        let text = { (r: [[Value]]) in r.map { $0.map(\.description).joined(separator: "|") } }
        let (a, b) = Self.topLevelOrderBy(sql) ? (text(spilled), text(free)) : (text(spilled).sorted(), text(free).sorted())
        let firstDifference = a.indices.first { $0 >= b.count || a[$0] != b[$0] }
        #expect(Bool(a == b), "\(a.count) spilled rows, \(b.count) unlimited; first difference at \(firstDifference.map(String.init) ?? "the end"): \(firstDifference.map { "\(a[$0]) vs \($0 < b.count ? b[$0] : "nothing")" } ?? "")")
    }

    /// Whether `sql` has an ORDER BY outside parentheses (one that orders the result).
    static func topLevelOrderBy(_ sql: String) -> Bool {
        var depth = 0
        let chars = Array(sql.uppercased())
        for (i, c) in chars.enumerated() {
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
            if depth == 0, String(chars[i...].prefix(8)) == "ORDER BY" { return true }
        }
        return false
    }

    /// A run with table `t`: 200,000 rows of distinct `k` (BIGINT) and `s` (VARCHAR), written once
    /// (a static let initialises once, even with test cases running in parallel).
    static let keys: Result<String, any Error> = Result {
        let path = TempDir().path("keys.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(), metadata: [:])
        let t = try w.declareTable("t", columns: [ColumnDef("k", .int64, nullable: false), ColumnDef("s", .string, nullable: false)])
        for k in 0..<200_000 { try t.append(values: [.int(Int64(k) * 7_919 % 1_000_003), .string("key-\(k)")]) }
        _ = try w.close()
        return path
    }
}
