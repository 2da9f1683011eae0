import Foundation
import Testing
import TapeFormat
import TapeTestSupport
@testable import TapeQuery

/// Hostile query text: mutated valid queries (byte flips, deletions, duplications, splices,
/// keyword and operator swaps, deep nesting) must each give a result or a `QueryError` with a
/// position inside the text — never a crash or a hang. TAPE_SQL_FUZZ=N runs N mutants (default 10,000).
@Suite struct SQLFuzzTests {
    static let seeds = DuckDBDifferentialTests.queries.map(\.0) + DuckDBDifferentialTests.relationalQueries.map(\.0) + [
        "WITH a AS (SELECT run, count(*) AS n FROM trades GROUP BY run) SELECT * FROM a x, a y WHERE x.n < y.n UNION ALL SELECT 'r', 1, 'q', 2",
        "SELECT t.*, r.* FROM trades t LEFT JOIN runs r ON t.run = r.run AND r.fast IN (SELECT fast FROM runs) WHERE EXISTS (SELECT 1)",
        "SELECT * FROM trades t ASOF LEFT JOIN equity e ON t.run = e.run AND t.ts >= e.ts ORDER BY 1 LIMIT 3",
        "EXPLAIN SELECT run, count(*) FROM trades GROUP BY run HAVING count(*) > 1 ORDER BY 2 DESC NULLS FIRST LIMIT 3 OFFSET 1",
        "SELECT CASE side WHEN 'buy' THEN qty ELSE -qty END, ts::VARCHAR, CAST(pnl AS BIGINT) FROM trades -- comment",
        "/* c */ SELECT \"qty\", trades.pnl FROM main.trades WHERE ts IS NOT DISTINCT FROM ts",
        // Near the edges of the timestamp, interval and Int64 ranges (each once trapped).
        "SELECT ts + INTERVAL '300 years', ts - INTERVAL '3000 months', date_trunc('week', ts - INTERVAL '346 years') FROM trades ORDER BY ts LIMIT 9223372036854775807 OFFSET 5",
        "SELECT time_bucket(INTERVAL '1 month', ts - INTERVAL '346 years'), INTERVAL '999999999999 months' * qty, ts - TIMESTAMP '1677-09-22' FROM trades",
        "SELECT qty % -1, qty // -1, pnl // 4, substr(symbol, -9223372036854775807, 9223372036854775807), epoch_ms(ts), CAST(ts AS DATE) FROM trades WHERE pnl > 'nan'::DOUBLE",
        "SELECT DISTINCT pnl, greatest(pnl, NULL) FROM trades WHERE pnl IN ('nan'::DOUBLE, 'inf'::DOUBLE) OR note LIKE 'a!%' ESCAPE '!' ORDER BY 1 OFFSET 9223372036854775807",
    ] + WindowQueries.all.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) + WindowQueries.errors
        + DuckDBDifferentialTests.correlatedQueries.enumerated().filter { $0.offset % 2 == 0 }.map(\.element.0)
        + DuckDBDifferentialTests.naturalAndUsingQueries.map(\.0) + DuckDBDifferentialTests.setOperationTypeQueries.map(\.0)
        + DuckDBDifferentialTests.windowOptionQueries.map(\.0) + DuckDBDifferentialTests.lateralQueries.map(\.0)
    static let tokens = ["SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "LIMIT", "(", ")", ",", "*", "'", "\"", "--", "/*",
                         "CASE", "END", "NULL", "INTERVAL", "TIMESTAMP", "::", "||", "//", "%", "NOT", "IN", "BETWEEN", "9223372036854775807",
                         "-9223372036854775808", "1e400", "'nan'::DOUBLE", "INTERVAL '300 years'", "ESCAPE", "'-inf'", "count(", "sum(", "arg_max(", "time_bucket(", "ü", "\u{0}", "\n",
                         "JOIN", "LEFT JOIN", "FULL JOIN", "CROSS JOIN", "ASOF JOIN", "SEMI JOIN", "USING (run)", "ON", "UNION", "UNION ALL",
                         "INTERSECT", "EXCEPT", "WITH w AS (", "(SELECT", "EXISTS (", "IN (SELECT run FROM runs)", "FILTER (WHERE",
                         "runs", "t.", "*", ".*",
                         // window grammar
                         "OVER (", "OVER w", "PARTITION BY", "ROWS BETWEEN", "RANGE BETWEEN", "GROUPS", "UNBOUNDED PRECEDING",
                         "9223372036854775807 PRECEDING", "CURRENT ROW", "1 FOLLOWING", "INTERVAL '1 month' PRECEDING", "QUALIFY",
                         "WINDOW w AS (ORDER BY ts)", "row_number() OVER ()", "lag(", "ntile(", "nth_value(",
                         "IGNORE NULLS", "RESPECT NULLS", "EXCLUDE CURRENT ROW", "EXCLUDE GROUP", "EXCLUDE TIES", "EXCLUDE NO OTHERS",
                         "count(DISTINCT", "FILTER (WHERE pnl > 0) OVER (",
                         // correlated subqueries, NATURAL joins, UNION BY NAME
                         "(SELECT avg(u.pnl) FROM trades u WHERE u.run = t.run)", "EXISTS (SELECT 1 FROM equity e WHERE e.run = t.run",
                         "NOT IN (SELECT", "t.run", "u.run", "NATURAL JOIN", "NATURAL FULL JOIN", "NATURAL LEFT OUTER JOIN",
                         "FULL JOIN runs USING (run)", "UNION BY NAME", "UNION ALL BY NAME", "LATERAL (", "JOIN LATERAL (SELECT", ", LATERAL (SELECT * FROM equity e WHERE e.run = t.run) x"]

    @Test func mutatedQueriesNeverCrash() throws {
        let f = try QueryFixture(runs: 2, bars: 400, rowsPerChunk: 128)
        defer { f.dir.cleanup() }
        let n = Int(ProcessInfo.processInfo.environment["TAPE_SQL_FUZZ"] ?? "") ?? 10_000
        var g = SplitMix64(seed: 0x5EED)
        var ok = 0, rejected = 0
        let runs = try RunSet(paths: f.paths)
        for i in 0..<n {
            let sql = Self.mutate(Self.seeds[i % Self.seeds.count], &g)
            do {
                let statement = try Parser.parse(sql)
                let root = try Binder.plan(statement.query, runs: runs, options: QueryOptions(threads: 1 + i % 2, memoryLimit: 1 << 24))
                var rows = 0
                try root.run { b throws(QueryError) in rows += b.count; return rows < 10_000 }
                ok += 1
            } catch {
                rejected += 1
                if let p = error.position { #expect(p >= 0 && p <= sql.utf8.count, "position \(p) outside \(sql)") }
                #expect(!error.message.isEmpty)
                _ = error.render(query: sql)
            }
        }
        #expect(ok + rejected == n)
        #expect(ok > n / 10)        // the mutator keeps a share of queries valid
        #expect(rejected > n / 5)   // and breaks most of them
    }

    @Test func deepNestingIsRefusedNotOverflowed() {
        for text in [String(repeating: "(", count: 100_000) + "1", "SELECT " + String(repeating: "-", count: 100_000) + "1",
                     "SELECT " + String(repeating: "NOT ", count: 50_000) + "true"] {
            #expect(throws: QueryError.self) { _ = try Parser.parse(text) }
        }
    }

    static func mutate(_ s: String, _ g: inout SplitMix64) -> String {
        var b = Array(s.utf8)
        if g.next() % 4 == 0 {
            // Benign: change a digit or the spacing, so valid queries with varied constants run.
            for i in b.indices.shuffled(using: &g).prefix(2) {
                if b[i] >= 0x30 && b[i] <= 0x39 { b[i] = 0x30 + UInt8(g.next() % 10) } else if b[i] == 0x20 { b.insert(contentsOf: Array(" /* x */ ".utf8), at: i) }
            }
            return String(decoding: b, as: UTF8.self)
        }
        for _ in 0..<(1 + Int(g.next() % 3)) {
            guard !b.isEmpty else { break }
            let i = Int(g.next() % UInt64(b.count))
            switch g.next() % 7 {
            case 0: b[i] ^= UInt8(1 << (g.next() % 8))
            case 1: b.removeSubrange(i..<min(b.count, i + 1 + Int(g.next() % 8)))
            case 2: b.insert(contentsOf: b[i..<min(b.count, i + Int(g.next() % 12))], at: Int(g.next() % UInt64(b.count)))
            case 3, 4: b.insert(contentsOf: Array((" " + tokens[Int(g.next() % UInt64(tokens.count))] + " ").utf8), at: i)
            case 5:
                let other = Array(seeds[Int(g.next() % UInt64(seeds.count))].utf8)
                let j = Int(g.next() % UInt64(other.count))
                b = Array(b[..<i]) + Array(other[j...])
            default: b = Array(b[..<i])
            }
        }
        return String(decoding: b, as: UTF8.self)
    }
}
