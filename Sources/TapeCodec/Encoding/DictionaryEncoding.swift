import TapeFormat

/// DICTIONARY (format-spec §5.4), strings only:
///
///   dict_count  varint     number of distinct entries, 1 ≤ dict_count ≤ m
///   dict        PLAIN string layout of the dict_count entries
///   width       u8         bits per index, ≥ ceil(log2(dict_count)), ≤ 32
///   indices     ceil(m × width / 8) bytes, m indices bit-packed LSB-first, each < dict_count
enum DictionaryEncoding {
    /// Most distinct values the automatic choice accepts.
    static let maxAutomaticEntries = 65536

    /// ceil(log2(count)): the index width for `count` entries (0 for one entry).
    static func indexWidth(entryCount count: Int) -> Int {
        count <= 1 ? 0 : BitPacking.bitLength(UInt64(count - 1))
    }

    /// Appends the header (dict_count and entries) — `entries` yields each entry's byte range —
    /// then the width and the packed `indices`.
    static func encode(entryCount: Int, entryBytes: Int, bytes: UnsafeRawBufferPointer,
                       entries: (_ each: (Int, Int) -> Void) -> Void,
                       indices: UnsafeBufferPointer<UInt32>, into w: inout RawWriter) {
        precondition(entryCount >= 1 && entryCount <= indices.count)
        w.writeVarint(UInt64(entryCount))
        PlainEncoding.encodeStrings(count: entryCount, byteTotal: entryBytes, bytes: bytes, ranges: entries, into: &w)
        let width = indexWidth(entryCount: entryCount)
        w.writeU8(UInt8(width))
        let packed = BitPacking.byteCount(count: indices.count, width: width)
        w.reserve(packed)
        BitPacking.pack(indices, width: width, into: w.end)
        w.advance(packed)
    }

    /// Encoded size for `entryCount` entries whose PLAIN layout takes `entryPlainBytes`, and `m` rows.
    static func encodedSize(entryCount: Int, entryPlainBytes: Int, count m: Int) -> Int {
        varintSize(UInt64(entryCount)) + entryPlainBytes + 1
            + BitPacking.byteCount(count: m, width: indexWidth(entryCount: entryCount))
    }

    /// Decodes the entries and the `m` dense indices (into `indices[0..<m]`), checking every index.
    /// REQUIRES: `indices` has `m` writable slots.
    static func decode(_ r: inout PayloadReader, count m: Int, indices: UnsafeMutablePointer<UInt32>) throws(FormatError) -> StringArray {
        let countAt = r.position
        let n = try r.readCount("dictionary entry count", limit: min(m, r.remaining))
        guard n >= 1 else { throw r.invalid("dictionary entry count", at: countAt, "dictionary has no entries") }
        // Entry lengths: read into the offsets array, then turned into end offsets.
        try r.require(n, "dictionary entry lengths")
        var offsets = [UInt32](repeating: 0, count: n + 1)
        var total = 0
        for k in 0..<n {
            var len = 0
            if let fast = r.tryReadCount(limit: r.remaining) { len = fast } else { len = try r.readCount("dictionary entry length", limit: r.remaining) }
            total += len
            offsets[k + 1] = UInt32(total)
        }
        let section = try r.take(total, "dictionary entry bytes")
        if !UTF8Validation.isASCII(section) {
            for k in 0..<n where !UTF8Validation.isValid(section, Int(offsets[k])..<Int(offsets[k + 1])) {
                throw r.invalid("dictionary entry", at: r.position - total + Int(offsets[k]), "entry \(k) is not valid UTF-8")
            }
        }
        let widthAt = r.position
        let width = Int(try r.readU8("dictionary index width"))
        guard width <= 32 else { throw r.invalid("dictionary index width", at: widthAt, "bit width \(width) > 32") }
        let packedAt = r.position
        let packed = try r.take(BitPacking.byteCount(count: m, width: width), "dictionary indices")
        try r.requireAtEnd("dictionary block values")
        BitPacking.unpack(packed, count: m, width: width, into: indices)
        var maxIndex: UInt32 = 0
        for j in 0..<m { maxIndex = max(maxIndex, indices[j]) }
        guard Int(maxIndex) < n else {
            throw r.outOfBounds("dictionary index", at: packedAt, value: UInt64(maxIndex), limit: n - 1)
        }
        return StringArray(bytes: Array(section), offsets: offsets)
    }
}

