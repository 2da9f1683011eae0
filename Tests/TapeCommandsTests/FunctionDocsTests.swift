import Foundation
import Testing
@testable import TapeCommands
@testable import TapeQuery

/// README's function table, `tape sql --functions` and the name lists in `tape sql --help` are all
/// printed from `FunctionRegistry`; these tests hold README's copy to the registry (rewrite it with
/// `make docs`, i.e. `TAPE_UPDATE_DOCS=1 swift test --filter FunctionDocsTests`) and check that the
/// other two list every entry.
@Suite(.serialized) struct FunctionDocsTests {
    static let readmeURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md")

    /// The README text with its generated block replaced by `block`.
    static func replacingBlock(in text: String, with block: String) throws -> String {
        let begin = try #require(text.range(of: FunctionDocs.beginMarker), "README has no \(FunctionDocs.beginMarker)")
        let end = try #require(text.range(of: FunctionDocs.endMarker, range: begin.upperBound..<text.endIndex), "README has no \(FunctionDocs.endMarker)")
        return String(text[..<begin.upperBound]) + "\n" + block + "\n" + String(text[end.lowerBound...])
    }

    @Test func readmeFunctionTableIsGeneratedFromTheRegistry() throws {
        let text = try String(contentsOf: Self.readmeURL, encoding: .utf8)
        let expected = try Self.replacingBlock(in: text, with: FunctionDocs.markdown())
        if ProcessInfo.processInfo.environment["TAPE_UPDATE_DOCS"] == "1" {
            if expected != text { try expected.write(to: Self.readmeURL, atomically: true, encoding: .utf8) }
            return
        }
        #expect(text == expected, "README's SQL function table differs from the registry (Sources/TapeQuery/Functions): regenerate it with `make docs`")
    }

    /// Every listed name of every entry, by kind.
    static func listedNames(_ kind: FunctionKind) -> [String] {
        FunctionRegistry.all.filter { $0.kind == kind && $0.isListed }.flatMap(\.names)
    }

    @Test func helpNamesEveryFunctionAndAlias() {
        let help = SQLCommand.configuration.discussion
        for kind in FunctionKind.allCases {
            for n in Self.listedNames(kind) {
                #expect(help.range(of: #"\b\#(n)\b"#, options: .regularExpression) != nil, "tape sql --help does not name \(n)")
            }
        }
        #expect(help.contains("tape sql --functions"))
    }

    @Test func functionsFlagPrintsEveryEntry() throws {
        let r = try runTape(["sql", "--functions"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == FunctionDocs.text())
        for f in FunctionRegistry.all where f.isListed {
            #expect(r.stdout.contains(f.signature), "tape sql --functions does not show \(f.signature)")
        }
        let missing = try runTape(["sql"])
        #expect(missing.status == 64 && missing.stderr.contains("<query>"), "\(missing.stderr)")
    }

    /// One name, one entry: no alias of one function is the name of another of the same kind, and
    /// a name is never both a scalar function and an aggregate (the binder would not know which).
    @Test func namesAreUnambiguous() {
        for kind in FunctionKind.allCases {
            let names = FunctionRegistry.all.filter { $0.kind == kind }.flatMap(\.names)
            #expect(Set(names).count == names.count, "\(kind) names repeat: \(names)")
        }
        let scalars = Set(FunctionRegistry.scalars.flatMap(\.names))
        #expect(scalars.isDisjoint(with: FunctionRegistry.aggregates.flatMap(\.names)))
        #expect(scalars.isDisjoint(with: FunctionRegistry.windows.flatMap(\.names)))
        for f in FunctionRegistry.all {
            #expect(f.names.allSatisfy { $0 == $0.lowercased() }, "\(f.name): names are lower case")
            #expect(f.isListed == !f.name.hasPrefix("_"), "\(f.name): only internal entries may lack an example")
        }
    }
}
