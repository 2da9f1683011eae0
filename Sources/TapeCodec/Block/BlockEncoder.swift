import TapeFormat

/// Turns one column's rows into a stored block (format-spec §3.2, §3.3, §5): validity bitmap (when
/// some row is null), the dense non-null values in the chosen encoding, then compression — dropped
/// when it does not save at least 1/8 of the raw payload.
///
/// Reusable per writer: owns a zstd context and scratch buffers that are kept between blocks.
/// Not thread-safe; use one per thread.
public final class BlockEncoder {
    /// The codec blocks are compressed with (a block is stored uncompressed when that pays better).
    public let codec: Codec

    private var raw = RawWriter(capacity: 1 << 16)
    private var packed = RawWriter(capacity: 1 << 12)
    private var denseInts = Scratch<Int64>()
    private var denseDoubles = Scratch<Double>()
    private var decimalInts = Scratch<Int64>()
    private var indices = Scratch<UInt32>()
    private var remap = Scratch<Int32>()
    private var dictionary = DictionaryBuilder()
    private lazy var zstd: ZstdCompressor? = ZstdCompressor()

    /// Floats sampled to decide between PLAIN and BYTE_STREAM_SPLIT under a codec.
    static let floatSampleCount = 2048

    /// Rows per page of a PAGED block (format 1.4, format-spec §5.5): an int64, timestamp,
    /// duration or float64 block of more rows is stored as independent pages of this many rows, so
    /// readers decode only the pages a row range needs. 0 (the default) never pages.
    public let rowsPerPage: Int

    /// Pages of a PAGED block compressed together as one group (format 1.5, format-spec §5.5), so
    /// a full scan sets up one zstd frame per group instead of one per page; 0 writes the format
    /// 1.4 form (each page compressed on its own).
    public let pagesPerGroup: Int

    /// The default `pagesPerGroup`: one frame per 16,384 rows of 4,096-row pages.
    public static let defaultPagesPerGroup = 4

    public init(codec: Codec, rowsPerPage: Int = 0, pagesPerGroup: Int = BlockEncoder.defaultPagesPerGroup) {
        self.codec = codec
        self.rowsPerPage = max(0, rowsPerPage)
        self.pagesPerGroup = max(0, pagesPerGroup)
    }

    /// Encodes all rows of `column` as one block and appends the stored bytes to `body` (a PAGED
    /// block when `rowsPerPage` says so).
    ///
    /// Picks the encoding automatically unless `encoding` is given; a forced encoding that does not
    /// support the column's type, or DECIMAL on values that are not exact decimals, falls back to the
    /// automatic choice. Returns the descriptor, with the block's statistics.
    /// REQUIRES: `column.storage` matches `column.type`; `validity`, if any, has one bit per row;
    /// dictionary indices of non-null rows are in range.
    public func encode(_ column: ColumnData, encoding: Encoding? = nil, into body: inout ByteWriter) -> BlockDescriptor {
        if rowsPerPage > 0 && column.count > rowsPerPage && (column.type.hasInt64Storage || column.type == .float64) {
            return encodePaged(column, encoding: encoding, into: &body)
        }
        return encodeSingle(column, encoding: encoding, into: &body)
    }

