import Testing
import TapeFormat
import TapeTestSupport
@testable import TapeIO

/// Deterministic mutation fuzzing of the CSV and NDJSON importers: every mutated input must
/// import or fail with a `TextInputError` carrying a line number, never crash or hang.
@Suite("Mutation fuzzing of text importers")
struct TextFuzzTests {
    static let csv = Array(#"""
        ts,price,qty,side,ok,note
        2024-01-01 00:00:00,100.25,10,buy,True,"a, quoted ""note"""
        2024-01-01 00:01:00,100.5,-3,sell,False,
        2024-01-01T00:02:00Z,1e3,0,buy,True,"multi
        line"
        2024-01-01,NaN,7,hold,False,plain

        """#.utf8)
    static let ndjson = Array(#"""
        {"ts":"2024-01-01T00:00:00Z","price":100.25,"qty":10,"side":"buy","ok":true,"note":"é\u00e9\n"}
        {"ts":"2024-01-01T00:01:00Z","price":1e2,"qty":-3,"side":"sell","ok":false,"note":null}
        {"ts":"2024-01-01T00:02:00Z","price":100,"qty":0,"side":"buy","ok":true}

        """#.utf8)

    static func mutate(_ b: [UInt8], _ g: inout SplitMix64) -> [UInt8] {
        var b = b
        let specials: [UInt8] = Array("\",\n\r{}[]:\\\u{00}\u{FF}0e-.".utf8)
        for _ in 0...(g.next() % 3) where !b.isEmpty {
            let at = Int(g.next() % UInt64(b.count))
            switch g.next() % 4 {
            case 0: b[at] = specials[Int(g.next() % UInt64(specials.count))]
            case 1: b.remove(at: at)
            case 2: b.insert(UInt8(truncatingIfNeeded: g.next()), at: at)
            default: b = Array(b.prefix(at))
            }
        }
        return b
    }

    final class Sink: RowSink {
        var rows = 0
        func appendRow(_ values: [Value]) throws { rows += 1 }
    }

    @Test("mutated CSV and NDJSON import or give a located error", arguments: [false, true])
    func mutated(ndjson: Bool) throws {
        var g = SplitMix64(seed: ndjson ? 11 : 7)
        var failures = 0
        for _ in 0..<2_500 {
            let input = Self.mutate(ndjson ? Self.ndjson : Self.csv, &g)
            do {
                let sink = Sink()
                if ndjson {
                    let imp = try NDJSONImporter(.bytes(input))
                    _ = try imp.inferSchema()
                    _ = try imp.run(into: sink)
                } else {
                    let imp = try CSVImporter(.bytes(input))
                    _ = try imp.inferSchema()
                    _ = try imp.run(into: sink)
                }
                #expect(sink.rows <= 5)
            } catch let e as TextInputError {
                failures += 1
                if input.count > 0 && e.line == 0 { #expect("\(e)".isEmpty == false) }
            }
        }
        #expect(failures > 100)
    }
}
