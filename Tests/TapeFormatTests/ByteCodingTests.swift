import Testing
@testable import TapeFormat

@Suite struct ByteCodingTests {
    @Test(arguments: [UInt64(0), 1, 127, 128, 255, 16383, 16384, UInt64(UInt32.max), UInt64.max - 1, UInt64.max])
    func varintRoundTrip(_ v: UInt64) throws {
        var w = ByteWriter()
        w.writeVarint(v)
        #expect(w.count == max(1, (64 - v.leadingZeroBitCount + 6) / 7))
        var r = ByteReader(w.bytes)
        #expect(try r.readVarint("v") == v)
        #expect(r.isAtEnd)
    }

    @Test func varintEncodings() {
        var w = ByteWriter()
        w.writeVarint(127)
        w.writeVarint(128)
        w.writeVarint(300)
        #expect(w.bytes == [0x7F, 0x80, 0x01, 0xAC, 0x02])
    }

    @Test(arguments: [Int64(0), -1, 1, 63, -64, 64, Int64.min, Int64.max, Int64.min + 1])
    func zigzagRoundTrip(_ v: Int64) throws {
        #expect(ZigZag.decode(ZigZag.encode(v)) == v)
        var w = ByteWriter()
        w.writeSignedVarint(v)
        var r = ByteReader(w.bytes)
        #expect(try r.readSignedVarint("v") == v)
    }

    @Test func zigzagOrder() {
        #expect([0, -1, 1, -2, 2, Int64.max, Int64.min].map(ZigZag.encode) == [0, 1, 2, 3, 4, UInt64.max - 1, UInt64.max])
    }

    @Test func malformedVarints() throws {
        // 11 bytes of continuation.
        var r1 = ByteReader([UInt8](repeating: 0x80, count: 10) + [0x00])
        #expect(throws: FormatError.self) { try r1.readVarint("v") }
        // 10th byte > 1 overflows 64 bits.
        var r2 = ByteReader([UInt8](repeating: 0xFF, count: 9) + [0x02])
        #expect(throws: FormatError.self) { try r2.readVarint("v") }
        // Largest valid: 9 × 0xFF then 0x01.
        var r3 = ByteReader([UInt8](repeating: 0xFF, count: 9) + [0x01])
        #expect(try r3.readVarint("v") == .max)
        // Truncated.
        var r4 = ByteReader([0x80, 0x80], baseOffset: 100)
        #expect(throws: FormatError.self) { try r4.readVarint("v") }
        var r5 = ByteReader([])
        #expect(throws: FormatError.self) { try r5.readVarint("v") }
    }

    @Test func truncationErrorsCarryAbsoluteOffset() {
        var r = ByteReader([1, 2, 3, 4, 5], range: 1..<5, baseOffset: 4096)
        #expect(throws: FormatError.truncated(what: "thing", offset: 4097, needed: 8, available: 4)) { try r.readU64("thing") }
        _ = try? r.readU16("x")
        #expect(throws: FormatError.truncated(what: "word", offset: 4099, needed: 4, available: 2)) { try r.readU32("word") }
        #expect(throws: FormatError.self) { try r.readRange(3, "range") }
        #expect(throws: FormatError.self) { try r.requireAvailable(-1, for: "negative") }
    }

    @Test func fixedWidthLittleEndian() throws {
        var w = ByteWriter()
        w.writeU16(0x0102)
        w.writeU32(0x0304_0506)
        w.writeU64(0x0708_090A_0B0C_0D0E)
        w.writeI64(-2)
        #expect(Array(w.bytes[0..<14]) == [0x02, 0x01, 0x06, 0x05, 0x04, 0x03, 0x0E, 0x0D, 0x0C, 0x0B, 0x0A, 0x09, 0x08, 0x07])
        var r = ByteReader(w.bytes)
        #expect(try r.readU16("a") == 0x0102)
        #expect(try r.readU32("b") == 0x0304_0506)
        #expect(try r.readU64("c") == 0x0708_090A_0B0C_0D0E)
        #expect(try r.readI64("d") == -2)
        try r.requireAtEnd("all")
        w.patchU32(0xAABB_CCDD, at: 2)
        #expect(Array(w.bytes[2..<6]) == [0xDD, 0xCC, 0xBB, 0xAA])
    }

    @Test func strings() throws {
        var w = ByteWriter()
        w.writeString("héllo")
        w.writeString("")
        var r = ByteReader(w.bytes)
        #expect(try r.readString("s") == "héllo")
        #expect(try r.readString("s") == "")
        #expect(r.isAtEnd)
        // Invalid UTF-8.
        var bad = ByteReader([2, 0xC3, 0x28])
        #expect(throws: FormatError.self) { try bad.readString("s") }
        // A length that counts its own varint byte: 3 claimed, 2 present.
        var short = ByteReader([3, 0x61, 0x62])
        #expect(throws: FormatError.self) { try short.readString("s") }
        // Same inside a larger buffer: must not read the bytes past `end`.
        var sub = ByteReader([3, 0x61, 0x62, 0x63], range: 0..<3)
        #expect(throws: FormatError.self) { try sub.readString("s") }
    }

    @Test func readCountLimit() {
        var r = ByteReader([0x80, 0x01], baseOffset: 10)
        #expect(throws: FormatError.outOfBounds(what: "n", offset: 10, value: 128, limit: 100)) { try r.readCount("n", limit: 100) }
    }
}