    /// Encodes `column` as one block that is not PAGED (or as one page of a PAGED block), kept
    /// compressed when that saves at least 1/`minSaving` of the raw payload (never compressed when
    /// `compressing` is false: a page of a group, which is compressed with its group).
    func encodeSingle(_ column: ColumnData, encoding: Encoding?, minSaving: Int = 8, compressing: Bool = true,
                      into body: inout ByteWriter) -> BlockDescriptor {
        let n = column.count
        let nullCount = column.nullCount
        let validity = nullCount > 0 ? column.validity : nil
        if let validity { precondition(validity.count == n, "validity has \(validity.count) bits for \(n) rows") }
        let m = n - nullCount
        let forced = encoding.flatMap { $0.supports(column.type) ? $0 : nil }

        raw.removeAll()
        if let validity {
            validity.words.withUnsafeBytes { raw.write(UnsafeRawBufferPointer(rebasing: $0[0..<((n + 7) / 8)])) }
        }

        let chosen: Encoding
        let stats: ColumnStats
        switch column.storage {
        case .int64(let values):
            precondition(column.type.hasInt64Storage, "int64 storage for a \(column.type) column")
            (chosen, stats) = values.withUnsafeBufferPointer { src in
                let dense = validity.map { compact(src, $0, into: denseInts.prepare(n)) } ?? src
                return (encodeInts(dense, forced: forced), StatsBuilder.int64(dense))
            }
        case .float64(let values):
            precondition(column.type == .float64, "float64 storage for a \(column.type) column")
            (chosen, stats) = values.withUnsafeBufferPointer { src in
                let dense = validity.map { compact(src, $0, into: denseDoubles.prepare(n)) } ?? src
                return (encodeDoubles(dense, forced: forced), StatsBuilder.float64(dense))
            }
        case .bool(let values):
            precondition(column.type == .bool, "bool storage for a \(column.type) column")
            let dense = validity.map { values.compacted(by: $0) } ?? values
            precondition(dense.count == m)
            PlainEncoding.encodeBools(dense, into: &raw)
            stats = StatsBuilder.bool(dense)
            chosen = .plain
        case .strings(let strings):
            precondition(column.type == .string, "string storage for a \(column.type) column")
            (chosen, stats) = encodeStrings(strings, validity: validity, nonNullCount: m, forced: forced)
        case .dictionary(let entries, let rowIndices):
            precondition(column.type == .string, "dictionary storage for a \(column.type) column")
            (chosen, stats) = encodeDictionary(entries: entries, indices: rowIndices, validity: validity,
                                               nonNullCount: m, forced: forced)
        case .interval, .constant:
            preconditionFailure("query-only storage for a \(column.type) column (the writer refuses it)")
        }

        let rawLength = raw.count
        var codecId: UInt8 = 0
        let stored: UnsafeRawBufferPointer
        if compressing, let compressed = compress(raw.bytes, minSaving: minSaving) {
            codecId = codec.id
            stored = compressed
        } else {
            stored = raw.bytes
        }
        body.writeBytes(stored)
        return BlockDescriptor(encoding: chosen.rawValue, codec: codecId, storedLength: stored.count,
                               rawLength: rawLength, nullCount: nullCount, stats: stats,
                               checksum: CRC32C.mask(CRC32C.checksum(stored)))
    }

    // MARK: - Compression

    /// Compresses `src` into `packed` and returns it, or nil when the codec is none, fails, or does
    /// not save at least 1/`minSaving` (1/8 for a block, format-spec §3.3; 1/32 for a page, §5.5).
    func compress(_ src: UnsafeRawBufferPointer, minSaving: Int) -> UnsafeRawBufferPointer? {
        guard src.count > 0, let size = compressedSize(src), size <= src.count - src.count / minSaving else { return nil }
        return packed.bytes
    }

    /// Compresses `src` into `packed` with the codec; nil for codec none or a library failure.
    private func compressedSize(_ src: UnsafeRawBufferPointer) -> Int? {
        packed.removeAll()
        switch codec {
        case .none:
            return nil
        case .lz4:
            let bound = LZ4.bound(src.count)
            guard bound > 0 else { return nil }
            packed.reserve(bound)
            guard let size = try? LZ4.compress(src, into: UnsafeMutableRawBufferPointer(start: packed.end, count: bound)) else { return nil }
            packed.advance(size)
            return size
        case .zstd(let level):
            guard let zstd else { return nil }
            let bound = ZstdCompressor.bound(src.count)
            packed.reserve(bound)
            guard let size = try? zstd.compress(src, into: UnsafeMutableRawBufferPointer(start: packed.end, count: bound), level: level) else { return nil }
            packed.advance(size)
            return size
        }
    }

    // MARK: - Fixed-width values

    /// Copies the values of valid rows to `dst` and returns them as a buffer.
    private func compact<T>(_ src: UnsafeBufferPointer<T>, _ validity: Bitmap, into dst: UnsafeMutablePointer<T>) -> UnsafeBufferPointer<T> {
        var j = 0
        validity.words.withUnsafeBufferPointer { words in
            for i in 0..<src.count {
                dst[j] = src[i]  // branch-free: overwritten unless the row is valid
                j += Int((words[i >> 6] >> UInt64(i & 63)) & 1)
            }
        }
        return UnsafeBufferPointer(start: dst, count: j)
    }

    /// DELTA unless PLAIN is smaller (or forced PLAIN).
    private func encodeInts(_ v: UnsafeBufferPointer<Int64>, forced: Encoding?) -> Encoding {
        let m = v.count
        if m > 0 && forced != .plain {
            let start = raw.count
            DeltaEncoding.encode(v, into: &raw)
            if forced == .delta || raw.count - start <= 8 * m { return .delta }
            raw.truncate(to: start)
        }
        v.withMemoryRebound(to: UInt64.self) { PlainEncoding.encodeFixed($0, into: &raw) }
        return .plain
    }

