import TapeCodec
import TapeFormat

/// Assigns group ids to rows by their GROUP BY key values; ids are dense, in order of first
/// appearance. Keeps each group's key values for the result.
///
/// Fast paths: one BIGINT/TIMESTAMP key (with a one-entry cache, so sorted keys such as
/// time buckets cost one comparison per row), one string key (hashed as UTF-8 bytes; dictionary
/// entries looked up once per batch); otherwise each key column's values get dense codes and the
/// codes fold into tuple ids (`KeyTupleIds`), with no `Datum` per row.
final class GroupTable {
    let types: [SQLType]
    private(set) var count = 0
    private var keyBuilders: [VectorBuilder]
    private var intMap = IntegerKeyMap()
    /// The single string key's distinct values (as bytes) and, per value, its group id.
    private var stringKeys = ByteDictionary()
    private var stringGroups: [Int32] = []
    /// DOUBLE keys by bit pattern, with 0.0/-0.0 and every NaN folded together (one NaN group, as
    /// DuckDB).
    private var doubleMap = IntegerKeyMap()
    /// The signs of zero seen in the single DOUBLE key's zero group: a group that saw both shows
    /// +0.0, one that saw a single sign shows it — the same whatever order (or thread) rows came
    /// in. (DuckDB shows the first seen, which is +0.0 too whenever +0.0 comes first.)
    private var zeroGroup: Int32?
    private var zeroSigns: (plus: Bool, minus: Bool) = (false, false)
    /// Several keys (or one of another type): tuple ids from per-column codes, and per id its
    /// group (-1: an id no group has, e.g. an unused dictionary entry's).
    private var tuples: KeyTupleIds
    private var tupleGroups: [Int32] = []
    private var nullGroup: Int32?

    init(types: [SQLType]) {
        self.types = types
        keyBuilders = types.map { VectorBuilder(type: $0) }
        tuples = KeyTupleIds(columns: max(1, types.count))
    }

    /// Approximate bytes held (for the memory budget).
    var approximateBytes: Int { keyBuilders.reduce(0) { $0 + $1.approximateBytes } + count * 48 + tuples.approximateBytes + tupleGroups.count * 4 }

    private func newGroup(_ key: [Datum]) -> Int32 {
        for (i, d) in key.enumerated() { keyBuilders[i].append(d) }
        count += 1
        return Int32(count - 1)
    }

    /// The id of the group with `key`, created when new.
    func id(_ key: [Datum]) -> Int32 {
        if types.count == 1 {
            switch key[0] {
            case .null:
                if let g = nullGroup { return g }
                let g = newGroup(key)
                nullGroup = g
                return g
            case .int(let v), .timestamp(let v):
                return Int32(intMap.value(UInt64(bitPattern: v)) { UInt32(newGroup(key)) })
            case .string(var s):
                return s.withUTF8 { stringID(UnsafeRawBufferPointer($0)) }
            case .double(let v):
                let g = Int32(doubleMap.value(GroupTable.doubleKey(v)) { UInt32(newGroup(key)) })
                if v == 0 { noteZero(v, g) }
                return g
            default: break
            }
        }
        let g = tupleGroup(tuples.id(key)) { key }
        for (c, d) in key.enumerated() where d == .double(0) { noteTupleZero(g, c, d) }
        return g
    }

    /// Several keys: the signs of zero a group saw in a DOUBLE key column, by `group << 8 | column`
    /// (bit 1: +0.0, bit 2: -0.0). A group that saw both shows +0.0, as the single DOUBLE key
    /// does, so the key shown does not depend on the order rows (or threads) came in.
    private var tupleZeroSigns: [Int: UInt8] = [:]

    private func noteTupleZero(_ g: Int32, _ column: Int, _ d: Datum) {
        guard column < 256, case .double(let v) = d else { return }
        tupleZeroSigns[Int(g) << 8 | column, default: 0] |= v.sign == .minus ? 2 : 1
    }

