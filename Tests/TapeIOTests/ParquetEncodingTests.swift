import TapeCodec
import TapeTestSupport
import Testing
@testable import TapeIO

/// Decodes the RLE / bit-packed hybrid of bit width 1 (with its UInt32 length prefix) into `count` levels.
private func decodeLevels(_ bytes: [UInt8], count: Int) -> [Bool]? {
    guard bytes.count >= 4 else { return nil }
    let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
    guard bytes.count == 4 + length else { return nil }
    var i = 4, out: [Bool] = []
    func varint() -> UInt64? {
        var v: UInt64 = 0, shift: UInt64 = 0
        while i < bytes.count {
            let b = bytes[i]; i += 1
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
        return nil
    }
    while out.count < count {
        guard let h = varint() else { return nil }
        if h & 1 == 0 {
            guard i < bytes.count, bytes[i] <= 1 else { return nil }
            out += Array(repeating: bytes[i] == 1, count: Int(h >> 1)); i += 1
        } else {
            for _ in 0..<Int(h >> 1) {
                guard i < bytes.count else { return nil }
                for k in 0..<8 { out.append(bytes[i] & (1 << k) != 0) }
                i += 1
            }
        }
    }
    return i == bytes.count ? Array(out.prefix(count)) : nil
}

@Suite struct ParquetEncodingTests {
    @Test func thriftCompactFieldHeadersAndValues() {
        let bytes = ThriftCompactWriter.encodeStruct { w in
            w.i32(1, 2)                 // delta 1, type i32 (5), zigzag(2) = 4
            w.i64(20, -1)               // delta 19 > 15: type byte, zigzag(20) = 40, zigzag(-1) = 1
            w.bool(21, true)            // delta 1, type true (1), no value
            w.string(22, "ab")          // delta 1, type binary (8), length 2
            w.structField(23) { $0.bool(1, false) }
            w.i32List(24, Array(repeating: 1, count: 16))  // 16 >= 15: 0xF5, varint 16
        }
        #expect(bytes == [0x15, 0x04, 0x06, 0x28, 0x01, 0x11, 0x18, 0x02, 0x61, 0x62, 0x1C, 0x12, 0x00,
                          0x19, 0xF5, 0x10] + Array(repeating: 0x02, count: 16) + [0x00])
    }

    @Test(arguments: [0, 1, 7, 8, 9, 63, 64, 1000])
    func definitionLevelsRoundTrip(count: Int) throws {
        var g = SplitMix64(seed: UInt64(count))
        for pattern in 0..<4 {
            var validity = Bitmap(count: count, value: true)
            for i in 0..<count {
                switch pattern {
                case 0: break                                       // all present: one RLE run
                case 1: validity[i] = false                         // all null
                case 2: validity[i] = g.next() % 2 == 0              // noise: bit-packed
                default: validity[i] = (i / 13) % 2 == 0             // runs of 13: mixed
                }
            }
            var out: [UInt8] = []
            ParquetLevels.appendDefinitionLevels(validity, range: 0..<count, to: &out)
            #expect(decodeLevels(out, count: count) == (0..<count).map { validity[$0] }, "pattern \(pattern)")
            // A sub-range, as a page of a larger column.
            if count > 9 {
                var part: [UInt8] = []
                ParquetLevels.appendDefinitionLevels(validity, range: 3..<(count - 2), to: &part)
                #expect(decodeLevels(part, count: count - 5) == (3..<(count - 2)).map { validity[$0] })
            }
        }
    }
}
