import TapeCodec
import TapeFormat

/// The binary form of a batch in a spill file: columnar, fixed-width values copied as they are in
/// memory (little-endian), strings as lengths then bytes. Written and read by the same process, so
/// it carries no version or checksum; the reader still checks every length against the block.
///
///     block    := rows: u64 | column × (the batch's column count, known to the reader)
///     column   := kind: u8 | hasNulls: u8 | validity? | values
///     validity := ceil(rows / 64) × u64      (bit r of word r/64: 1 = valid), only when hasNulls = 1
///     values   := kind 0 (BIGINT, TIMESTAMP, NULL): rows × i64
///               | kind 1 (DOUBLE): rows × u64 (bit patterns)
///               | kind 2 (BOOLEAN): rows × u8
///               | kind 3 (VARCHAR): rows × u32 byte lengths | the UTF-8 bytes, concatenated
///               | kind 4 (INTERVAL): rows × (months: i64 | days: i64 | nanos: i64)
///               | kind 5 (one value on every row): hasValue: u64 (0 = NULL) | column of 1 row, if 1
///
/// A null row's slot holds a placeholder, as in `Vector`. Dictionary vectors are written expanded,
/// one string per row; constant vectors stay constant.
enum SpillCodec {
    static func encode(_ b: Batch) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.approximateBytes + 16 * b.columns.count + 8)
        append(UInt64(b.count), to: &out)
        for column in b.columns { encodeColumn(column, to: &out) }
        return out
    }

    private static func encodeColumn(_ column: Vector, to out: inout [UInt8]) {
        if case .constant(let d) = column.storage {
            out.append(5)
            out.append(0)
            if d != .null {
                append(1, to: &out)
                encodeColumn(Vector.filled(d, type: column.type, count: 1), to: &out)
            } else {
                append(0, to: &out)
            }
            return
        }
        let v = column
        let kind: UInt8
        switch v.storage {
        case .int64: kind = 0
        case .float64: kind = 1
        case .bool: kind = 2
        case .strings, .dictionary: kind = 3
        case .interval: kind = 4
        case .constant: kind = 0   // unreachable: handled above
        }
        out.append(kind)
        if let validity = v.validity {
            out.append(1)
            let words = (v.count + 63) / 64
            var w = Array(validity.words.prefix(words))
            if w.count < words { w += [UInt64](repeating: 0, count: words - w.count) }
            w.withUnsafeBytes { out.append(contentsOf: $0) }
        } else {
            out.append(0)
        }
        switch v.storage {
        case .int64(let a): a.withUnsafeBytes { out.append(contentsOf: $0) }
        case .float64(let a): a.withUnsafeBytes { out.append(contentsOf: $0) }
        case .bool(let a): out.append(contentsOf: a.map { $0 ? 1 : 0 })
        case .strings(let a): appendStrings(a, a.count, { $0 }, to: &out)
        case .dictionary(let e, let idx): appendStrings(e, idx.count, { Int(idx[$0]) }, to: &out)
        case .interval(let a):
            for i in a {
                append(UInt64(bitPattern: i.months), to: &out)
                append(UInt64(bitPattern: i.days), to: &out)
                append(UInt64(bitPattern: i.nanos), to: &out)
            }
        case .constant: break
        }
    }

    /// Row r's string is `strings[index(r)]` (an empty dictionary, all rows null, gives "").
    private static func appendStrings(_ strings: StringArray, _ n: Int, _ index: (Int) -> Int, to out: inout [UInt8]) {
        let empty = strings.count == 0
        var lengths = [UInt32](repeating: 0, count: n)
        if !empty { for r in 0..<n { lengths[r] = UInt32(truncatingIfNeeded: strings.range(index(r)).count) } }
        lengths.withUnsafeBytes { out.append(contentsOf: $0) }
        if !empty { for r in 0..<n { strings.withUTF8(index(r)) { out.append(contentsOf: $0) } } }
    }

    @inline(__always) private static func append(_ x: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
    }

    /// The batch in `bytes`, with columns of `types`.
    static func decode(_ bytes: [UInt8], types: [SQLType]) throws(QueryError) -> Batch {
        var r = Reader(bytes: bytes)
        guard let rows = Int(exactly: try r.u64()), rows < Int(Int32.max) else { throw Reader.corrupt }
        var columns: [Vector] = []
        for type in types { columns.append(try decodeColumn(&r, type: type, rows: rows)) }
        return Batch(columns: columns, count: rows)
    }

    private static func decodeColumn(_ r: inout Reader, type: SQLType, rows: Int) throws(QueryError) -> Vector {
        let kind = try r.byte()
        if kind == 5 {
            _ = try r.byte()
            guard try r.u64() == 1 else { return Vector(type: type, storage: .constant(.null), count: rows) }
            let one = try decodeColumn(&r, type: type, rows: 1)
            return Vector(type: type, storage: .constant(one.datum(0)), count: rows)
        }
        var validity: Bitmap?
        if try r.byte() == 1 {
            var bm = Bitmap(count: rows, value: false)
            bm.words = try r.array(UInt64.self, (rows + 63) / 64)
            validity = bm
        }
        let storage: ColumnLayout
        switch kind {
        case 0: storage = .int64(try r.array(Int64.self, rows))
        case 1: storage = .float64(try r.array(Double.self, rows))
        case 2: storage = .bool(Bitmap(try r.array(UInt8.self, rows).lazy.map { $0 != 0 }))
        case 3:
            let lengths = try r.array(UInt32.self, rows)
            var offsets: [UInt32] = [0]
            offsets.reserveCapacity(rows + 1)
            var total = 0
            for n in lengths {
                total += Int(n)
                guard total <= Int(UInt32.max) else { throw Reader.corrupt }
                offsets.append(UInt32(total))
            }
            storage = .strings(StringArray(bytes: try r.array(UInt8.self, total), offsets: offsets))
        case 4:
            let raw = try r.array(Int64.self, rows * 3)
            storage = .interval((0..<rows).map { Interval(months: raw[3 * $0], days: raw[3 * $0 + 1], nanos: raw[3 * $0 + 2]) })
        default: throw Reader.corrupt
        }
        return Vector(type: type, storage: storage, validity: validity, count: rows)
    }

    /// Bounds-checked reads over one block.
    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        static let corrupt = QueryError(.execution, "a temporary spill file read back differs from what was written (disk or memory error)")

        mutating func byte() throws(QueryError) -> UInt8 {
            guard at < bytes.count else { throw Reader.corrupt }
            at += 1
            return bytes[at - 1]
        }

        mutating func u64() throws(QueryError) -> UInt64 {
            let a = try array(UInt64.self, 1)
            return UInt64(littleEndian: a[0])
        }

        mutating func array<T: BitwiseCopyable>(_: T.Type, _ n: Int) throws(QueryError) -> [T] {
            let (len, o) = n.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
            guard !o, len <= bytes.count - at else { throw Reader.corrupt }
            let start = at
            at += len
            return [T](unsafeUninitializedCapacity: n) { out, done in
                bytes.withUnsafeBytes { src in
                    if len > 0 { UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: src[start..<(start + len)])) }
                }
                done = n
            }
        }
    }
}
