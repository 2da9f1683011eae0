import TapeCodec
import TapeFormat

/// The buffered values of one column of the chunk being built.
///
/// Values are stored spread (one slot per row, placeholders for nulls) in the array matching the
/// type. Strings start in dictionary form (one hash lookup per value, no allocation for repeats) and
/// switch to plain form for the rest of the chunk once the dictionary grows past `maxDictionary`.
/// Invariant: every active array has `count` elements; `validity` is materialised lazily at the
/// first null and then has `count` bits.
struct ColumnBuffer {
    let type: ColumnType
    let nullable: Bool
    private(set) var count = 0
    private(set) var nullCount = 0
    var ints: [Int64] = []
    var doubles: [Double] = []
    var bools = Bitmap()
    var plain = StringArray()
    var dictionary = ByteDictionary()
    var indices: [UInt32] = []
    var usingDictionary = true
    var validity: Bitmap? = nil
    /// Bytes of string data buffered (for the chunk byte budget).
    private(set) var stringBytes = 0

    static let maxDictionary = 4096

    init(type: ColumnType, nullable: Bool) {
        self.type = type
        self.nullable = nullable
    }

    /// Bytes buffered, counted so that it bounds the decoded size of the block these rows become
    /// (`ChunkLimits.decodedSize`: 8 bytes a row, plus for strings a raw payload of at most
    /// validity + 9 bytes a row (a length varint, or a dictionary index and entry length) + the
    /// string bytes + 16).
    var byteSize: Int { count * Self.rowBytes(type) + (type == .string ? stringBytes + 16 : 0) }

    /// The per-row part of `byteSize` for a column of `type`.
    static func rowBytes(_ type: ColumnType) -> Int { type == .string ? 18 : 8 }

    @inline(__always) private mutating func markValid() {
        if validity != nil { validity!.append(true) }
        count += 1
    }

    /// Accounts for `n` valid values just appended to the typed array.
    mutating func bumpValid(_ n: Int) {
        if validity != nil { for _ in 0..<n { validity!.append(true) } }
        count += n
    }

    mutating func appendInt(_ v: Int64) { ints.append(v); markValid() }
    mutating func appendDouble(_ v: Double) { doubles.append(v); markValid() }
    mutating func appendBool(_ v: Bool) { bools.append(v); markValid() }

    mutating func appendString(_ s: String) throws(StringArrayOverflow) {
        var s = s
        try s.withUTF8 { b in Result { () throws(StringArrayOverflow) in try appendString(bytes: UnsafeRawBufferPointer(b)) } }.get()
    }

    /// Appends a string given as UTF-8 bytes (already valid UTF-8); throws, appending nothing,
    /// when the buffer's strings would pass 4 GiB.
    mutating func appendString(bytes: UnsafeRawBufferPointer) throws(StringArrayOverflow) {
        try storeString(bytes)
        markValid()
    }

    /// Stores a string's bytes without counting its row (the caller accounts for the row and its
    /// validity); returns its index while the buffer is in dictionary form.
    @discardableResult
    mutating func storeString(_ bytes: UnsafeRawBufferPointer) throws(StringArrayOverflow) -> UInt32? {
        if usingDictionary {
            if let i = dictionary.index(of: bytes, limit: ColumnBuffer.maxDictionary) {
                stringBytes += bytes.count
                indices.append(i)
                return i
            }
            try switchToPlain()
        }
        try plain.append(utf8: bytes)
        stringBytes += bytes.count
        return nil
    }

    /// Stores the placeholder of a null string without counting its row.
    mutating func storeNullString() {
        if usingDictionary { indices.append(0) } else { plain.appendEmpty() }
    }

    /// Appends a null (placeholder value + cleared validity bit). REQUIRES: nullable.
    mutating func appendNull() {
        switch type {
        case .int64, .timestamp, .duration: ints.append(0)
        case .float64: doubles.append(0)
        case .bool: bools.append(false)
        case .string: storeNullString()
        }
        if validity == nil { validity = Bitmap(count: count, value: true) }
        validity!.append(false)
        nullCount += 1
        count += 1
    }

    private mutating func switchToPlain() throws(StringArrayOverflow) {
        plain.removeAll()
        let entries = dictionary.entries
        for i in indices { try plain.append(entries, Int(i)) }
        usingDictionary = false
        indices.removeAll(keepingCapacity: true)
    }

    /// Removes the rows at and after `n` (rolls back a partially built row).
    mutating func truncate(to n: Int) {
        guard n < count else { return }
        let drop = count - n
        switch type {
        case .int64, .timestamp, .duration: ints.removeLast(drop)
        case .float64: doubles.removeLast(drop)
        case .bool: bools.truncate(to: n)
        case .string:
            if usingDictionary {
                indices.removeLast(drop)
            } else {
                plain.bytes.removeLast(plain.bytes.count - Int(plain.offsets[n]))
                plain.offsets.removeLast(drop)
            }
        }
        if var v = validity {
            var rebuilt = Bitmap()
            for i in 0..<n { rebuilt.append(v[i]) }
            v = rebuilt
            validity = v
            nullCount = n - v.popCount
        }
        count = n
    }

