import Foundation
import Testing
import TapeTestSupport
@testable import TapeQuery

/// A TIMESTAMP turned into text inside SQL (CAST, ::VARCHAR, ||, concat, UNION with text) reads as
/// DuckDB prints it: `2024-01-02 03:04:05`, a fraction only when not zero and without trailing
/// zeros. Output formats keep ISO-8601 (checked in SQLCommandTests).
@Suite struct TimestampTextTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01 00:00:00"),
        (1_704_164_645_000_000_000, "2024-01-02 03:04:05"),
        (1_704_164_645_500_000_000, "2024-01-02 03:04:05.5"),
        (1_704_164_645_120_000_000, "2024-01-02 03:04:05.12"),
        (1_704_164_645_123_456_000, "2024-01-02 03:04:05.123456"),
        (1_704_164_645_000_000_001, "2024-01-02 03:04:05.000000001"),
        (-500_000_000, "1969-12-31 23:59:59.5"),
        (Int64.min, "1677-09-21 00:12:43.145224192"),
        (Int64.max, "2262-04-11 23:47:16.854775807"),
    ])
    func printsAsDuckDB(ns: Int64, text: String) {
        #expect(Evaluator.text(.timestamp(ns)) == text)
    }
}

extension DuckDBDifferentialTests {
    static let timestampTextQueries: [(String, Bool)] = [
        ("SELECT run, ts, CAST(ts AS VARCHAR), ts::VARCHAR || '|', concat(ts, ' ', side) FROM trades ORDER BY run, ts LIMIT 30", true),
        ("SELECT run, ts, CAST(ts + INTERVAL '250 milliseconds' AS VARCHAR), CAST(ts + INTERVAL '1 microsecond' AS VARCHAR), CAST(ts - INTERVAL '120 milliseconds' AS VARCHAR) FROM trades ORDER BY run, ts LIMIT 20", true),
        ("SELECT ts AS x FROM trades WHERE run = 'run001' UNION ALL SELECT note FROM trades WHERE run = 'run001' ORDER BY 1 NULLS FIRST", true),
        ("SELECT ts FROM trades WHERE run = 'run002' AND qty > 250 UNION SELECT symbol FROM trades ORDER BY 1", true),
        ("SELECT CAST(TIMESTAMP '1969-12-31 23:59:59.5' AS VARCHAR), CAST(TIMESTAMP '2024-02-29 00:00:00' AS VARCHAR), CAST(DATE '2024-03-01' AS VARCHAR) LIKE '2024-03-01%'", true),
        ("SELECT count(*) FROM trades WHERE CAST(ts AS VARCHAR) LIKE '2024-01-01 %'", true),
        ("SELECT max(CAST(ts AS VARCHAR)), min(ts::VARCHAR) FROM equity", true),
    ]

    @Test func timestampTextMatchesDuckDB() throws {
        try check(Self.timestampTextQueries)
    }
}
