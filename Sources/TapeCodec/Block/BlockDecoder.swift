import TapeFormat

/// Turns a stored block back into a column's rows (format-spec §3.3, §5).
///
/// Every inconsistency — decompression failure, a raw length that does not match, an encoding
/// unknown or not valid for the type, a values section too short or too long, an index or width
/// out of range, invalid UTF-8, a null count that disagrees with the validity bitmap — throws
/// `FormatError`; nothing traps. A block that carries a checksum (format 1.1) is checked against
/// it before anything else, so damaged bytes never decode to rows. Memory allocated is bounded by `descriptor.rawLength` and
/// `rowCount`, which the caller has checked against the file and against the chunk's
/// decoded-size limit (`ChunkLimits`, format-spec §7) when it decoded the descriptors.
///
/// Reusable per reader thread: owns a zstd context and the decompression buffer.
public final class BlockDecoder {
    var scratch = RawWriter(capacity: 1 << 16)
    private lazy var zstd: ZstdDecompressor? = ZstdDecompressor()

    public init() {}

    /// Decodes one stored block of `rowCount` rows of `type`. `offset` is the block's absolute file
    /// offset, used in errors. The result is spread (a slot per row; null slots hold 0, 0.0, false,
    /// an empty string or dictionary index 0) with `validity == nil` when no row is null; DICTIONARY
    /// blocks decode to `.dictionary`, PLAIN strings to `.strings`.
    ///
    /// With `rows`, only those rows of the block are returned (the result has `rows.count` rows):
    /// a PAGED block (format 1.4) decompresses and decodes only the pages holding them; another
    /// block is decoded whole and cut. REQUIRES: `rows` lies within `0..<rowCount`.
    ///
    /// `checksumChecked`: the caller has already checked `stored` against `d.checksum` (with
    /// `checkChecksum`), so it is not checked again.
    public func decode(_ stored: UnsafeRawBufferPointer, descriptor d: BlockDescriptor, type: ColumnType,
                       rowCount n: Int, offset: Int, rows: Range<Int>? = nil, checksumChecked: Bool = false) throws(FormatError) -> ColumnData {
        guard n >= 0 else { throw .invalid(what: "block", offset: offset, reason: "negative row count \(n)") }
        guard stored.count == d.storedLength else {
            throw .invalid(what: "block", offset: offset, reason: "\(stored.count) bytes given for a stored length of \(d.storedLength)")
        }
        guard d.nullCount >= 0 && d.nullCount <= n else {
            throw .outOfBounds(what: "block null count", offset: offset, value: UInt64(max(0, d.nullCount)), limit: UInt64(n))
        }
        guard d.rawLength >= 0 && d.rawLength <= BlockDescriptor.maxRawLength else {
            throw .outOfBounds(what: "block raw length", offset: offset, value: UInt64(max(0, d.rawLength)), limit: UInt64(BlockDescriptor.maxRawLength))
        }
        if let rows { precondition(rows.lowerBound >= 0 && rows.upperBound <= n, "rows \(rows) outside a block of \(n) rows") }
        if d.encoding == PageDirectory.encodingID {
            if !checksumChecked { try Self.checkChecksum(stored, d, offset: offset) }
            return try decodePaged(stored, descriptor: d, type: type, rowCount: n, offset: offset, rows: rows ?? 0..<n)
        }
        var single = d
        if checksumChecked { single.checksum = nil }
        let whole = try decodeSingle(stored, descriptor: single, type: type, rowCount: n, offset: offset)
        guard let rows, rows != 0..<n else { return whole }
        return whole.slice(rows)
    }

    /// Refuses a block whose stored bytes do not match its checksum (format 1.1), if it has one.
    public static func checkChecksum(_ stored: UnsafeRawBufferPointer, _ d: BlockDescriptor, offset: Int) throws(FormatError) {
        if let expected = d.checksum {
            let computed = CRC32C.mask(CRC32C.checksum(stored))
            guard computed == expected else {
                throw .checksumMismatch(what: "block", offset: offset, stored: expected, computed: computed)
            }
        }
    }

