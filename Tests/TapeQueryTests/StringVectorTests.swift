import Foundation
import Testing
import Tape
import TapeCodec
import TapeFormat
@testable import TapeQuery

/// Strings in the query engine stay in the Arrow layout they are decoded in (offsets + UTF-8
/// bytes, dictionaries as dictionaries), and the byte-wise kernels agree with the `String` ones.
@Suite struct StringVectorTests {
    static let samples = ["", "a", "abc", "ABC", "Straße", "Émile ÄÖ", "  pad\t", "\t", "ﬁ x", "日本語", "a%b_c", "zz"]

    static func baseAddress(_ a: [UInt8]) -> UnsafeRawPointer? { a.withUnsafeBytes { $0.baseAddress } }

    @Test func decodedStringsAreSharedNotCopied() throws {
        let plain = ColumnData(type: .string, storage: .strings(try StringArray(Self.samples)))
        let v = Vector(plain)
        guard case .strings(let a) = v.storage, case .strings(let s) = plain.storage else { Issue.record("not plain"); return }
        #expect(Self.baseAddress(a.bytes) == Self.baseAddress(s.bytes))
        // And back out for output / the Arrow bridge, still the same buffers.
        guard case .strings(let out) = try v.columnData().storage else { Issue.record("not plain"); return }
        #expect(Self.baseAddress(out.bytes) == Self.baseAddress(s.bytes))
        #expect(try v.columnData() == plain)

        let entries = try StringArray(["x", "y"])
        let dict = ColumnData(type: .string, storage: .dictionary(entries: entries, indices: [1, 0, 1]))
        let dv = Vector(dict)
        guard case .dictionary(let e, let idx) = dv.storage else { Issue.record("not a dictionary"); return }
        #expect(Self.baseAddress(e.bytes) == Self.baseAddress(entries.bytes))
        #expect(idx == [1, 0, 1])
        #expect(try dv.columnData() == dict)
        #expect((0..<3).map(dv.stringAt) == ["y", "x", "y"])
    }

    @Test func allNullDictionaryChunkHasAPlaceholderEntry() throws {
        let c = ColumnData(type: .string, storage: .dictionary(entries: StringArray(), indices: [0, 0]), validity: Bitmap(count: 2, value: false))
        let v = Vector(c)
        #expect(v.datum(0) == .null && v.datum(1) == .null)
        #expect(try Evaluator.caseMapped(v, 2, upper: true).isNull(1))
    }

    @Test func byteOrderIsStringByteOrder() throws {
        let a = try StringArray(Self.samples)
        for i in 0..<a.count {
            for j in 0..<a.count {
                #expect(a.compare(i, a, j) == compareBytes(Self.samples[i], Self.samples[j]))
            }
        }
        #expect(try a.gather([3, 0, 3]) == StringArray(["ABC", "", "ABC"]))
        var b = try StringArray(["q"])
        try b.append(contentsOf: a)
        #expect((0..<b.count).map { b[$0] } == ["q"] + Self.samples)
    }

    @Test func byteDictionaryFindsWithoutInserting() throws {
        var d = ByteDictionary()
        #expect(d.index(of: "x") == 0 && d.index(of: "y") == 1 && d.index(of: "x") == 0)
        #expect(d.firstIndex(of: "y") == 1)
        #expect(d.firstIndex(of: "z") == nil)
        #expect(d.count == 2)
    }

    @Test func caseMappingAndTrimMatchString() throws {
        let v = Vector(type: .string, storage: .strings(try StringArray(Self.samples)), count: Self.samples.count)
        let up = try Evaluator.caseMapped(v, v.count, upper: true)
        let low = try Evaluator.caseMapped(v, v.count, upper: false)
        let trim = try Evaluator.trimmed(v, v.count)
        for (i, s) in Self.samples.enumerated() {
            #expect(up.stringAt(i) == s.uppercased())
            #expect(low.stringAt(i) == s.lowercased())
            #expect(trim.stringAt(i) == s.trimmingCharacters(in: .whitespaces))
        }
    }

    @Test(arguments: [("a%", false), ("%B%", true), ("_b_", true), ("é%", true), ("%ä%", true), ("st%E", true), ("a\\%b%", false), ("%", false), ("", false), ("日_語", false)])
    func likeOverBytesMatchesLikeOverStrings(pattern: String, caseInsensitive: Bool) throws {
        let p = try #require(LikePattern(pattern, caseInsensitive: caseInsensitive, escape: "\\"))
        for s in Self.samples {
            let matched = s.utf8CString.withUnsafeBytes { p.matches(utf8: UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
            #expect(matched == p.matches(s), "\(s) LIKE \(pattern)")
        }
    }

    /// A predicate over one dictionary column is decided per entry (and for NULL) and selects
    /// the rows a row-wise evaluation selects.
    @Test func dictionarySelectionEqualsRowWise() throws {
        let entries = try StringArray(["buy", "sell", "hold", "7"])
        var indices: [UInt32] = []
        var valid = Bitmap()
        for r in 0..<200 {
            indices.append(UInt32(r * 7 % 4))
            valid.append(r % 9 != 0)
        }
        let col = Vector(type: .string, storage: .dictionary(entries: entries, indices: indices), validity: valid, count: 200)
        let batch = Batch(columns: [col, .constant(.int(1), count: 200)], count: 200)
        let s = BoundExpr(.column(slot: 0, name: "s"), .string, at: 0)
        func lit(_ t: String) -> BoundExpr { BoundExpr(.constant(.string(t)), .string, at: 0) }
        let predicates: [BoundExpr] = [
            BoundExpr(.compare(.eq, s, lit("sell")), .bool, at: 0),
            BoundExpr(.compare(.ge, s, lit("hold")), .bool, at: 0),
            BoundExpr(.isNull(s, negated: false), .bool, at: 0),
            BoundExpr(.inList(s, [.string("buy"), .string("7")], hasNull: true, negated: true), .bool, at: 0),
            BoundExpr(.like(s, try #require(LikePattern("%l%", caseInsensitive: false)), negated: false), .bool, at: 0),
        ]
        for f in predicates {
            let fast = try #require(FilterOperator.dictionarySelection(f, batch), "\(f.text)")
            let v = try Evaluator.evaluate(f, batch)
            let slow = (0..<200).filter { !v.isNull($0) && v.datumBool($0) }.map(Int32.init)
            #expect(fast == slow, "\(f.text)")
        }
        // An entry that fails (a cast no row would reach) falls back to the row-wise path.
        let cast = BoundExpr(.compare(.eq, BoundExpr(.cast(s, .int), .int, at: 0), BoundExpr(.constant(.int(7)), .int, at: 0)), .bool, at: 0)
        #expect(FilterOperator.dictionarySelection(cast, batch) == nil)
    }
}