/// Finds the distinct strings of a column and each non-null row's entry number (in order of first
/// appearance), with an open-addressing hash table over the raw bytes. Reused between blocks.
struct DictionaryBuilder {
    /// slot → entry + 1 (0 = empty).
    private var table: [UInt32] = []
    private var entryHash: [UInt64] = []
    /// Byte ranges of the entries in the source bytes.
    private(set) var entryStart: [Int] = []
    private(set) var entryEnd: [Int] = []
    /// Sum of the entries' lengths.
    private(set) var entryBytes = 0
    /// Bytes of the entries' PLAIN layout (length varints + bytes).
    private(set) var entryPlainBytes = 0

    var entryCount: Int { entryStart.count }

    /// Builds the dictionary of the strings `bytes[offsets[i]..<offsets[i+1]]` of the rows where
    /// `validity` is set (or all rows), writing the dense indices to `indices`. Stops and returns
    /// false as soon as there are more than `limit` entries.
    /// REQUIRES: `indices` has a slot per non-null row.
    mutating func build(bytes: UnsafeRawBufferPointer, offsets: UnsafeBufferPointer<UInt32>, validity: Bitmap?,
                        limit: Int, indices: UnsafeMutablePointer<UInt32>) -> Bool {
        entryStart.removeAll(keepingCapacity: true)
        entryEnd.removeAll(keepingCapacity: true)
        entryHash.removeAll(keepingCapacity: true)
        entryBytes = 0
        entryPlainBytes = 0
        let rows = offsets.count - 1
        var size = 64
        while size < 2 * min(limit, 4096) { size *= 2 }
        resetTable(size)
        guard let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1) else { return false }
        var j = 0
        for i in 0..<rows where validity?[i] ?? true {
            let start = Int(offsets[i]), end = Int(offsets[i + 1])
            let h = Self.hash(base + start, end - start)
            var mask = table.count - 1
            var slot = Int(truncatingIfNeeded: h) & mask
            var found: UInt32 = 0
            while true {
                let e = table[slot]
                if e == 0 { break }
                let k = Int(e - 1)
                if entryHash[k] == h && Self.equal(base, entryStart[k], entryEnd[k], start, end) {
                    found = e
                    break
                }
                slot = (slot + 1) & mask
            }
            if found == 0 {
                if entryStart.count >= limit { return false }
                entryStart.append(start)
                entryEnd.append(end)
                entryHash.append(h)
                entryBytes += end - start
                entryPlainBytes += end - start + varintSize(UInt64(end - start))
                found = UInt32(entryStart.count)
                table[slot] = found
                if 2 * entryStart.count > table.count {
                    grow()
                    mask = table.count - 1
                }
            }
            indices[j] = found - 1
            j += 1
        }
        return true
    }

    private mutating func resetTable(_ size: Int) {
        if table.count == size {
            table.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        } else {
            table = [UInt32](repeating: 0, count: size)
        }
    }

    private mutating func grow() {
        let size = table.count * 2
        table = [UInt32](repeating: 0, count: size)
        let mask = size - 1
        for k in 0..<entryHash.count {
            var slot = Int(truncatingIfNeeded: entryHash[k]) & mask
            while table[slot] != 0 { slot = (slot + 1) & mask }
            table[slot] = UInt32(k + 1)
        }
    }

    @inline(__always) private static func equal(_ base: UnsafeRawPointer, _ s1: Int, _ e1: Int, _ s2: Int, _ e2: Int) -> Bool {
        e1 - s1 == e2 - s2 && ByteOrder.compare(base + s1, e1 - s1, base + s2, e2 - s2) == 0
    }

    /// A fast 64-bit hash of `n` bytes at `p`, 8 bytes at a time.
    @inline(__always) static func hash(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        var i = 0
        while i + 8 <= n {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < n {
            var t: UInt64 = 0
            var s: UInt64 = 0
            while i < n {
                t |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << s
                s += 8
                i += 1
            }
            h = (h ^ t) &* 0x94D0_49BB_1331_11EB
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }
}
