import TapeCodec
import TapeFormat

/// The build side of a hash join: build rows chained by equal key. NULL keys are left out (they
/// never match). Key columns of one SQL type per position on both sides (the binder casts them);
/// one BIGINT/TIMESTAMP key or one VARCHAR key (hashed as UTF-8 bytes) uses a specialised map,
/// anything else (several keys, one DOUBLE …) per-column key codes folded into tuple ids
/// (`KeyTupleIds`, as GROUP BY), with no `Datum` per row; probing only looks codes up.
final class JoinHashTable {
    /// `intHeads[key bits]`: the chain's first row of a BIGINT/TIMESTAMP key.
    private var intHeads = IntegerKeyMap()
    /// The build side's distinct string keys; `stringHeads[key index]` is its chain's first row.
    private var stringKeys = ByteDictionary()
    private var stringHeads: [Int32] = []
    private var tuples = KeyTupleIds(columns: 1)
    /// `tupleHeads[tuple id]`: the chain's first row (-1: an id no build row without NULLs has).
    private var tupleHeads: [Int32] = []
    /// `next[row]`: the next build row with the same key, or -1.
    private var next: [Int32] = []
    private enum Mode { case int, string, tuple }
    private let mode: Mode

    /// Throws when the distinct string keys pass the 4 GiB one string array addresses.
    init(keys: [Vector], count: Int) throws(QueryError) {
        // Chains are built in locals (no exclusivity check per row on the class's properties).
        var next = [Int32](repeating: -1, count: count)
        if keys.count == 1, keys[0].type == .int || keys[0].type == .timestamp {
            mode = .int
        } else if keys.count == 1, keys[0].type == .string {
            mode = .string
        } else {
            mode = .tuple
        }
        if mode == .string {
            // Each row's key index (a dictionary's entries hashed once, not each row), then rows
            // chained per key, inserted in reverse so each chain lists rows in build order.
            let k = keys[0]
            var keys = ByteDictionary()
            func index(_ bytes: UnsafeRawBufferPointer) -> UInt32? { keys.index(of: bytes) }
            var keyOf: [UInt32] = []
            keyOf.reserveCapacity(count)
            if case .dictionary(let entries, let idx) = k.storage {
                var map: [UInt32] = []
                for e in 0..<entries.count {
                    guard let i = entries.withUTF8(e, index) else { throw Self.tooManyKeyBytes() }
                    map.append(i)
                }
                keyOf = idx.map { map[Int($0)] }
            } else {
                let m = k.materialized()
                for r in 0..<count {
                    if m.isNull(r) { keyOf.append(0); continue }
                    guard let i = m.withUTF8(r, index) else { throw Self.tooManyKeyBytes() }
                    keyOf.append(i)
                }
            }
            stringKeys = keys
            var heads = [Int32](repeating: -1, count: keys.count)
            let nullable = k.mayHaveNulls
            next.withUnsafeMutableBufferPointer { np in
                heads.withUnsafeMutableBufferPointer { hp in
                    keyOf.withUnsafeBufferPointer { kp in
                        for r in stride(from: count - 1, through: 0, by: -1) where !nullable || !k.isNull(r) {
                            let e = Int(kp[r])
                            np[r] = hp[e]
                            hp[e] = Int32(r)
                        }
                    }
                }
            }
            stringHeads = heads
            self.next = next
            return
        }
        var ids: [UInt32] = []
        var tupleHeads: [Int32] = []
        var intHeads = IntegerKeyMap()
        if mode == .tuple {
            tuples = KeyTupleIds(columns: keys.count)
            ids = tuples.ids(keys, count: count)
            tupleHeads = [Int32](repeating: -1, count: tuples.count)
        }
        // Insert in reverse so each chain lists rows in build order.
        let nullable = keys.filter(\.mayHaveNulls)
        for r in stride(from: count - 1, through: 0, by: -1) where !nullable.contains(where: { $0.isNull(r) }) {
            let row = Int32(r)
            switch mode {
            case .int:
                let k = UInt64(bitPattern: JoinHashTable.int(keys[0], r))
                next[r] = intHeads.updateValue(UInt32(row), forKey: k).map { Int32($0) } ?? -1
            case .string:
                break   // built above
            case .tuple:
                let id = Int(ids[r])
                next[r] = tupleHeads[id]
                tupleHeads[id] = row
            }
        }
        self.intHeads = intHeads
        self.tupleHeads = tupleHeads
        self.next = next
    }

    @inline(__always) private static func int(_ v: Vector, _ r: Int) -> Int64 {
        switch v.storage {
        case .int64(let a): return a[r]
        default:
            switch v.datum(r) {
            case .int(let x), .timestamp(let x): return x
            default: return 0
            }
        }
    }

    /// For each probe row, the first matching build row (or -1); follow `nextMatch` for more.
    func firstMatches(_ keys: [Vector], count: Int) -> [Int32] {
        var out = [Int32](repeating: -1, count: count)
        switch mode {
        case .int:
            let k = keys[0]
            if case .constant(let d) = k.storage {
                if d != .null, let h = intHeads[UInt64(bitPattern: JoinHashTable.int(k, 0))] { for i in 0..<count { out[i] = Int32(h) } }
                return out
            }
            for r in 0..<count where !k.isNull(r) { out[r] = intHeads[UInt64(bitPattern: JoinHashTable.int(k, r))].map { Int32($0) } ?? -1 }
        case .string:
            let k = keys[0]
            switch k.storage {
            case .constant(.string(var s)):
                let h = s.withUTF8 { head(UnsafeRawBufferPointer($0)) }
                for i in 0..<count { out[i] = h }
            case .constant: break
            case .dictionary(let entries, let idx):
                // One lookup per dictionary entry, not per row.
                let heads = (0..<entries.count).map { e in entries.withUTF8(e) { head($0) } }
                let nullable = k.mayHaveNulls
                out.withUnsafeMutableBufferPointer { op in
                    idx.withUnsafeBufferPointer { ip in
                        for r in 0..<count where !nullable || !k.isNull(r) { op[r] = heads[Int(ip[r])] }
                    }
                }
            default:
                for r in 0..<count where !k.isNull(r) { out[r] = k.withUTF8(r) { head($0) } }
            }
        case .tuple:
            let ids = tuples.existingIds(keys, count: count)
            for r in 0..<count where ids[r] != .max && !keys.contains(where: { $0.isNull(r) }) {
                out[r] = tupleHeads[Int(ids[r])]
            }
        }
        return out
    }

    /// The first build row with the string key `bytes`, or -1.
    private func head(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        stringKeys.firstIndex(of: bytes).map { stringHeads[Int($0)] } ?? -1
    }

    /// The build row after `row` with the same key, or -1.
    @inline(__always) func nextMatch(_ row: Int32) -> Int32 { next[Int(row)] }

    /// `chains[row]` is `nextMatch(row)`, for probe loops (one array, no call per match).
    var chains: [Int32] { next }

    /// Rough bytes held.
    var approximateBytes: Int { next.count * 4 + intHeads.count * 48 + tuples.approximateBytes + tupleHeads.count * 4 + stringKeys.entries.approximateBytes + stringHeads.count * 24 }

    private static func tooManyKeyBytes() -> QueryError {
        .stringsTooLarge(StringArrayOverflow(bytes: StringArray.maxBytes + 1, limit: StringArray.maxBytes), in: "HASH JOIN build keys")
    }
}
