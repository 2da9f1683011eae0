import Foundation
import Testing
import Tape
import TapeTestSupport
@testable import TapeQuery

/// String kernels against DuckDB, over plain-encoded strings (the engine keeps them as Arrow
/// offsets + bytes) and over dictionary strings: comparisons, LIKE / ILIKE, IN, case mapping and
/// trim (ASCII and not), concatenation, CASE, GROUP BY, DISTINCT, ORDER BY, min/max, count(DISTINCT)
/// and joins on a string key. The notes hold non-ASCII text, padding and mixed case.
extension DuckDBDifferentialTests {
    static let notes = ["Breakout", " stop, hit ", "Émile ÄÖ say \"hi\""]

    static let stringQueries: [(String, Bool)] = [
        ("SELECT run, ts, note FROM trades WHERE note = 'Breakout' ORDER BY run, ts", true),
        ("SELECT count(*) FROM trades WHERE note <> 'Breakout'", true),
        ("SELECT count(*) FROM trades WHERE note < 'C' OR note >= 'É'", true),
        ("SELECT count(*) FROM trades WHERE symbol > side", true),
        ("SELECT count(*) FROM trades WHERE note LIKE '%hi%' OR note LIKE '_stop%'", true),
        ("SELECT count(*) FROM trades WHERE note ILIKE 'émile%' OR note ILIKE 'BREAK%'", true),
        ("SELECT count(*) FROM trades WHERE note NOT LIKE '%, %'", true),
        ("SELECT count(*) FROM trades WHERE note IN ('Breakout', NULL)", true),
        ("SELECT count(*) FROM trades WHERE note NOT IN ('Breakout', 'x')", true),
        ("SELECT count(*) FROM trades WHERE symbol IN ('ES', 'GOOG') AND side NOT IN ('buy')", true),
        ("SELECT upper(note), lower(note), trim(note), length(note), count(*) FROM trades GROUP BY ALL ORDER BY 1 NULLS FIRST", true),
        ("SELECT run, ts, note || '|' || symbol, concat(note, '-', side), replace(note, 'o', '0'), substr(note, 2, 3) FROM trades ORDER BY run, ts LIMIT 40", true),
        ("SELECT CASE WHEN pnl > 0 THEN note ELSE symbol END AS c, count(*) FROM trades GROUP BY 1 ORDER BY 1 NULLS FIRST", true),
        ("SELECT coalesce(note, side) AS c, count(*) FROM trades GROUP BY c ORDER BY c", true),
        ("SELECT note, count(*), sum(qty) FROM trades GROUP BY note ORDER BY note NULLS FIRST", true),
        ("SELECT symbol, side, count(*) FROM trades GROUP BY symbol, side ORDER BY symbol, side", true),
        ("SELECT DISTINCT note FROM trades ORDER BY note NULLS LAST", true),
        ("SELECT DISTINCT upper(symbol) AS s FROM trades ORDER BY s", true),
        ("SELECT run, ts, note FROM trades WHERE note IS NOT NULL ORDER BY note DESC, run, ts LIMIT 15", true),
        ("SELECT symbol, min(note), max(note), count(DISTINCT note), arg_max(note, pnl) FROM trades GROUP BY symbol ORDER BY symbol", true),
        ("SELECT min(note), max(note), min(symbol), max(side), count(DISTINCT symbol) FROM trades", true),
        ("SELECT a.symbol, count(*) FROM trades a JOIN (SELECT DISTINCT symbol, side FROM trades WHERE qty < 100) b ON a.symbol = b.symbol AND a.side = b.side GROUP BY a.symbol ORDER BY 1", true),
        ("SELECT t.note, count(*) FROM trades t JOIN (SELECT DISTINCT note FROM trades WHERE note LIKE '%o%') n ON t.note = n.note GROUP BY t.note ORDER BY 1", true),
        ("SELECT t.symbol, r.strategy, count(*) FROM trades t JOIN runs r ON t.run = r.run GROUP BY ALL ORDER BY 1, 2", true),
        ("SELECT count(*) FROM trades WHERE upper(symbol) = 'ES' AND lower(side) = 'buy'", true),
        ("SELECT note FROM trades UNION SELECT symbol FROM trades ORDER BY 1 NULLS FIRST", true),
        ("SELECT CAST(qty AS VARCHAR) AS q, count(*) FROM trades WHERE CAST(qty AS VARCHAR) LIKE '1%' GROUP BY q ORDER BY q LIMIT 10", true),
    ]

    /// The main and string queries over plain-encoded strings.
    @Test func plainStringsMatchDuckDB() throws {
        let f = try QueryFixture(runs: 4, bars: 3000, rowsPerChunk: 700, plainStrings: true, notes: Self.notes)
        let reader = try TapeReader(path: f.paths[0])
        let trades = try reader.table("trades")
        let symbol = try #require(trades.schema.index(of: "symbol"))
        guard case .strings = try reader.readColumn(trades, chunk: 0, column: symbol).storage else {
            Issue.record("the fixture's strings are not plain-encoded")
            return
        }
        try check(Self.queries + Self.stringQueries, fixture: f)
    }

    /// The string queries over dictionary strings (the default encoding of few distinct values).
    @Test func dictionaryStringsMatchDuckDB() throws {
        try check(Self.stringQueries, fixture: try QueryFixture(runs: 4, bars: 3000, rowsPerChunk: 700, notes: Self.notes))
    }
}
