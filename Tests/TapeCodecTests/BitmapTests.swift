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

    /// The word-wise operations behind BOOLEAN kernels, filters, gathers and the bool block
    /// codec, against per-bit references, at lengths around word boundaries (tail bits stay 0).
    @Test(arguments: [0, 1, 63, 64, 65, 127, 200])
    func wordWiseOperationsMatchBitByBit(n: Int) {
        var g = SplitMix64(seed: UInt64(100 + n))
        let a = Self.random(n, &g), b = Self.random(n, &g)
        #expect(Array(a & b) == (0..<n).map { a[$0] && b[$0] })
        #expect(Array(a | b) == (0..<n).map { a[$0] || b[$0] })
        let inverted = ~a
        #expect(Array(inverted) == a.map { !$0 })
        #expect(inverted.popCount == n - a.popCount)
        #expect(Bitmap(count: n) { a[$0] != b[$0] } == Bitmap((0..<n).map { a[$0] != b[$0] }))
        #expect(a.setIndices() == (0..<n).filter { a[$0] }.map(Int32.init))
        #expect(a.allSet == a.allSatisfy { $0 })
        let rows = (0..<n).map { _ in Int32(g.next() % UInt64(n)) }
        #expect(Array(a.gather(n == 0 ? [] : rows)) == (n == 0 ? [] : rows.map { a[Int($0)] }))
        let dense = a.compacted(by: b)
        #expect(Array(dense) == (0..<n).filter { b[$0] }.map { a[$0] })
        let spread = dense.spread(by: b)
        #expect(Array(spread) == (0..<n).map { b[$0] && a[$0] })
        var cut = a
        cut.truncate(to: n / 2)
        #expect(cut == Bitmap(a.prefix(n / 2)))
        #expect(Bitmap(words: a.words + [~0], count: n) == a)
    }
}
