import Foundation
import Testing
import TapeTestSupport
@testable import TapeQuery

/// Every registered function binds and evaluates, and gives DuckDB's answer: each entry's own
/// example, over the differential fixture, at 1 and 2 threads. A new entry is covered by adding it.
extension DuckDBDifferentialTests {
    /// One query per listed entry: scalars row by row, aggregates per run, window functions over
    /// their own OVER clause.
    static var registryQueries: [(String, Bool)] {
        FunctionRegistry.all.compactMap { f -> (String, Bool)? in
            guard let example = f.example else { return nil }
            switch f.kind {
            case .scalar:
                return ("SELECT run, ts, \(example) FROM trades ORDER BY run, ts LIMIT 60", true)
            case .aggregate:
                return ("SELECT run, \(example) FROM trades GROUP BY run ORDER BY run", true)
            case .window:
                return ("SELECT run, ts, \(example) FROM trades ORDER BY run, ts", true)
            }
        }
    }

    @Test func everyRegisteredFunctionMatchesDuckDB() throws {
        #expect(Self.registryQueries.count == FunctionRegistry.all.filter(\.isListed).count)
        try check(Self.registryQueries)
    }
}

/// The registry's lookups, without DuckDB.
@Suite struct FunctionRegistryTests {
    /// Aliases resolve to their entry: `f(alias)` binds to the same entry as the canonical name.
    @Test func aliasesBindToTheirEntry() throws {
        for f in FunctionRegistry.scalars { for n in f.names { #expect(FunctionRegistry.scalar(named: n)?.name == f.name) } }
        for f in FunctionRegistry.aggregates { for n in f.names { #expect(FunctionRegistry.aggregate(named: n)?.name == f.name) } }
        for f in FunctionRegistry.windows { for n in f.names { #expect(FunctionRegistry.window(named: n)?.name == f.name) } }
    }

    /// Binding goes through the entry's rule: wrong arity and types are refused with the name as
    /// written, unknown names get a suggestion.
    @Test func bindingErrorsNameTheCall() throws {
        let f = try QueryFixture(runs: 1, bars: 50, rowsPerChunk: 50)
        defer { f.dir.cleanup() }
        func failure(_ sql: String) -> String {
            do { _ = try Query(sql: sql, paths: f.paths).rows(); return "" } catch { return error.message }
        }
        #expect(failure("SELECT ceiling(price, 2) FROM trades") == "ceiling() takes 1 argument, got 2")
        #expect(failure("SELECT upper(qty) FROM trades") == "upper() needs a string as argument 1, got BIGINT")
        #expect(failure("SELECT lowr(note) FROM trades").hasSuffix("(did you mean lower?)"))
        #expect(failure("SELECT median(price, 0.5) FROM trades") == "median() takes 1 argument, got 2")
        #expect(failure("SELECT ntile('a') OVER () FROM trades") == "ntile() needs an integer argument 1, got VARCHAR")
    }
}
