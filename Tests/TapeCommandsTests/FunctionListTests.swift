import Foundation
import Testing
@testable import TapeCommands
@testable import TapeQuery

/// `tape sql --help` and README list the SQL functions by hand; these tests hold both lists to the
/// engine's function tables (`ScalarFunction`, `AggregateFunction`): every listed name resolves to
/// a function, and every function is listed (by its name or an alias).
@Suite struct FunctionListTests {
    /// The text between `start` and the first `end` after it.
    static func section(_ text: String, from start: String, to end: String) throws -> String {
        let from = try #require(text.range(of: start), "\(start) not found")
        let rest = text[from.upperBound...]
        let to = try #require(rest.range(of: end), "\(end) not found after \(start)")
        return String(rest[..<to.lowerBound])
    }

    /// Lower-case identifier words of `text` (`stddev[_pop]` gives stddev and stddev_pop).
    static func words(_ text: String) -> Set<String> {
        let expanded = text.replacingOccurrences(of: "stddev[_pop]", with: "stddev stddev_pop")
        var out = Set<String>()
        var word = ""
        for ch in expanded.lowercased() + " " {
            if ch.isLetter || ch.isNumber || ch == "_" { word.append(ch) } else if !word.isEmpty { out.insert(word); word = "" }
        }
        return out
    }

    /// The aggregates called by name (count(*) and count(DISTINCT x) are spelled out).
    static let namedAggregates = AggregateFunction.allCases.filter { $0 != .countStar && $0 != .countDistinct }

    static var help: String { SQLCommand.configuration.discussion }

    static func readme() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    }

    static func checkScalars(_ listed: Set<String>, _ place: String) {
        for f in ScalarFunction.allCases where f != .notDistinct {
            #expect(listed.contains { ScalarFunction.named($0) == f }, "\(f.name) is not in \(place)'s function list")
        }
    }

    @Test func helpListsEveryScalarFunctionAndOnlyThose() throws {
        let text = try Self.section(Self.help, from: "Functions: ", to: "Semantics")
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "."))) }
        for n in names.flatMap({ $0.split(separator: "/").map(String.init) }) where n != "extract" {
            #expect(ScalarFunction.named(n) != nil, "--help lists \(n), which is no function")
        }
        Self.checkScalars(Self.words(text), "--help")
    }

    @Test func helpListsEveryAggregate() throws {
        let listed = Self.words(try Self.section(Self.help, from: "Aggregates: ", to: "Functions: "))
        for f in Self.namedAggregates {
            #expect(listed.contains { AggregateFunction.named($0, distinct: false) == f }, "--help does not list \(f.rawValue)")
        }
    }

    @Test func readmeListsEveryScalarFunctionAndAggregate() throws {
        let readme = try Self.readme()
        Self.checkScalars(Self.words(try Self.section(readme, from: "Aggregates: ", to: "sum and avg of BIGINT")), "README")
        let aggregates = Self.words(try Self.section(readme, from: "Aggregates: ", to: "Functions: abs"))
        for f in Self.namedAggregates {
            #expect(aggregates.contains { AggregateFunction.named($0, distinct: false) == f }, "README does not list \(f.rawValue)")
        }
    }
}
