import Testing
@testable import TapeQuery

/// `IntegerKeyMap` (the GROUP BY key map) against `Dictionary` on key sets that hurt weak hashes:
/// multiples of large powers of two, sequential keys, keys differing only in high bits, 0, the
/// extremes and random keys, through several table growths.
@Suite("Integer key map")
struct IntegerKeyMapTests {
    @Test func agreesWithADictionaryOnKeysThatDefeatWeakHashes() {
        var g = SystemRandomNumberGenerator()
        let families: [[UInt64]] = [
            (0..<5_000).map { UInt64($0) << 32 },
            (0..<5_000).map { UInt64($0) << 56 | 7 },
            (0..<5_000).map { UInt64($0) },
            (0..<5_000).map { UInt64(bitPattern: -Int64($0)) },
            [0, .max, UInt64(bitPattern: Int64.min), UInt64(bitPattern: Int64.max)],
            (0..<20_000).map { _ in UInt64.random(in: .min ... .max, using: &g) },
        ]
        for keys in families {
            var map = IntegerKeyMap()
            var reference: [UInt64: UInt32] = [:]
            // Each key twice (the second time must find the first value), shuffled.
            for k in (keys + keys).shuffled(using: &g) {
                let next = UInt32(reference.count)
                let got = map.value(k) { next }
                let want = reference[k] ?? next
                reference[k] = want
                #expect(got == want)
            }
            #expect(map.count == reference.count)
            for (k, v) in reference where map[k] != v { Issue.record("key \(k): \(String(describing: map[k])) != \(v)") }
            // Absent keys are absent.
            let present = Set(keys)
            for _ in 0..<2_000 {
                let k = UInt64.random(in: .min ... .max, using: &g)
                if !present.contains(k) { #expect(map[k] == nil) }
            }
        }
    }

    @Test func updateValueReplacesAndReturnsTheOldValue() {
        var map = IntegerKeyMap()
        for k in 0..<10_000 { #expect(map.updateValue(UInt32(k), forKey: UInt64(k) &* 0x9E37_79B9_7F4A_7C15) == nil) }
        #expect(map.count == 10_000)
        for k in 0..<10_000 { #expect(map.updateValue(UInt32(k + 1), forKey: UInt64(k) &* 0x9E37_79B9_7F4A_7C15) == UInt32(k)) }
        #expect(map.count == 10_000)
        for k in 0..<10_000 { #expect(map[UInt64(k) &* 0x9E37_79B9_7F4A_7C15] == UInt32(k + 1)) }
        #expect(map[1] == nil)
    }
}
