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
        try check(Self.registryQueries + [
            ("SELECT nullif(1, NULL), nullif(NULL, 1), nullif(qty, NULL), nullif(pnl, pnl), coalesce(NULL, NULL, qty) FROM trades ORDER BY run, ts LIMIT 5", true),
        ])
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

    /// Every aggregate function's running state comes from its registry entry, the variant picked
    /// by the bound call's types.
    @Test func everyAggregateHasItsStateInItsEntry() throws {
        for f in AggregateFunction.allCases { #expect(FunctionRegistry.aggregateByFunction[f] != nil, "\(f)") }
        func call(_ f: AggregateFunction, _ arg: SQLType, _ type: SQLType) -> AggregateCall {
            AggregateCall(function: f, args: [BoundExpr(.constant(.null), arg, at: 0)], fraction: 0.5, type: type, text: "\(f)")
        }
        #expect(AggregateState.make(call(.sum, .int, .int)) is SumIntState)
        #expect(AggregateState.make(call(.avg, .int, .double)) is SumIntState)
        #expect(AggregateState.make(call(.sum, .double, .double)) is SumDoubleState)
        #expect(AggregateState.make(call(.avg, .interval, .interval)) is IntervalSumState)
        #expect(AggregateState.make(call(.countDistinct, .int, .int)) is CountDistinctState)
        #expect(AggregateState.make(call(.countStar, .int, .int)) is CountState)
        #expect(AggregateState.make(call(.quantileCont, .double, .double)) is QuantileState)
        #expect(AggregateState.make(call(.varPop, .double, .double)) is VarianceState)
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