    /// The group of tuple id `t`, created (with the key `key()`) when new.
    @inline(__always) private func tupleGroup(_ t: UInt32, _ key: () -> [Datum]) -> Int32 {
        let t = Int(t)
        if t >= tupleGroups.count { tupleGroups.append(contentsOf: repeatElement(-1, count: max(t + 1 - tupleGroups.count, tupleGroups.count))) }
        if tupleGroups[t] >= 0 { return tupleGroups[t] }
        let g = newGroup(key())
        tupleGroups[t] = g
        return g
    }

    /// The id of the group of the single string key `bytes`, created when new.
    private func stringID(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let before = stringKeys.count
        guard let i = stringKeys.index(of: bytes) else {
            // The keys' bytes passed 4 GiB: new strings (never in `stringKeys`) go to the tuples.
            let key: [Datum] = [.string(String(decoding: bytes, as: UTF8.self))]
            return tupleGroup(tuples.id(key)) { key }
        }
        let e = Int(i)
        if e < before { return stringGroups[e] }
        let g = newGroup([.string(String(decoding: bytes, as: UTF8.self))])
        stringGroups.append(g)
        return g
    }

    /// Group ids of every row of the key vectors.
    func assign(_ keys: [Vector], count n: Int) -> [Int32] {
        if keys.count == 1, case .dictionary(let entries, let idx) = keys[0].storage, keys[0].validity == nil {
            let entryIds = entryGroupIds(entries, used: idx)
            return entryIds.withUnsafeBufferPointer { e in
                idx.withUnsafeBufferPointer { ip in
                    [Int32](unsafeUninitializedCapacity: n) { out, done in
                        for r in 0..<n { out[r] = e[Int(ip[r])] }
                        done = n
                    }
                }
            }
        }
        var ids = [Int32](repeating: 0, count: n)
        if keys.count == 1 {
            let k = keys[0]
            switch k.storage {
            case .int64(let a) where k.type != .interval:
                let timestamp = k.type == .timestamp
                ids.withUnsafeMutableBufferPointer { out in
                    a.withUnsafeBufferPointer { a in
                        var lastKey: Int64 = 0
                        var lastId: Int32 = -1
                        for r in 0..<n {
                            if k.isNull(r) { out[r] = id([.null]); continue }
                            let v = a[r]
                            if lastId >= 0 && v == lastKey { out[r] = lastId; continue }
                            let g = Int32(intMap.value(UInt64(bitPattern: v)) { UInt32(newGroup([timestamp ? .timestamp(v) : .int(v)])) })
                            out[r] = g
                            lastKey = v
                            lastId = g
                        }
                    }
                }
                return ids
            case .dictionary(let entries, let idx):
                let entryIds = entryGroupIds(entries, used: (0..<n).compactMap { k.isNull($0) ? nil : idx[$0] })
                for r in 0..<n { ids[r] = k.isNull(r) ? id([.null]) : entryIds[Int(idx[r])] }
                return ids
            case .strings(let a):
                for r in 0..<n { ids[r] = k.isNull(r) ? id([.null]) : a.withUTF8(r) { stringID($0) } }
                return ids
            case .constant(let d):
                let g = id([d])
                return [Int32](repeating: g, count: n)
            case .bool(let a):
                // Three possible keys: look each up once per batch.
                var slot: [Int32] = [-1, -1, -1]
                for r in 0..<n {
                    let s = k.isNull(r) ? 2 : (a[r] ? 1 : 0)
                    if slot[s] < 0 { slot[s] = id([s == 2 ? .null : .bool(s == 1)]) }
                    ids[r] = slot[s]
                }
                return ids
            case .float64(let a):
                ids.withUnsafeMutableBufferPointer { out in
                    a.withUnsafeBufferPointer { a in
                        var lastBits: UInt64 = 0
                        var lastId: Int32 = -1
                        for r in 0..<n {
                            if k.isNull(r) { out[r] = id([.null]); continue }
                            let bits = GroupTable.doubleKey(a[r])
                            if lastId >= 0 && bits == lastBits {
                                // 0.0 right after -0.0 (or the reverse) hits the cache: note its sign too.
                                if a[r] == 0 { noteZero(a[r], lastId) }
                                out[r] = lastId
                                continue
                            }
                            let g = Int32(doubleMap.value(bits) { UInt32(newGroup([.double(a[r])])) })
                            if a[r] == 0 { noteZero(a[r], g) }
                            out[r] = g
                            lastBits = bits
                            lastId = g
                        }
                    }
                }
                return ids
            default:
                break
            }
        }
        if n > 1, Evaluator.allConstant(keys) {
            // Every key constant over the batch (a run's id, its metadata): one row's group is
            // every row's.
            let g = assign(keys.map { Vector(type: $0.type, storage: $0.storage, count: 1) }, count: 1)[0]
            return [Int32](repeating: g, count: n)
        }
        // Several keys: per-column codes folded into tuple ids, a group per new tuple.
        // (A single key's NULL is `nullGroup`, as `id` has it.)
        let t = tuples.ids(keys, count: n)
        let single = keys.count == 1
        for r in 0..<n { ids[r] = single && keys[0].isNull(r) ? id([.null]) : tupleGroup(t[r]) { keys.map { $0.datum(r) } } }
        for (c, k) in keys.enumerated() where k.type == .double {
            switch k.storage {
            case .float64(let a): for r in 0..<n where a[r] == 0 && !k.isNull(r) { noteTupleZero(ids[r], c, .double(a[r])) }
            case .constant(let d) where d == .double(0): for r in 0..<n { noteTupleZero(ids[r], c, d) }
            default: break
            }
        }
        return ids
    }

