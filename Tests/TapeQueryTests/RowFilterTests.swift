import Testing
import TapeFormat
@testable import TapeQuery

@Suite struct RowFilterTests {
    static let columns: [(name: String, type: SQLType)] = [("sharpe", .double), ("trades", .int), ("strategy", .string), ("start", .timestamp)]
    static let rows: [[Datum]] = [
        [.double(1.4), .int(12), .string("sma"), .timestamp(1_704_067_200_000_000_000)],
        [.double(0.3), .int(40), .string("momentum"), .timestamp(1_706_745_600_000_000_000)],
        [.null, .int(0), .string("sma"), .null],
    ]

    @Test(arguments: [
        ("sharpe > 1", [true, false, false]),
        ("sharpe > 1 OR trades >= 40", [true, true, false]),
        ("strategy = 'sma' AND NOT trades = 0", [true, false, false]),
        ("sharpe IS NULL", [false, false, true]),
        ("STRATEGY like 'mom%'", [false, true, false]),
        ("start >= '2024-02-01'", [false, true, false]),
        ("trades BETWEEN 1 AND 20 OR sharpe < 0.5", [true, true, false]),
        ("coalesce(sharpe, 0) * trades > 10", [true, true, false]),
    ])
    func filters(_ c: (String, [Bool])) throws {
        let f = try RowFilter(c.0, columns: Self.columns)
        #expect(try f.matches(Self.rows) == c.1)
    }

    @Test("the column-vs-constant conjuncts of a condition become zone-map predicates; OR, NOT and expressions do not",
          arguments: [
        ("sharpe > 1", ["sharpe > 1.0"]),
        ("trades BETWEEN 1 AND 20 AND strategy = 'sma'", ["trades >= 1", "trades <= 20", "strategy = sma"]),
        ("5 < trades AND (sharpe > 1 OR trades >= 40)", ["trades > 5"]),
        ("trades IN (3, 9, 4) AND NOT trades = 0", ["trades >= 3", "trades <= 9"]),
        ("coalesce(sharpe, 0) * trades > 10", []),
        ("trades <> 3", []),
    ])
    func zonePredicates(_ c: (String, [String])) throws {
        let f = try RowFilter(c.0, columns: Self.columns)
        #expect(f.zonePredicates.map(\.description) == c.1)
    }

    @Test(arguments: [
        ("sharp > 1", 0, "did you mean 'sharpe'"),
        ("sharpe >", 8, "expected an expression"),
        ("strategy > 1", 9, "cannot compare VARCHAR with BIGINT"),
        ("sum(trades) > 1", 0, "aggregate"),
        ("trades", 0, "boolean"),
        ("run = 'x'", 0, "no column 'run'"),
    ])
    func errors(_ c: (String, Int, String)) {
        #expect {
            _ = try RowFilter(c.0, columns: Self.columns)
        } throws: { e in
            guard let q = e as? QueryError else { return false }
            return q.position == c.1 && q.description.contains(c.2)
        }
    }
}
