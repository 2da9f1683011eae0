import TapeCodec
import TapeFormat

/// Dense codes for the values of one key column (GROUP BY, several keys): equal values get equal
/// codes `0..<count`, in order of first appearance; NULL has its own code. Values are coded without building
/// a `Datum` per row: integers and timestamps through a map with a one-entry cache (sorted keys
/// cost one comparison per row), strings as UTF-8 bytes (a dictionary's entries once per batch,
/// a constant once), DOUBLE by bit pattern with 0.0/-0.0 and every NaN folded together (as
/// `Datum ==` and DuckDB group them).
struct KeyCoder {
    private var ints = IntegerKeyMap()
    private var doubles = IntegerKeyMap()
    /// Strings as bytes; `stringCodes[dictionary index]` is the string's code.
    private var strings = ByteDictionary()
    private var stringCodes: [UInt32] = []
    private var intervals: [Interval: UInt32] = [:]
    /// Codes of NULL, false and true once seen (`UInt32.max`: not yet).
    private var fixed: [UInt32] = [.max, .max, .max]

    /// Codes handed out so far: they are `0..<count`.
    private(set) var count = 0

    /// Approximate bytes held.
    var approximateBytes: Int { count * 32 + strings.entries.approximateBytes }

    @inline(__always) private mutating func next() -> UInt32 {
        count += 1
        return UInt32(truncatingIfNeeded: count - 1)
    }

    /// The code of one value.
    mutating func code(_ d: Datum) -> UInt32 {
        switch d {
        case .null: return fixedCode(0)
        case .int(let v), .timestamp(let v): return intCode(v)
        case .double(let v): return doubleCode(v)
        case .bool(let v): return fixedCode(v ? 2 : 1)
        case .string(var s): return s.withUTF8 { stringCode(UnsafeRawBufferPointer($0)) }
        case .interval(let i):
            if let c = intervals[i] { return c }
            let c = next()
            intervals[i] = c
            return c
        }
    }

    @inline(__always) private mutating func fixedCode(_ i: Int) -> UInt32 {
        if fixed[i] == .max { fixed[i] = next() }
        return fixed[i]
    }

    @inline(__always) private mutating func intCode(_ v: Int64) -> UInt32 {
        let key = UInt64(bitPattern: v)
        if let c = ints[key] { return c }
        let c = next()
        ints.updateValue(c, forKey: key)
        return c
    }

    @inline(__always) private mutating func doubleCode(_ v: Double) -> UInt32 {
        let key = GroupTable.doubleKey(v)
        if let c = doubles[key] { return c }
        let c = next()
        doubles.updateValue(c, forKey: key)
        return c
    }

    @inline(__always) private mutating func stringCode(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let e = Int(strings.index(of: bytes) ?? 0)
        if e == stringCodes.count { stringCodes.append(next()) }
        return stringCodes[e]
    }

    /// The code `d` already has, else `UInt32.max` (nothing is added).
    func existingCode(_ d: Datum) -> UInt32 {
        switch d {
        case .null: return fixed[0]
        case .int(let v), .timestamp(let v): return ints[UInt64(bitPattern: v)] ?? .max
        case .double(let v): return doubles[GroupTable.doubleKey(v)] ?? .max
        case .bool(let v): return fixed[v ? 2 : 1]
        case .string(var s): return s.withUTF8 { existingStringCode(UnsafeRawBufferPointer($0)) }
        case .interval(let i): return intervals[i] ?? .max
        }
    }

    @inline(__always) private func existingStringCode(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        strings.firstIndex(of: bytes).map { stringCodes[Int($0)] } ?? .max
    }

    /// The code every row of `v` already has, `UInt32.max` for a value never coded: the probe
    /// side of a hash table, which must not grow with values it does not hold. Safe to call from
    /// several threads at once (it changes nothing).
    func existingCodes(_ v: Vector, count n: Int) -> [UInt32] {
        var out: [UInt32]
        switch v.storage {
        case .constant(let d):
            return [UInt32](repeating: existingCode(d), count: n)
        case .int64(let a) where v.type == .interval:   // a stored duration: coded as the interval it reads as
            out = (0..<n).map { intervals[Interval(durationNanos: a[$0])] ?? .max }
        case .int64(let a):
            out = (0..<n).map { ints[UInt64(bitPattern: a[$0])] ?? .max }
        case .float64(let a):
            out = (0..<n).map { doubles[GroupTable.doubleKey(a[$0])] ?? .max }
        case .bool(let a):
            out = (0..<n).map { fixed[a[$0] ? 2 : 1] }
        case .strings(let s):
            out = (0..<n).map { r in s.withUTF8(r) { existingStringCode($0) } }
        case .dictionary(let entries, let idx):
            let perEntry = (0..<entries.count).map { e in entries.withUTF8(e) { existingStringCode($0) } }
            out = perEntry.withUnsafeBufferPointer { pe in idx.map { pe[Int($0)] } }
        case .interval(let a):
            out = (0..<n).map { intervals[a[$0]] ?? .max }
        }
        if let valid = v.validity {
            for r in 0..<n where !valid[r] { out[r] = fixed[0] }
        }
        return out
    }

