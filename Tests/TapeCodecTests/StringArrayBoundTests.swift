import Testing
import TapeCodec
import TapeFormat

/// A string array's 32-bit offsets address 4 GiB: going past it is a thrown error, never a trap
/// or a truncated offset. Tested through the checked arithmetic every append uses, with a small
/// limit in place of 4 GiB.
@Suite struct StringArrayBoundTests {
    @Test func endOffsetChecksTheBound() throws {
        #expect(try StringArray.endOffset(0) == 0)
        #expect(try StringArray.endOffset(StringArray.maxBytes) == UInt32.max)
        #expect(throws: StringArrayOverflow(bytes: StringArray.maxBytes + 1, limit: StringArray.maxBytes)) {
            try StringArray.endOffset(StringArray.maxBytes + 1)
        }
        #expect(try StringArray.endOffset(10, limit: 10) == 10)
        #expect(throws: StringArrayOverflow(bytes: 11, limit: 10)) { try StringArray.endOffset(11, limit: 10) }
        // A limit above the offsets' range still stops at 4 GiB.
        #expect(throws: StringArrayOverflow.self) { try StringArray.endOffset(StringArray.maxBytes + 1, limit: .max) }
    }

    @Test func overflowMessageSaysWhatAndHowMuch() {
        let e = StringArrayOverflow(bytes: 5_000_000_000, limit: StringArray.maxBytes)
        #expect(e.description.contains("5000000000 bytes"))
        #expect(e.description.contains("32-bit offsets"))
    }

    @Test func gatherPastTheLimitThrowsAndWithinItCopies() throws {
        let a = try StringArray(["abc", "de", ""])
        #expect(a.byteCount(of: [0, 0, 1, 2]) == 8)
        #expect(try a.gather([0, 0, 1, 2], limit: 8) == StringArray(["abc", "abc", "de", ""]))
        #expect(throws: StringArrayOverflow(bytes: 9, limit: 8)) { try a.gather([0, 0, 0], limit: 8) }
    }

    @Test func appendsLeaveTheArrayWhole() throws {
        var a = try StringArray(["x"])
        try a.append("yz")
        a.appendEmpty()
        try a.append(utf8: UnsafeRawBufferPointer(start: nil, count: 0))
        try a.append(a, 1)
        try a.appendString { $0.append(contentsOf: Array("q".utf8)) }
        #expect((0..<a.count).map { a[$0] } == ["x", "yz", "", "", "yz", "q"])
        #expect(a.offsets == [0, 1, 3, 3, 3, 5, 6])
    }

    @Test func aFullByteDictionaryAnswersNil() {
        var d = ByteDictionary()
        #expect(d.index(of: "a") == 0)
        #expect("b".utf8CString.withUnsafeBytes { d.index(of: UnsafeRawBufferPointer(rebasing: $0.dropLast()), limit: 1) } == nil)
        #expect(d.count == 1)
    }
}
