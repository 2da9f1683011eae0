import TapeCodec
import TapeFormat

// One column chunk of a row group: [a dictionary page] then data pages (v1), each
//
//   page := PageHeader (Thrift compact), body compressed with the chunk's codec
//   body := [definition levels (ParquetLevels), only for OPTIONAL columns] values
//
// String columns are dictionary-encoded while their chunk's distinct strings fit the dictionary:
// the dictionary page holds the entries PLAIN, and a data page's values are RLE_DICTIONARY (one
// byte of bit width, then the indices as the RLE / bit-packed hybrid). Once the dictionary is full
// the chunk's remaining pages are PLAIN. Other values are PLAIN-encoded: INT64 and DOUBLE as 8 bytes little-endian, BOOLEAN as
// bits (first value in the least significant bit), BYTE_ARRAY as UInt32 length + bytes. Timestamps
// are converted from Tape's nanoseconds to the descriptor's unit (micros: floor division).
// Statistics (null count, min, max) cover the whole chunk, compared as Parquet's TypeDefinedOrder
// says: signed for INT64, numerically for DOUBLE (NaN ignored, a zero min written as -0.0 and a
// zero max as +0.0), false < true, strings as unsigned bytes.

/// Builds one column chunk in memory, page by page, then hands its bytes to the file writer.
struct ParquetColumnChunkWriter {
    let descriptor: ParquetColumnDescriptor
    /// Page headers and compressed bodies, back to back.
    private(set) var bytes: [UInt8] = []
    private var uncompressed = 0
    private var values = 0
    private var nulls = 0
    private var stats = Stats.none
    private var body: [UInt8] = []
    /// The chunk's string dictionary (string columns with dictionaries enabled), and whether a
    /// page has used it / whether it overflowed (later pages PLAIN).
    private var dictionary: ParquetStringDictionary?
    private var dictionaryUsed = false
    private var dictionaryFull = false
    private var plainUsed = false
    private var indices: [UInt32] = []

    private enum Stats {
        case none
        case int(min: Int64, max: Int64)
        case double(min: Double, max: Double)
        case bool(min: Bool, max: Bool)
        case bytes(min: [UInt8], max: [UInt8])
    }

    /// `maxDictionaryEntries` 0 writes strings PLAIN.
    init(descriptor: ParquetColumnDescriptor, maxDictionaryEntries: Int = 0) {
        self.descriptor = descriptor
        if descriptor.column.type == .string && maxDictionaryEntries > 0 {
            dictionary = ParquetStringDictionary(maxEntries: maxDictionaryEntries)
        }
    }

    var isEmpty: Bool { values == 0 }

    /// Appends rows `range` of `column` as one data page.
    mutating func appendPage(_ column: ColumnData, range: Range<Int>, compressor: BufferCompressor) throws {
        body.removeAll(keepingCapacity: true)
        if descriptor.column.nullable {
            ParquetLevels.appendDefinitionLevels(column.validity, range: range, to: &body)
        }
        let encoding: Parquet.Encoding = appendDictionaryIndices(column, range: range) ? .rleDictionary : .plain
        if encoding == .plain {
            appendValues(column, range: range)
            plainUsed = true
        }
        let pageNulls = column.validity == nil ? 0 : range.reduce(0) { $0 + (column.isNull($1) ? 1 : 0) }
        var compressed: [UInt8] = []
        try body.withUnsafeBytes { _ = try compressor.compress($0, appendingTo: &compressed) }
        let header = encodeDataPageHeader(values: range.count, encoding: encoding, uncompressed: body.count,
                                          compressed: compressed.count)
        bytes.append(contentsOf: header)
        bytes.append(contentsOf: compressed)
        uncompressed += header.count + body.count
        values += range.count
        nulls += pageNulls
    }

    /// The chunk's bytes (dictionary page first, if any) and its footer entry once written at
    /// `offset`; the writer is empty afterwards, ready for the next row group.
    mutating func finish(at offset: Int64, codec: Parquet.CompressionCodec,
                         compressor: BufferCompressor) throws -> (bytes: [UInt8], meta: ParquetColumnChunkMeta) {
        var out: [UInt8] = []
        var dictionaryOffset: Int64?
        var total = uncompressed
        if dictionaryUsed, let dictionary {
            let plain = dictionary.plainEncoded()
            var compressed: [UInt8] = []
            try plain.withUnsafeBytes { _ = try compressor.compress($0, appendingTo: &compressed) }
            let header = encodeDictionaryPageHeader(entries: dictionary.count, uncompressed: plain.count,
                                                    compressed: compressed.count)
            out = header + compressed
            total += header.count + plain.count
            dictionaryOffset = offset
        }
        let dataOffset = offset + Int64(out.count)
        out.append(contentsOf: bytes)
        var encodings: [Parquet.Encoding] = dictionaryUsed ? [.plain, .rle, .rleDictionary] : [.plain, .rle]
        if !dictionaryUsed && !descriptor.column.nullable { encodings = [.plain] }
        let (minValue, maxValue) = encodedStats()
        let meta = ParquetColumnChunkMeta(
            physicalType: descriptor.physicalType, path: descriptor.column.name, codec: codec,
            encodings: encodings, numValues: Int64(values),
            uncompressedSize: Int64(total), compressedSize: Int64(out.count), dataPageOffset: dataOffset,
            dictionaryPageOffset: dictionaryOffset, nullCount: Int64(nulls), minValue: minValue, maxValue: maxValue)
        bytes.removeAll(keepingCapacity: true)
        uncompressed = 0
        values = 0
        nulls = 0
        stats = .none
        dictionary?.removeAll()
        dictionaryUsed = false
        dictionaryFull = false
        plainUsed = false
        return (out, meta)
    }

