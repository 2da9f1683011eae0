/// A hash map from 64-bit keys (BIGINT and TIMESTAMP values, DOUBLE bit patterns) to 32-bit
/// codes, for the per-row lookups of GROUP BY keys: `Dictionary<Int64, _>` hashes every key with
/// SipHash, which cost more than the rest of a GROUP BY over a BIGINT key.
///
/// Open addressing with linear probing over a power-of-two table kept at most half full. Keys are
/// mixed with a per-process random seed (then MurmurHash3's 64-bit finaliser), so a file crafted
/// to make keys collide cannot know which keys do: probe lengths stay short for any data.
/// Values must be below `UInt32.max` (the empty-slot marker).
struct IntegerKeyMap {
    private var keys: [UInt64]
    private var values: [UInt32]
    private var mask: Int
    /// Keys held.
    private(set) var count = 0

    private static let empty = UInt32.max
    private static let seed = UInt64.random(in: .min ... .max)

    init() {
        keys = [UInt64](repeating: 0, count: 16)
        values = [UInt32](repeating: Self.empty, count: 16)
        mask = 15
    }

    /// Approximate bytes held.
    var approximateBytes: Int { keys.count * 12 }

    @inline(__always) private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var x = key ^ seed
        x ^= x >> 33
        x &*= 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x &*= 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return Int(truncatingIfNeeded: x) & mask
    }

    /// The value of `key`, nil when absent.
    @inline(__always) subscript(key: UInt64) -> UInt32? {
        var i = Self.slot(key, mask)
        while true {
            let v = values[i]
            if v == Self.empty { return nil }
            if keys[i] == key { return v }
            i = (i + 1) & mask
        }
    }

    /// The value of `key`; when absent, `make()` is called and its result stored.
    /// REQUIRES: `make()` returns a value below `UInt32.max` and does not use this map.
    @inline(__always) mutating func value(_ key: UInt64, orInsert make: () -> UInt32) -> UInt32 {
        var i = Self.slot(key, mask)
        while true {
            let v = values[i]
            if v == Self.empty { break }
            if keys[i] == key { return v }
            i = (i + 1) & mask
        }
        let v = make()
        keys[i] = key
        values[i] = v
        count += 1
        if count * 2 > values.count { grow() }
        return v
    }

    /// Stores `value` for `key`.
    /// REQUIRES: `key` is absent and `value` is below `UInt32.max`.
    mutating func insert(_ key: UInt64, _ value: UInt32) {
        var i = Self.slot(key, mask)
        while values[i] != Self.empty { i = (i + 1) & mask }
        keys[i] = key
        values[i] = value
        count += 1
        if count * 2 > values.count { grow() }
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        let capacity = values.count * 2
        keys = [UInt64](repeating: 0, count: capacity)
        values = [UInt32](repeating: Self.empty, count: capacity)
        mask = capacity - 1
        for (k, v) in zip(oldKeys, oldValues) where v != Self.empty {
            var i = Self.slot(k, mask)
            while values[i] != Self.empty { i = (i + 1) & mask }
            keys[i] = k
            values[i] = v
        }
    }
}