    /// Moves the buffered rows out as a `ColumnData`, leaving the buffer empty. Pass the column
    /// back to `reclaim` after encoding so its arrays' capacity is reused (memory stays flat).
    mutating func take() -> ColumnData {
        let storage: ColumnLayout
        switch type {
        case .int64, .timestamp, .duration: storage = .int64(ints); ints = []
        case .float64: storage = .float64(doubles); doubles = []
        case .bool: storage = .bool(bools); bools = Bitmap()
        case .string:
            if usingDictionary {
                storage = .dictionary(entries: dictionary.takeEntries(), indices: indices)
                indices = []
            } else {
                storage = .strings(plain); plain = StringArray()
            }
        }
        return ColumnData(type: type, storage: storage, validity: validity)
    }

    mutating func reclaim(_ storage: ColumnLayout) {
        switch storage {
        case .int64(var a): a.removeAll(keepingCapacity: true); ints = a
        case .float64(var a): a.removeAll(keepingCapacity: true); doubles = a
        case .bool(var a): a.removeAll(keepingCapacity: true); bools = a
        case .strings(var s): s.removeAll(); plain = s
        case .dictionary(_, var i):
            i.removeAll(keepingCapacity: true)
            indices = i
        case .interval, .constant: break   // never a stored column's storage: nothing to reuse
        }
        if type == .string {
            plain.removeAll()
            dictionary.removeAll()
            usingDictionary = true
        }
        validity = nil
        count = 0
        nullCount = 0
        stringBytes = 0
    }
}

extension ColumnBuffer {
    /// Appends rows `range` of `column` (type already checked against this buffer) in bulk:
    /// fixed-width values copied as one block (null slots zeroed, as `appendNull` leaves them),
    /// validity appended up to 64 bits at a time, strings through `storeStrings`.
    mutating func append(_ column: ColumnData, range: Range<Int>) throws(StringArrayOverflow) {
        let nulls = column.validity.map { range.count - $0.popCount(in: range) } ?? 0
        let source = nulls > 0 ? column.validity : nil
        switch column.storage {
        case .int64(let v):
            let start = ints.count
            ints.append(contentsOf: v[range])
            if let source { Self.zeroNulls(&ints, from: start, source, range, zero: 0) }
        case .float64(let v):
            let start = doubles.count
            doubles.append(contentsOf: v[range])
            if let source { Self.zeroNulls(&doubles, from: start, source, range, zero: 0) }
        case .bool(let v):
            let start = bools.count
            bools.append(contentsOf: v, range: range)
            if let source { for (k, r) in range.enumerated() where !source[r] { bools[start + k] = false } }
        case .strings, .dictionary:
            try storeStrings(column, range: range, validity: source)
        case .interval, .constant:
            preconditionFailure("query-only storage for a \(column.type) column (TableWriter.storageMatches refuses it)")
        }
        appendValidity(source, range: range, nulls: nulls)
    }

    /// Sets the slots of the rows `validity` marks null in `range` (stored from `start`) to `zero`.
    private static func zeroNulls<T>(_ values: inout [T], from start: Int, _ validity: Bitmap, _ range: Range<Int>, zero: T) {
        for (k, r) in range.enumerated() where !validity[r] { values[start + k] = zero }
    }

    /// Stores the strings of rows `range` (placeholders for the rows `validity` marks null). A
    /// dictionary column's entries are looked up in this buffer's dictionary once each, not once
    /// a row.
    private mutating func storeStrings(_ column: ColumnData, range: Range<Int>, validity: Bitmap?) throws(StringArrayOverflow) {
        switch column.storage {
        case .strings(let s):
            try s.bytes.withUnsafeBytes { raw in
                Result { () throws(StringArrayOverflow) in
                    for r in range {
                        if let validity, !validity[r] { storeNullString(); continue }
                        try storeString(UnsafeRawBufferPointer(rebasing: raw[Int(s.offsets[r])..<Int(s.offsets[r + 1])]))
                    }
                }
            }.get()
        case .dictionary(let entries, let idx):
            var mapped = [UInt32](repeating: .max, count: entries.count)
            try entries.bytes.withUnsafeBytes { raw in Result { () throws(StringArrayOverflow) in
                for r in range {
                    if let validity, !validity[r] { storeNullString(); continue }
                    let k = Int(idx[r])
                    let bytes = UnsafeRawBufferPointer(rebasing: raw[Int(entries.offsets[k])..<Int(entries.offsets[k + 1])])
                    if usingDictionary && mapped[k] != .max {
                        stringBytes += bytes.count
                        indices.append(mapped[k])
                        continue
                    }
                    if let i = try storeString(bytes) { mapped[k] = i }
                }
            } }.get()
        default: break
        }
    }

    /// Accounts for `range.count` rows just stored: `nulls` of them null per `source` (nil: none).
    private mutating func appendValidity(_ source: Bitmap?, range: Range<Int>, nulls: Int) {
        if let source {
            if validity == nil { validity = Bitmap(count: count, value: true) }
            validity!.append(contentsOf: source, range: range)
            nullCount += nulls
        } else if validity != nil {
            validity!.append(repeating: true, count: range.count)
        }
        count += range.count
    }
}
