import Foundation
import Testing
import Tape
import TapeTestSupport

/// Runs Tape's reader over the conformance corpus (Tests/Conformance, see its README.md) and
/// checks that the committed manifest is the one `ConformanceCorpus` describes. Serialized so
/// that a regeneration (`TAPE_WRITE_CONFORMANCE=1`, the first test) precedes the reads.
@Suite(.serialized) struct ConformanceTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Conformance")

    /// The manifest entry of `c` (JSON object); values per format: see Tests/Conformance/README.md.
    static func entry(_ c: ConformanceCase) -> [String: Any] {
        var e: [String: Any] = ["file": c.name + ".tape", "rule": c.rule, "about": c.about, "read": c.read]
        if c.read == "ok" {
            e["tables"] = c.tables.mapValues { t -> [String: Any] in
                ["columns": t.columns, "rows": t.rows.map { $0.map(json) }]
            }
        }
        if let v = c.verify { e["verify"] = v }
        if let r = c.recover { e["recover"] = r }
        return e
    }

    static func json(_ v: Value) -> Any {
        switch v {
        case .null: return NSNull()
        case .int(let x), .timestamp(let x): return String(x)
        case .double(let x): return String(x)
        case .bool(let x): return x
        case .string(let s): return s
        case .interval(let i): return i.description
        }
    }

    static func manifest(_ cases: [ConformanceCase]) throws -> Data {
        var data = try JSONSerialization.data(withJSONObject: cases.map(entry), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(0x0A)
        return data
    }

    @Test func committedManifestMatchesTheCorpus() throws {
        let cases = try ConformanceCorpus.cached.get()
        let expected = try Self.manifest(cases)
        let path = Self.directory.appendingPathComponent("manifest.json")
        if ProcessInfo.processInfo.environment["TAPE_WRITE_CONFORMANCE"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            for c in cases { try Data(c.bytes).write(to: Self.directory.appendingPathComponent(c.name + ".tape")) }
            try expected.write(to: path)
        }
        let committed = try Data(contentsOf: path)
        #expect(committed == expected, "Tests/Conformance/manifest.json is stale: rerun with TAPE_WRITE_CONFORMANCE=1")
        #expect(Set(cases.map(\.name)).count == cases.count)
    }

    /// The error kind of the manifest for what Tape threw.
    static func kind(_ error: Error) -> String {
        switch error {
        case TapeError.unsealed: return "unsealed"
        case TapeError.corrupt(let path, let f):
            switch f {
            case .inNewerMinorVersion(_, let inner): return kind(TapeError.corrupt(path: path, inner)) + " (newer minor version)"
            case .truncated: return "truncated"
            case .badMagic: return "bad-magic"
            case .unsupportedVersion: return "unsupported-version"
            case .checksumMismatch: return "checksum"
            case .outOfBounds: return "out-of-bounds"
            case .invalid: return "invalid"
            }
        default: return "other: \(error)"
        }
    }

    /// Reads the committed file `name` the way the manifest's `read` means: open, then every
    /// block of every table with chunk CRCs checked.
    static func read(_ path: String) -> Result<[String: (columns: [String], rows: [[Value]])], Error> {
        Result {
            let reader = try TapeReader(path: path, options: ReaderOptions(verifyChecksums: true))
            var out: [String: (columns: [String], rows: [[Value]])] = [:]
            for t in reader.tables { out[t.name] = (t.schema.columns.map(\.name), try reader.rows(t.name)) }
            return out
        }
    }

    @Test(arguments: try ConformanceCorpus.cached.get().map(\.name))
    func tapeReadsAsTheManifestSays(_ name: String) throws {
        let c = try #require(try ConformanceCorpus.cached.get().first { $0.name == name })
        let path = Self.directory.appendingPathComponent(c.name + ".tape").path
        #expect(FileManager.default.contents(atPath: path) != nil, "missing \(path)")
        switch Self.read(path) {
        case .success(let tables):
            #expect(c.read == "ok", "\(name): read succeeded, the spec says \(c.read)")
            #expect(Set(tables.keys) == Set(c.tables.keys))
            for (t, want) in c.tables {
                #expect(tables[t]?.columns == want.columns, "\(name): columns of \(t)")
                // Compare through the manifest's text form: NaN == NaN there, -0.0 ≠ 0.0.
                #expect(tables[t]?.rows.map { $0.map { "\(Self.json($0))" } } == want.rows.map { $0.map { "\(Self.json($0))" } },
                        "\(name): rows of \(t)")
            }
            let report = try Verifier.verify(path: path)
            #expect((report.ok ? "ok" : "fail") == c.verify, "\(name): verify found \(report.problems)")
        case .failure(let error):
            #expect(Self.kind(error) == c.read, "\(name): \(error)")
        }
        if let kept = c.recover {
            let reader = try TapeReader(path: path, options: ReaderOptions(allowUnsealed: true))
            #expect(Dictionary(uniqueKeysWithValues: reader.tables.map { ($0.name, $0.rowCount) }) == kept, "\(name): recovery scan")
        }
    }
}