    /// Group ids of the dictionary entries that `used` refers to (a filtered batch keeps its whole
    /// dictionary, and an entry no row uses must not become a group); unused entries get -1.
    func entryGroupIds<C: Collection>(_ entries: StringArray, used: C) -> [Int32] where C.Element == UInt32 {
        var isUsed = [Bool](repeating: false, count: entries.count)
        for i in used { isUsed[Int(i)] = true }
        return (0..<entries.count).map { isUsed[$0] ? stringID(entries, $0) : -1 }
    }

    /// The group id of dictionary entry `i` as a single string key.
    func stringID(_ entries: StringArray, _ i: Int) -> Int32 {
        entries.withUTF8(i) { stringID($0) }
    }

    /// The hash key of a DOUBLE group value.
    static func doubleKey(_ v: Double) -> UInt64 {
        if v.isNaN { return Double.nan.bitPattern }
        return v == 0 ? 0 : v.bitPattern
    }

    private func noteZero(_ v: Double, _ g: Int32) {
        zeroGroup = g
        if v.sign == .minus { zeroSigns.minus = true } else { zeroSigns.plus = true }
    }

    /// The key vectors, one row per group in id order.
    func keyVectors() throws(QueryError) -> [Vector] {
        var keys = try keyBuilders.map { (b) throws(QueryError) in try b.build() }
        if let g = zeroGroup, zeroSigns.plus && zeroSigns.minus, case .float64(var a) = keys[0].storage {
            a[Int(g)] = 0.0
            keys[0].storage = .float64(a)
        }
        for (at, signs) in tupleZeroSigns where signs == 3 {
            let g = at >> 8, c = at & 255
            if case .float64(var a) = keys[c].storage {
                a[g] = 0.0
                keys[c].storage = .float64(a)
            }
        }
        return keys
    }

    /// Merges `other`'s groups in; returns, for each of its ids, the id here.
    func absorb(_ other: GroupTable) throws(QueryError) -> [Int32] {
        let keys = try other.keyVectors()
        return (0..<other.count).map { g in id(keys.map { $0.datum(g) }) }
    }
}
