/// A hash map from 64-bit keys (BIGINT and TIMESTAMP values, DOUBLE bit patterns) to 32-bit
/// codes, for the per-row lookups of GROUP BY keys, key codes and hash-join build chains:
/// `Dictionary<Int64, _>` hashes every key with SipHash, which cost more than the rest of a
/// GROUP BY over a BIGINT key.
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

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always) private func find(_ key: UInt64) -> (slot: Int, found: Bool) {
        var i = Self.slot(key, mask)
        while true {
            let v = values[i]
            if v == Self.empty { return (i, false) }
            if keys[i] == key { return (i, true) }
            i = (i + 1) & mask
        }
    }

    /// Puts a new key in the empty slot `i` that `find` gave for it.
    @inline(__always) private mutating func store(_ key: UInt64, _ value: UInt32, at i: Int) {
        keys[i] = key
        values[i] = value
        count += 1
        if count * 2 > values.count { grow() }
    }

    /// The value of `key`, nil when absent.
    @inline(__always) subscript(key: UInt64) -> UInt32? {
        let (i, found) = find(key)
        return found ? values[i] : nil
    }

    /// The value of `key`; when absent, `make()` is called and its result stored.
    /// REQUIRES: `make()` returns a value below `UInt32.max` and does not use this map.
    @inline(__always) mutating func value(_ key: UInt64, orInsert make: () -> UInt32) -> UInt32 {
        let (i, found) = find(key)
        if found { return values[i] }
        let v = make()
        store(key, v, at: i)
        return v
    }

    /// Stores `value` for `key` and returns the value it replaced (nil when `key` was absent),
    /// as `Dictionary.updateValue`. REQUIRES: `value` is below `UInt32.max`.
    @inline(__always) @discardableResult
    mutating func updateValue(_ value: UInt32, forKey key: UInt64) -> UInt32? {
        let (i, found) = find(key)
        guard found else {
            store(key, value, at: i)
            return nil
        }
        defer { values[i] = value }
        return values[i]
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