    /// Decodes a block that is not PAGED (or one page of a PAGED block: `d` is then the page's
    /// descriptor, without a checksum), all `n` rows.
    func decodeSingle(_ stored: UnsafeRawBufferPointer, descriptor d: BlockDescriptor, type: ColumnType,
                      rowCount n: Int, offset: Int) throws(FormatError) -> ColumnData {
        guard let encoding = Encoding(rawValue: d.encoding), encoding.supports(type) else {
            throw .invalid(what: "block encoding", offset: offset, reason: "encoding \(d.encoding) is not valid for \(type)")
        }
        try Self.checkChecksum(stored, d, offset: offset)
        let raw = try decompress(stored, descriptor: d, offset: offset)
        var r = PayloadReader(raw, blockOffset: offset, compressed: d.codec != 0)

        let m = n - d.nullCount
        let validity = try Self.readValidity(&r, rows: n, nullCount: d.nullCount)

        let storage: ColumnLayout
        switch type {
        case .int64, .timestamp, .duration:
            storage = .int64(try Self.makeArray(n) { (out: UnsafeMutablePointer<Int64>) throws(FormatError) in
                try out.withMemoryRebound(to: UInt64.self, capacity: n) { (bits: UnsafeMutablePointer<UInt64>) throws(FormatError) in
                    try Self.decodeFixed(&r, encoding: encoding, type: type, rows: n, dense: m, validity: validity, into: bits)
                }
            })
        case .float64:
            storage = .float64(try Self.makeArray(n) { (out: UnsafeMutablePointer<Double>) throws(FormatError) in
                try out.withMemoryRebound(to: UInt64.self, capacity: n) { (bits: UnsafeMutablePointer<UInt64>) throws(FormatError) in
                    try Self.decodeFixed(&r, encoding: encoding, type: type, rows: n, dense: m, validity: validity, into: bits)
                }
            })
        case .bool:
            // The stored bits are already Arrow's layout: copied as they are, spread when rows are null.
            let section = try r.take((m + 7) / 8, "bool bitmap")
            try r.requireAtEnd("bool values")
            let dense = Bitmap(decoding: section, count: m)
            storage = .bool(validity.map { dense.spread(by: $0) } ?? dense)
        case .string:
            if encoding == .dictionary {
                var entries = StringArray()
                let idx = try Self.makeArray(n) { (out: UnsafeMutablePointer<UInt32>) throws(FormatError) in
                    entries = try DictionaryEncoding.decode(&r, count: m, indices: out)
                    if let validity { Self.spread(out, rows: n, dense: m, validity: validity, zero: 0) }
                }
                storage = .dictionary(entries: entries, indices: idx)
            } else {
                var section = UnsafeRawBufferPointer(start: nil, count: 0)
                // offsets[1...m] first receive the dense lengths, then become end offsets per row.
                let offsets = try Self.makeArray(n + 1) { (out: UnsafeMutablePointer<UInt32>) throws(FormatError) in
                    out[0] = 0
                    section = try PlainEncoding.decodeStrings(&r, count: m, lengths: out + 1, what: "string")
                    if let validity { Self.spread(out + 1, rows: n, dense: m, validity: validity, zero: 0) }
                    for i in 0..<n { out[i + 1] &+= out[i] }
                }
                storage = .strings(StringArray(bytes: Array(section), offsets: offsets))
            }
        }
        return ColumnData(type: type, storage: storage, validity: validity)
    }

    /// The validity bitmap at the start of a raw payload of `n` rows, when `nullCount > 0`;
    /// checks that it marks exactly `nullCount` rows null.
    static func readValidity(_ r: inout PayloadReader, rows n: Int, nullCount: Int) throws(FormatError) -> Bitmap? {
        guard nullCount > 0 else { return nil }
        let at = r.position
        let bits = try r.take((n + 7) / 8, "validity bitmap")
        let bitmap = Bitmap(decoding: bits, count: n)
        guard bitmap.popCount == n - nullCount else {
            throw r.invalid("validity bitmap", at: at, "\(n - bitmap.popCount) null bits but null_count is \(nullCount)")
        }
        return bitmap
    }

