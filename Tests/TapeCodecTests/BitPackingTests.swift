import Testing
import TapeTestSupport
@testable import TapeCodec

@Suite struct BitPackingTests {
    @Test(arguments: 0...64)
    func roundTripEveryWidth(_ width: Int) {
        var rng = SplitMix64(seed: UInt64(width))
        for count in [0, 1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 65, 1000, 4099] {
            let mask: UInt64 = width == 64 ? .max : (1 << UInt64(width)) - 1
            let values = (0..<count).map { _ in rng.next() }
            let size = BitPacking.byteCount(count: count, width: width)
            var packed = [UInt8](repeating: 0xAA, count: size + 16)
            packed.withUnsafeMutableBytes { out in
                values.withUnsafeBufferPointer { BitPacking.pack($0, width: width, into: out.baseAddress!) }
            }
            #expect(packed[size...].allSatisfy { $0 == 0xAA }, "wrote past the packed size")
            var unpacked = [UInt64](repeating: 1, count: count)
            packed.withUnsafeBytes { src in
                unpacked.withUnsafeMutableBufferPointer { dst in
                    BitPacking.unpack(UnsafeRawBufferPointer(rebasing: src[0..<size]), count: count, width: width, into: dst.baseAddress!)
                }
            }
            #expect(unpacked == values.map { $0 & mask })
            // Narrower outputs (dictionary indices are UInt32) take the same paths.
            if width <= 32 {
                var narrow = [UInt32](repeating: 1, count: count)
                packed.withUnsafeBytes { src in
                    narrow.withUnsafeMutableBufferPointer { dst in
                        BitPacking.unpack(UnsafeRawBufferPointer(rebasing: src[0..<size]), count: count, width: width, into: dst.baseAddress!)
                    }
                }
                #expect(narrow == values.map { UInt32(truncatingIfNeeded: $0 & mask) })
            }
        }
    }

    @Test func layoutIsLSBFirst() {
        // Values 1, 2, 3 of width 3: bits 001 010 011 → stream 1,0,0, 0,1,0, 1,1,0 → 0b1101_0001, 0b0000_0000
        var out = [UInt8](repeating: 0, count: 2)
        let values: [UInt64] = [1, 2, 3]
        out.withUnsafeMutableBytes { o in values.withUnsafeBufferPointer { BitPacking.pack($0, width: 3, into: o.baseAddress!) } }
        #expect(out == [0b1101_0001, 0b0000_0000])
    }

    @Test func varintSizes() {
        #expect(varintSize(0) == 1)
        #expect(varintSize(127) == 1)
        #expect(varintSize(128) == 2)
        #expect(varintSize(.max) == 10)
    }

    @Test func utf8Validation() {
        func valid(_ b: [UInt8]) -> Bool { b.withUnsafeBytes { UTF8Validation.isValid($0, 0..<b.count) } }
        #expect(valid(Array("héllo 中文 🎉 and some more ascii text".utf8)))
        #expect(!valid([0xC0, 0x80]))  // overlong
        #expect(!valid([0xED, 0xA0, 0x80]))  // surrogate
        #expect(!valid([0xF4, 0x90, 0x80, 0x80]))  // above U+10FFFF
        #expect(!valid([0xE4, 0xB8]))  // truncated
        #expect(!valid([0x80]))
        #expect(!valid(Array("abcdefgh".utf8) + [0xFF]))
    }
}
