import TapeCodec
import TapeTestSupport
import Testing

/// `Bitmap`'s bulk operations (the writer's append path) against bit-by-bit references, at every
/// alignment of source and destination around word boundaries.
@Suite struct BitmapTests {
    static func random(_ n: Int, _ g: inout SplitMix64) -> Bitmap {
        var b = Bitmap()
        for _ in 0..<n { b.append(g.next() % 3 != 0) }
        return b
    }

    @Test func appendContentsOfAndPopCountInRangeMatchBitByBit() {
        var g = SplitMix64(seed: 11)
        let source = Self.random(300, &g)
        for prefix in [0, 1, 63, 64, 65, 130] {
            for (lo, hi) in [(0, 0), (0, 1), (3, 67), (63, 64), (64, 192), (5, 300), (128, 129)] {
                var bulk = Self.random(prefix, &g)
                var slow = bulk
                bulk.append(contentsOf: source, range: lo..<hi)
                for i in lo..<hi { slow.append(source[i]) }
                #expect(bulk == slow, "prefix \(prefix), range \(lo)..<\(hi)")
                #expect(source.popCount(in: lo..<hi) == (lo..<hi).filter { source[$0] }.count)
            }
        }
    }

    @Test func appendRepeating() {
        var g = SplitMix64(seed: 12)
        for prefix in [0, 1, 63, 64, 100] {
            for n in [0, 1, 63, 64, 65, 200] {
                for bit in [true, false] {
                    var bulk = Self.random(prefix, &g)
                    var slow = bulk
                    bulk.append(repeating: bit, count: n)
                    for _ in 0..<n { slow.append(bit) }
                    #expect(bulk == slow)
                    #expect(bulk.words.count == (bulk.count + 63) / 64)
                }
            }
        }
    }
}