    /// Decodes the values of a fixed-width (int64-stored or float64) raw payload, after its
    /// validity, into the `n` slots at `out` (as bit patterns): `m` dense values, spread to their
    /// rows when `validity` is given (null slots 0). Checks that the payload ends there.
    static func decodeFixed(_ r: inout PayloadReader, encoding: Encoding, type: ColumnType, rows n: Int, dense m: Int,
                            validity: Bitmap?, into out: UnsafeMutablePointer<UInt64>) throws(FormatError) {
        switch encoding {
        case .delta:
            try out.withMemoryRebound(to: Int64.self, capacity: n) { (p: UnsafeMutablePointer<Int64>) throws(FormatError) in
                try DeltaEncoding.decode(&r, count: m, into: p)
            }
        case .decimal:
            try out.withMemoryRebound(to: Double.self, capacity: n) { (p: UnsafeMutablePointer<Double>) throws(FormatError) in
                try DecimalEncoding.decode(&r, count: m, into: p)
            }
        case .byteStreamSplit:
            let section = try r.take(8 * m, "byte-stream-split values")
            ByteStreamSplit.decode(section, count: m, into: out)
        default:
            let section = try r.take(8 * m, "plain \(type == .float64 ? "float64" : "int64") values")
            PlainEncoding.decodeFixed(section, count: m, into: out)
        }
        try r.requireAtEnd("\(encoding) \(type == .float64 ? "float64" : "int64") values")
        if let validity { spread(out, rows: n, dense: m, validity: validity, zero: 0) }
    }

    /// The raw payload: `stored` itself, or `stored` decompressed into the scratch buffer.
    func decompress(_ stored: UnsafeRawBufferPointer, descriptor d: BlockDescriptor, offset: Int) throws(FormatError) -> UnsafeRawBufferPointer {
        switch d.codec {
        case 0:
            guard stored.count == d.rawLength else {
                throw .invalid(what: "block", offset: offset, reason: "uncompressed block of \(stored.count) bytes with raw length \(d.rawLength)")
            }
            return stored
        case 1, 2:
            scratch.removeAll()
            scratch.reserve(d.rawLength)
            let dst = UnsafeMutableRawBufferPointer(start: scratch.base, count: d.rawLength)
            do throws(CompressionError) {
                if d.codec == 1 {
                    try LZ4.decompress(stored, into: dst)
                } else {
                    guard let zstd else { throw CompressionError(description: "zstd: cannot allocate a decompression context") }
                    try zstd.decompress(stored, into: dst)
                }
            } catch {
                throw .invalid(what: d.codec == 1 ? "lz4 block" : "zstd block", offset: offset, reason: error.description)
            }
            return UnsafeRawBufferPointer(dst)
        default:
            throw .invalid(what: "block codec", offset: offset, reason: "unknown codec \(d.codec)")
        }
    }

    /// An array of `n` elements that `body` fully initialises (or throws, leaving it empty).
    static func makeArray<T: BitwiseCopyable>(_ n: Int, _ body: (UnsafeMutablePointer<T>) throws(FormatError) -> Void) throws(FormatError) -> [T] {
        var failure: FormatError?
        // Capacity ≥ 1 so that the base address exists even for zero rows.
        let result = [T](unsafeUninitializedCapacity: max(n, 1)) { buf, initialized in
            initialized = 0
            guard let base = buf.baseAddress else { return }
            do throws(FormatError) {
                try body(base)
                initialized = n
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Moves the `m` dense values at the front of `p` to their rows (`validity` has `m` set bits),
    /// filling null rows with `zero`. Works backwards, in place.
    @inline(__always)
    static func spread<T>(_ p: UnsafeMutablePointer<T>, rows n: Int, dense m: Int, validity: Bitmap, zero: T) {
        var j = m
        var i = n - 1
        validity.words.withUnsafeBufferPointer { words in
            while i >= j {  // once j == i + 1 every earlier row is valid and already in place
                if (words[i >> 6] >> UInt64(i & 63)) & 1 != 0 {
                    j -= 1
                    p[i] = p[j]
                } else {
                    p[i] = zero
                }
                i -= 1
            }
        }
    }
}