    /// The code of every row of `v` (`n` rows).
    mutating func codes(_ v: Vector, count n: Int) -> [UInt32] {
        var out: [UInt32]
        switch v.storage {
        case .constant(let d):
            return [UInt32](repeating: code(d), count: n)
        case .int64(let a) where v.type == .interval:   // a stored duration: coded as the interval it reads as
            out = (0..<n).map { code(.interval(Interval(durationNanos: a[$0]))) }
        case .int64(let a):
            out = [UInt32](repeating: 0, count: n)
            var last: Int64 = 0
            var lastCode = UInt32.max
            for r in 0..<n {
                let x = a[r]
                if lastCode != .max && x == last { out[r] = lastCode; continue }
                lastCode = intCode(x)
                last = x
                out[r] = lastCode
            }
        case .float64(let a):
            out = (0..<n).map { doubleCode(a[$0]) }
        case .bool(let a):
            out = (0..<n).map { fixedCode(a[$0] ? 2 : 1) }
        case .strings(let s):
            out = (0..<n).map { r in s.withUTF8(r) { stringCode($0) } }
        case .dictionary(let entries, let idx):
            // Entries a filtered batch no longer uses may be coded too: a code is not a group.
            let perEntry = (0..<entries.count).map { e in entries.withUTF8(e) { stringCode($0) } }
            out = perEntry.withUnsafeBufferPointer { pe in idx.map { pe[Int($0)] } }
        case .interval(let a):
            out = (0..<n).map { code(.interval(a[$0])) }
        }
        if let valid = v.validity {
            for r in 0..<n where !valid[r] { out[r] = fixedCode(0) }
        }
        return out
    }
}

/// Dense ids for tuples of key codes: the codes of several key columns folded pairwise (the id of
/// the first two columns' pair, then of that id with the third column's code, …), each step one
/// lookup of a 64-bit integer. Ids are dense, in order of first appearance.
struct KeyTupleIds {
    private var coders: [KeyCoder]
    /// `folds[k]`: (id of columns 0…k, code of column k+1) → id of columns 0…k+1.
    private var folds: [[UInt64: UInt32]]

    init(columns: Int) {
        coders = Array(repeating: KeyCoder(), count: columns)
        folds = Array(repeating: [:], count: max(0, columns - 1))
    }

    var approximateBytes: Int { coders.reduce(0) { $0 + $1.approximateBytes } + folds.reduce(0) { $0 + $1.count * 24 } }

    /// Ids handed out so far: they are `0..<count`.
    var count: Int { folds.last?.count ?? coders[0].count }

    @inline(__always) private static func pair(_ a: UInt32, _ b: UInt32) -> UInt64 { UInt64(a) << 32 | UInt64(b) }

    /// The id of one tuple of values.
    mutating func id(_ key: [Datum]) -> UInt32 {
        var acc = coders[0].code(key[0])
        for k in 1..<max(1, key.count) {
            let p = Self.pair(acc, coders[k].code(key[k]))
            if let c = folds[k - 1][p] { acc = c } else {
                let c = UInt32(truncatingIfNeeded: folds[k - 1].count)
                folds[k - 1][p] = c
                acc = c
            }
        }
        return acc
    }

    /// The id every row's tuple already has, `UInt32.max` for a tuple never seen (nothing is
    /// added; safe from several threads at once).
    func existingIds(_ keys: [Vector], count n: Int) -> [UInt32] {
        var acc = coders[0].existingCodes(keys[0], count: n)
        for k in 1..<max(1, keys.count) {
            let c = coders[k].existingCodes(keys[k], count: n)
            for r in 0..<n where acc[r] != .max {
                acc[r] = c[r] == .max ? .max : folds[k - 1][Self.pair(acc[r], c[r])] ?? .max
            }
        }
        return acc
    }

    /// The id of every row of the key columns.
    mutating func ids(_ keys: [Vector], count n: Int) -> [UInt32] {
        var acc = coders[0].codes(keys[0], count: n)
        for k in 1..<max(1, keys.count) {
            let c = coders[k].codes(keys[k], count: n)
            var lastPair = UInt64.max
            var lastId: UInt32 = 0
            for r in 0..<n {
                let p = Self.pair(acc[r], c[r])
                if p == lastPair { acc[r] = lastId; continue }
                let id: UInt32
                if let found = folds[k - 1][p] { id = found } else {
                    id = UInt32(truncatingIfNeeded: folds[k - 1].count)
                    folds[k - 1][p] = id
                }
                lastPair = p
                lastId = id
                acc[r] = id
            }
        }
        return acc
    }
}