    /// For a string column whose dictionary has room: appends the RLE_DICTIONARY values of rows
    /// `range` to `body` and returns true. False (nothing appended) when the page must be PLAIN;
    /// pages after an overflow stay PLAIN so the dictionary page never changes meaning.
    private mutating func appendDictionaryIndices(_ column: ColumnData, range: Range<Int>) -> Bool {
        guard var dict = dictionary, !dictionaryFull else { return false }
        dictionary = nil  // uniquely referenced while adding
        defer { dictionary = dict }
        indices.removeAll(keepingCapacity: true)
        var local: [UInt32?] = []  // dictionary storage: Tape entry -> chunk index, looked up once
        for r in range where !column.isNull(r) {
            let index: UInt32?
            switch column.storage {
            case .strings(let s):
                index = s.withUTF8(r) { dict.index(of: $0) }
                if index != nil { s.withUTF8(r) { observe(string: $0) } }
            case .dictionary(let entries, let idx):
                let e = Int(idx[r])
                if local.isEmpty { local = Array(repeating: nil, count: entries.count) }
                if let known = local[e] {
                    index = known
                } else {
                    index = entries.withUTF8(e) { dict.index(of: $0) }
                    local[e] = index
                    if index != nil { entries.withUTF8(e) { observe(string: $0) } }
                }
            default:
                return false
            }
            guard let index else {
                dictionaryFull = true
                return false
            }
            indices.append(index)
        }
        let maxIndex = indices.max() ?? 0
        let width = max(1, 32 - maxIndex.leadingZeroBitCount)
        body.append(UInt8(width))
        let values = indices
        ParquetLevels.appendHybrid(count: values.count, bitWidth: width, to: &body) { values[$0] }
        dictionaryUsed = true
        return true
    }

    // MARK: Values

    private mutating func appendValues(_ column: ColumnData, range: Range<Int>) {
        switch column.storage {
        case .int64(let v):
            let micros = descriptor.column.type == .timestamp && descriptor.timestampUnit == .micros
            for r in range where !column.isNull(r) {
                let x = micros ? floorDiv(v[r], 1000) : v[r]
                appendLE(UInt64(bitPattern: x))
                observe(int: x)
            }
        case .float64(let v):
            for r in range where !column.isNull(r) {
                appendLE(v[r].bitPattern)
                observe(double: v[r])
            }
        case .bool(let v):
            var byte: UInt8 = 0, bits = 0
            for r in range where !column.isNull(r) {
                if v[r] { byte |= 1 << UInt8(bits) }
                bits += 1
                if bits == 8 {
                    body.append(byte)
                    byte = 0
                    bits = 0
                }
                observe(bool: v[r])
            }
            if bits > 0 { body.append(byte) }
        case .strings(let s):
            for r in range where !column.isNull(r) { s.withUTF8(r) { appendString($0) } }
        case .dictionary(let entries, let indices):
            for r in range where !column.isNull(r) { entries.withUTF8(Int(indices[r])) { appendString($0) } }
        case .interval(let v):
            // Intervals travel as their text, as every output prints them.
            for r in range where !column.isNull(r) { Array(v[r].description.utf8).withUnsafeBytes { appendString($0) } }
        case .constant:
            appendValues(column.spread(), range: range)
        }
    }

    private mutating func appendString(_ b: UnsafeRawBufferPointer) {
        appendLE32(UInt32(b.count))
        body.append(contentsOf: b)
        observe(string: b)
    }

    private mutating func observe(string b: UnsafeRawBufferPointer) {
        switch stats {
        case .bytes(let lo, let hi):
            if lexicographicallyLess(b, lo) { stats = .bytes(min: Array(b), max: hi) }
            else if lexicographicallyLess(hi, b) { stats = .bytes(min: lo, max: Array(b)) }
        default:
            stats = .bytes(min: Array(b), max: Array(b))
        }
    }

    private mutating func appendLE(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { body.append(contentsOf: $0) }
    }

    private mutating func appendLE32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { body.append(contentsOf: $0) }
    }

    // MARK: Statistics

    private mutating func observe(int x: Int64) {
        if case .int(let lo, let hi) = stats { stats = .int(min: Swift.min(lo, x), max: Swift.max(hi, x)) }
        else { stats = .int(min: x, max: x) }
    }

    private mutating func observe(double x: Double) {
        guard !x.isNaN else { return }
        if case .double(let lo, let hi) = stats { stats = .double(min: Swift.min(lo, x), max: Swift.max(hi, x)) }
        else { stats = .double(min: x, max: x) }
    }

    private mutating func observe(bool x: Bool) {
        if case .bool(let lo, let hi) = stats { stats = .bool(min: lo && x, max: hi || x) }
        else { stats = .bool(min: x, max: x) }
    }

    private func encodedStats() -> ([UInt8]?, [UInt8]?) {
        func le(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        switch stats {
        case .none: return (nil, nil)
        case .int(let lo, let hi): return (le(UInt64(bitPattern: lo)), le(UInt64(bitPattern: hi)))
        case .double(let lo, let hi):
            return (le((lo == 0 ? -0.0 : lo).bitPattern), le((hi == 0 ? 0.0 : hi).bitPattern))
        case .bool(let lo, let hi): return ([lo ? 1 : 0], [hi ? 1 : 0])
        case .bytes(let lo, let hi): return (lo, hi)
        }
    }
}

private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

private func lexicographicallyLess(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Bool {
    b.withUnsafeBytes { a.lexicographicallyPrecedes($0) }
}

private func lexicographicallyLess(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
    a.withUnsafeBytes { $0.lexicographicallyPrecedes(b) }
}