    /// DECIMAL when every value is an exact decimal (and that is smaller), else BYTE_STREAM_SPLIT or
    /// PLAIN, whichever compresses better on a sample (PLAIN without a codec: same size, faster).
    private func encodeDoubles(_ v: UnsafeBufferPointer<Double>, forced: Encoding?) -> Encoding {
        let m = v.count
        let start = raw.count
        if m > 0 && (forced == nil || forced == .decimal) {
            let ints = decimalInts.prepare(m)
            if let e = DecimalEncoding.scale(v, into: ints) {
                DecimalEncoding.encode(exponent: e, ints: UnsafeBufferPointer(start: ints, count: m), into: &raw)
                if forced == .decimal || raw.count - start <= 8 * m { return .decimal }
                raw.truncate(to: start)
            }
        }
        return v.withMemoryRebound(to: UInt64.self) { bits -> Encoding in
            let layout: Encoding
            switch forced {
            case .plain?, .byteStreamSplit?: layout = forced ?? .plain
            default: layout = m == 0 ? .plain : chooseFloatLayout(bits)
            }
            if layout == .byteStreamSplit {
                ByteStreamSplit.encode(bits, into: &raw)
            } else {
                PlainEncoding.encodeFixed(bits, into: &raw)
            }
            return layout
        }
    }

    /// Compresses a sample both ways with the codec and keeps the smaller (ties: byte stream split).
    private func chooseFloatLayout(_ bits: UnsafeBufferPointer<UInt64>) -> Encoding {
        if codec == .none { return .plain }
        let sample = UnsafeBufferPointer(rebasing: bits[0..<min(bits.count, Self.floatSampleCount)])
        guard let plainSize = compressedSize(UnsafeRawBufferPointer(sample)) else { return .byteStreamSplit }
        let start = raw.count
        ByteStreamSplit.encode(sample, into: &raw)
        let splitSize = compressedSize(UnsafeRawBufferPointer(rebasing: raw.bytes[start...]))
        raw.truncate(to: start)
        guard let splitSize else { return .byteStreamSplit }
        return plainSize < splitSize ? .plain : .byteStreamSplit
    }

    // MARK: - Strings

    /// The automatic choice allows a dictionary of at most this many entries for `m` values.
    private static func dictionaryLimit(_ m: Int) -> Int {
        min(max(1, m / 2), DictionaryEncoding.maxAutomaticEntries)
    }

    private func encodeStrings(_ s: StringArray, validity: Bitmap?, nonNullCount m: Int, forced: Encoding?) -> (Encoding, ColumnStats) {
        s.bytes.withUnsafeBytes { bytes in
            s.offsets.withUnsafeBufferPointer { offsets in
                let rows = offsets.count - 1
                if m > 0 && (forced == nil || forced == .dictionary) {
                    let limit = forced == .dictionary ? m : Self.dictionaryLimit(m)
                    let idx = indices.prepare(m)
                    if dictionary.build(bytes: bytes, offsets: offsets, validity: validity, limit: limit, indices: idx) {
                        var plainSize = 0
                        for i in 0..<rows where validity?[i] ?? true {
                            let len = Int(offsets[i + 1] &- offsets[i])
                            plainSize += len + varintSize(UInt64(len))
                        }
                        let d = dictionary
                        let dictSize = DictionaryEncoding.encodedSize(entryCount: d.entryCount, entryPlainBytes: d.entryPlainBytes, count: m)
                        if forced == .dictionary || dictSize < plainSize {
                            DictionaryEncoding.encode(entryCount: d.entryCount, entryBytes: d.entryBytes, bytes: bytes,
                                                      entries: { each in for k in 0..<d.entryCount { each(d.entryStart[k], d.entryEnd[k]) } },
                                                      indices: UnsafeBufferPointer(start: idx, count: m), into: &raw)
                            let stats = StatsBuilder.strings(bytes, count: d.entryCount) { (d.entryStart[$0], d.entryEnd[$0]) }
                            return (.dictionary, stats)
                        }
                    }
                }
                // PLAIN over the non-null rows.
                var total = 0
                var firstValid = -1
                for i in 0..<rows where validity?[i] ?? true {
                    total += Int(offsets[i + 1] &- offsets[i])
                    if firstValid < 0 { firstValid = i }
                }
                PlainEncoding.encodeStrings(count: m, byteTotal: total, bytes: bytes, ranges: { each in
                    for i in 0..<rows where validity?[i] ?? true { each(Int(offsets[i]), Int(offsets[i + 1])) }
                }, into: &raw)
                var stats = ColumnStats.empty
                if firstValid >= 0 {
                    var row = firstValid
                    stats = StatsBuilder.strings(bytes, count: m) { k in
                        if k > 0 {  // k-th valid row: rows are visited in order
                            row += 1
                            while !(validity?[row] ?? true) { row += 1 }
                        }
                        return (Int(offsets[row]), Int(offsets[row + 1]))
                    }
                }
                return (.plain, stats)
            }
        }
    }

