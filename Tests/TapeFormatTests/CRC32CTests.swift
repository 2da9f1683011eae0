import Testing
@testable import TapeFormat

@Suite struct CRC32CTests {
    /// RFC 3720 appendix B.4 vectors and the classic check value.
    static let vectors: [([UInt8], UInt32)] = [
        ([UInt8](repeating: 0, count: 32), 0x8A91_36AA),
        ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
        ((0..<32).map { UInt8($0) }, 0x46DD_794E),
        ((0..<32).map { UInt8(31 - $0) }, 0x113F_DB5C),
        (Array("123456789".utf8), 0xE306_9283),
        ([], 0),
    ]

    @Test(arguments: vectors)
    func knownVectors(_ data: [UInt8], _ crc: UInt32) {
        #expect(CRC32C.checksum(data) == crc)
        #expect(data.withUnsafeBytes { CRC32C.checksum($0) } == crc)
    }

    @Test func incrementalEqualsWhole() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = CRC32C.checksum(data)
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let c = data.withUnsafeBytes { b in
                CRC32C.update(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: b[0..<split])), UnsafeRawBufferPointer(rebasing: b[split...]))
            }
            #expect(c == whole)
        }
    }

    @Test(arguments: [UInt32(0), 1, 0xE306_9283, 0xFFFF_FFFF, 0x8000_0000, 0xA282_EAD8])
    func maskRoundTrip(_ crc: UInt32) {
        #expect(CRC32C.unmask(CRC32C.mask(crc)) == crc)
        if crc != 0 { #expect(CRC32C.mask(crc) != crc) }
    }

    @Test func maskMatchesLevelDB() {
        // ((crc >> 15) | (crc << 17)) + 0xa282ead8
        let crc: UInt32 = 0x1234_5678
        #expect(CRC32C.mask(crc) == ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }

    /// The checksum of a stretch follows from running checksums around it (`CRC32C.range`), for
    /// every split of a buffer, empty stretches and lengths with many bits set included.
    @Test func rangeFromRunningChecksums() {
        var g = SystemRandomNumberGenerator()
        let data = (0..<5_000).map { _ in UInt8.random(in: 0...255, using: &g) }
        data.withUnsafeBytes { b in
            func crc(_ r: Range<Int>) -> UInt32 { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: b[r])) }
            for (lo, hi) in [(0, 0), (0, 1), (0, 5_000), (1, 4_999), (17, 17), (100, 4_095), (4_096, 5_000), (3, 2_050)] {
                #expect(CRC32C.range(before: crc(0..<lo), after: crc(0..<hi), length: hi - lo) == crc(lo..<hi), "\(lo)..<\(hi)")
                #expect(CRC32C.shifted(crc(0..<lo), by: hi - lo) ^ crc(lo..<hi) == crc(0..<hi))
            }
        }
    }
}
