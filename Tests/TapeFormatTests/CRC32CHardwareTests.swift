import Testing
import TapeTestSupport
@testable import TapeFormat

/// The crc32-instruction path and the slicing-by-8 path of `CRC32C` agree on every length,
/// alignment and starting CRC (and both give the RFC 3720 vectors, `CRC32CTests`).
@Suite struct CRC32CHardwareTests {
    @Test func hardwareAndTablesAgree() {
        var g = SplitMix64(seed: 0xC3C3)
        let data = (0..<4_200).map { _ in UInt8(truncatingIfNeeded: g.next()) }
        data.withUnsafeBytes { all in
            for _ in 0..<3_000 {
                let start = Int(g.next() % 64), count = Int(g.next() % UInt64(all.count - start))
                let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + count)])
                let seed = g.next() % 3 == 0 ? 0 : UInt32(truncatingIfNeeded: g.next())
                #expect(CRC32C.update(seed, slice) == CRC32C.updateWithTables(seed, slice), "start \(start), count \(count)")
            }
        }
        #expect(CRC32C.updateWithTables(0, UnsafeRawBufferPointer(start: nil, count: 0)) == 0)
        print("CRC32C: hardware crc32 instruction \(CRC32C.hardware ? "in use" : "not available, tables used")")
    }
}