    private func encodeDictionary(entries: StringArray, indices rowIndices: [UInt32], validity: Bitmap?,
                                  nonNullCount m: Int, forced: Encoding?) -> (Encoding, ColumnStats) {
        let entryCount = entries.count
        let rows = rowIndices.count
        // remap[e]: -1 unused, else the entry's number among the used ones (in entry order).
        let map = remap.prepare(entryCount)
        map.update(repeating: -1, count: entryCount)
        var maxIndex: UInt32 = 0
        for i in 0..<rows where validity?[i] ?? true {
            let e = rowIndices[i]
            maxIndex = max(maxIndex, e)
            if Int(e) < entryCount { map[Int(e)] = 0 }
        }
        precondition(m == 0 || Int(maxIndex) < entryCount, "dictionary index \(maxIndex) out of range (\(entryCount) entries)")
        var used = 0
        var usedPlainBytes = 0
        var usedBytes = 0
        for e in 0..<entryCount where map[e] >= 0 {
            map[e] = Int32(used)
            used += 1
            let len = Int(entries.offsets[e + 1] &- entries.offsets[e])
            usedBytes += len
            usedPlainBytes += len + varintSize(UInt64(len))
        }
        return entries.bytes.withUnsafeBytes { bytes -> (Encoding, ColumnStats) in
            let offsets = entries.offsets
            // Entry numbers of the used entries, in order.
            let usedList = remapList(map, entryCount: entryCount, used: used)
            let stats = StatsBuilder.strings(bytes, count: used) { k in
                let e = Int(usedList[k])
                return (Int(offsets[e]), Int(offsets[e + 1]))
            }
            if m > 0 && (forced == nil || forced == .dictionary) {
                var plainSize = 0
                for i in 0..<rows where validity?[i] ?? true {
                    let e = Int(rowIndices[i])
                    let len = Int(offsets[e + 1] &- offsets[e])
                    plainSize += len + varintSize(UInt64(len))
                }
                let dictSize = DictionaryEncoding.encodedSize(entryCount: used, entryPlainBytes: usedPlainBytes, count: m)
                if forced == .dictionary || (used <= Self.dictionaryLimit(m) && dictSize < plainSize) {
                    let idx = indices.prepare(m)
                    var j = 0
                    for i in 0..<rows where validity?[i] ?? true {
                        idx[j] = UInt32(map[Int(rowIndices[i])])
                        j += 1
                    }
                    DictionaryEncoding.encode(entryCount: used, entryBytes: usedBytes, bytes: bytes,
                                              entries: { each in for k in 0..<used { let e = Int(usedList[k]); each(Int(offsets[e]), Int(offsets[e + 1])) } },
                                              indices: UnsafeBufferPointer(start: idx, count: m), into: &raw)
                    return (.dictionary, stats)
                }
            }
            var total = 0
            for i in 0..<rows where validity?[i] ?? true {
                let e = Int(rowIndices[i])
                total += Int(offsets[e + 1] &- offsets[e])
            }
            PlainEncoding.encodeStrings(count: m, byteTotal: total, bytes: bytes, ranges: { each in
                for i in 0..<rows where validity?[i] ?? true {
                    let e = Int(rowIndices[i])
                    each(Int(offsets[e]), Int(offsets[e + 1]))
                }
            }, into: &raw)
            return (.plain, stats)
        }
    }

    /// The entry numbers whose `map` value is ≥ 0, in order.
    private func remapList(_ map: UnsafeMutablePointer<Int32>, entryCount: Int, used: Int) -> [Int32] {
        var list: [Int32] = []
        list.reserveCapacity(used)
        for e in 0..<entryCount where map[e] >= 0 { list.append(Int32(e)) }
        return list
    }
}
