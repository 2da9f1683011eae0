import TapeCodec
import TapeFormat

/// Reads a sealed `.tape` file: opens by reading the trailer and footer only, then reads just the
/// blocks a caller asks for.
///
/// Every length read from the file is checked against the file size before anything is allocated;
/// any damage surfaces as `TapeError.corrupt` naming the structure and offset. Not thread-safe
/// (one reader per thread; open the same file several times to read in parallel).
public final class TapeReader {
    public let path: String
    public let fileSize: Int
    public let footer: Footer
    /// Where the footer starts (= end of the chunk data).
    public let footerOffset: Int
    public let options: ReaderOptions
    /// False when the file had no footer and was opened with `allowUnsealed`: then `tables` hold
    /// only the complete chunks found by scanning, and `metadata` is that of the last complete
    /// metadata frame (empty when there is none, as in format 1.0 files).
    public let isSealed: Bool
    /// The minor format version in the file header (0 or 1; major is always 1).
    public let formatMinorVersion: UInt16
    /// The one descriptor every read of this reader goes through (`Verifier` scans frames with it).
    let file: RawFile
    let decoder = BlockDecoder()
    var frameBuffer: [UInt8] = []
    /// PAGED predicate blocks page pruning read and checked, for the decode that follows.
    var checkedBlocks = CheckedBlocks()

    /// Another reader of the file `other` was opened on (for another thread: readers are not
    /// thread-safe), sharing its decoded footer: opens the file without reading the footer again.
    /// It reads the same file as `other` (a duplicate of its descriptor), even if a compaction has
    /// since renamed another file over the path.
    public init(reopening other: OpenedTape, options: ReaderOptions? = nil) throws {
        path = other.path
        self.options = options ?? other.options
        file = try other.descriptor.map { try $0.duplicate(path: other.path) } ?? RawFile.openForReading(other.path)
        if other.descriptor == nil, try file.size() != other.fileSize {
            // Opened again by path: the footer read before describes this file only if it is unchanged.
            throw TapeError.invalidArgument("'\(other.path)' changed (\(other.fileSize) bytes when opened, now \(try file.size())) while it was being read; run again")
        }
        fileSize = other.fileSize
        footer = other.footer
        footerOffset = other.footerOffset
        isSealed = other.isSealed
        formatMinorVersion = other.formatMinorVersion
    }

    /// Files up to this size are read whole when opened (one read instead of three).
    static let wholeReadLimit = 64 << 10

    /// Opens the sealed file at `path` (or, with `options.allowUnsealed`, a file without a footer).
    /// Throws `TapeError.locked` when a writer was changing the file's end while it was read.
    public convenience init(path: String, options: ReaderOptions = ReaderOptions()) throws {
        let file = try RawFile.openForReading(path)
        do { try self.init(file: file, options: options) } catch let e as TapeError {
            // Read while a writer held the lock: what looked damaged was the file changing.
            switch e {
            case .corrupt, .io: if file.readWhileLocked { throw TapeError.locked(path: path) }
            default: break
            }
            throw e
        }
    }

    /// Reads the file open at `file`: its footer under the writer lock if `file` holds it, else
    /// under a shared lock when no writer holds it (`file.readWhileLocked` tells when not).
    init(file: RawFile, options: ReaderOptions = ReaderOptions()) throws {
        path = file.path
        self.options = options
        self.file = file
        let shared = file.lockSharedIfFree()
        defer { if shared { file.unlockShared() } }
        fileSize = try file.size()
        let minimal = FileHeader.size + Trailer.size
        guard fileSize >= FileHeader.size else {
            throw TapeError.corrupt(path: path, .truncated(what: "file header", offset: 0, needed: FileHeader.size, available: fileSize))
        }
        // A small file (a sweep's runs are mostly a few KB) is read whole in one call: header,
        // trailer and footer from the same bytes.
        let size = fileSize
        let whole = size <= Self.wholeReadLimit ? try file.read(at: 0, count: size) : nil
        let head = try whole.map { Array($0[0..<FileHeader.size]) } ?? file.read(at: 0, count: FileHeader.size)
        do { formatMinorVersion = try FileHeader.validate(head) } catch { throw TapeError.corrupt(path: path, error) }
        let tail = size < minimal ? [] : try whole.map { Array($0[(size - Trailer.size)...]) }
            ?? file.read(at: size - Trailer.size, count: Trailer.size)
        if fileSize < minimal || Array(tail.suffix(8)) != FileHeader.magic {
            guard options.allowUnsealed else { throw TapeError.unsealed(path: path, size: fileSize) }
            // A file still being written (or whose writer died): the complete chunks only.
            (footer, footerOffset) = try Recovery.consistentPrefix(file, size: fileSize)
            isSealed = false
            return
        }
        isSealed = true
        do {
            let trailer = try Trailer(decoding: tail, fileSize: fileSize)
            footerOffset = Int(trailer.footerOffset)
            // The trailer was validated: its footer lies between the header and the trailer.
            let start = Int(trailer.footerOffset), length = Int(trailer.footerLength)
            let bytes = try whole.map { Array($0[start..<(start + length)]) } ?? file.read(at: start, count: length)
            let crc = bytes.withUnsafeBytes { CRC32C.checksum($0) }
            guard CRC32C.mask(crc) == trailer.footerCRC else {
                throw FormatError.checksumMismatch(what: "footer", offset: footerOffset, stored: trailer.footerCRC, computed: CRC32C.mask(crc))
            }
            var r = ByteReader(bytes, baseOffset: footerOffset)
            footer = try Footer(decoding: &r, dataEnd: footerOffset)
        } catch let e as FormatError {
            throw TapeError.corrupt(path: path, e.inFile(ofMinorVersion: formatMinorVersion))
        }
    }

    /// The file's tables in footer order.
    public var tables: [Footer.TableEntry] { footer.tables }

    /// Run metadata in file order.
    public var metadata: [(key: String, value: String)] { footer.metadata }

    /// The table named `name`; throws `unknownTable`.
    public func table(_ name: String) throws -> Footer.TableEntry {
        guard let t = footer.tables.first(where: { $0.name == name }) else { throw TapeError.unknownTable(name) }
        return t
    }

    /// Decodes column `column` of chunk `chunk` of `table`.
    public func readColumn(_ table: Footer.TableEntry, chunk: Int, column: Int) throws -> ColumnData {
        try readColumns(table, chunk: chunk, columns: [column])[0]
    }

    /// Decodes the given columns of one chunk: all its rows, or only `rows` (then PAGED blocks,
    /// format 1.4, decode only the pages holding them). With `options.verifyChecksums` the whole
    /// chunk frame is read and its CRC checked first; otherwise only the requested blocks are read.
    /// REQUIRES: `rows` lies within the chunk's rows `0..<rowCount`.
    public func readColumns(_ table: Footer.TableEntry, chunk index: Int, columns: [Int], rows: Range<Int>? = nil) throws -> [ColumnData] {
        let c = table.chunks[index]
        let offsets = c.blockOffsets
        do {
            if options.verifyChecksums {
                try readVerifiedFrame(c)
                return try columns.map { col in
                    try decodeBlock(table, c, col, from: frameBuffer, at: offsets[col] - c.frameOffset, offset: offsets[col], rows: rows)
                }
            }
            return try columns.map { col in
                // A block page pruning has just read and checked is decoded from its copy.
                if let held = checkedBlocks.block(at: offsets[col]) {
                    return try decodeBlock(table, c, col, from: held, at: 0, offset: offsets[col], rows: rows, checksumChecked: true)
                }
                try readBlock(c, col, at: offsets[col])
                return try decodeBlock(table, c, col, from: frameBuffer, at: 0, offset: offsets[col], rows: rows)
            }
        } catch let e as FormatError {
            throw TapeError.corrupt(path: path, e.inFile(ofMinorVersion: formatMinorVersion))
        }
    }

    /// Reads chunk `index`'s frame once, checks its CRC, then decodes its blocks one at a time,
    /// handing each to `body` with its column index: memory holds the frame and a single decoded
    /// block, never the whole chunk (what `verify` needs on a file of many wide chunks).
    /// A PAGED block (format 1.4) comes with its page directory, whose page statistics the caller
    /// can check against the rows.
    func forEachVerifiedBlock(_ table: Footer.TableEntry, chunk index: Int,
                              _ body: (Int, ColumnData, PageDirectory?) throws -> Void) throws {
        let c = table.chunks[index]
        do {
            try readVerifiedFrame(c)
            for (col, offset) in c.blockOffsets.enumerated() {
                let data = try decodeBlock(table, c, col, from: frameBuffer, at: offset - c.frameOffset, offset: offset)
                var directory: PageDirectory?
                let d = c.blocks[col]
                if d.encoding == PageDirectory.encodingID {
                    let start = offset - c.frameOffset
                    directory = try frameBuffer.withUnsafeBytes { (buf: UnsafeRawBufferPointer) throws(FormatError) -> PageDirectory in
                        try BlockDecoder.pageDirectory(UnsafeRawBufferPointer(rebasing: buf[start..<(start + d.storedLength)]), descriptor: d,
                                                       type: table.schema[col].type, rowCount: c.rowCount, offset: offset)
                    }
                }
                try body(col, data, directory)
            }
        } catch let e as FormatError {
            throw TapeError.corrupt(path: path, e.inFile(ofMinorVersion: formatMinorVersion))
        }
    }

    /// Reads the stored bytes of block `col` of chunk `c` (at file offset `offset`) into the start
    /// of `frameBuffer`.
    func readBlock(_ c: Footer.ChunkEntry, _ col: Int, at offset: Int) throws {
        let stored = c.blocks[col].storedLength   // inside the file: the footer was checked
        if frameBuffer.count < stored { frameBuffer = [UInt8](repeating: 0, count: stored) }
        try frameBuffer.withUnsafeMutableBytes { buf in
            try file.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buf[0..<stored]))
        }
    }

    /// Reads the chunk frame into `frameBuffer` and checks its magic, lengths and CRC.
    func readVerifiedFrame(_ c: Footer.ChunkEntry) throws {
        if frameBuffer.count < c.frameLength { frameBuffer = [UInt8](repeating: 0, count: c.frameLength) }
        try frameBuffer.withUnsafeMutableBytes { buf in
            try file.read(at: c.frameOffset, into: UnsafeMutableRawBufferPointer(rebasing: buf[0..<c.frameLength]))
        }
        try frameBuffer.withUnsafeBytes { buf in
            let frame = UnsafeRawBufferPointer(rebasing: buf[0..<c.frameLength])
            guard frame.starts(with: ChunkHeader.magic) else {
                throw FormatError.badMagic(what: "chunk frame", offset: c.frameOffset)
            }
            let body = c.frameLength - ChunkHeader.suffixSize
            let stored = frame.loadUnaligned(fromByteOffset: body, as: UInt32.self).littleEndian
            let computed = CRC32C.mask(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: frame[0..<body])))
            guard stored == computed else {
                throw FormatError.checksumMismatch(what: "chunk frame", offset: c.frameOffset, stored: stored, computed: computed)
            }
        }
    }

    /// Decodes block `col` of chunk `c`, whose stored bytes start at `start` in `buffer` and at
    /// `offset` in the file (`checksumChecked`: the block's own checksum was checked already).
    private func decodeBlock(_ table: Footer.TableEntry, _ c: Footer.ChunkEntry, _ col: Int, from buffer: [UInt8], at start: Int,
                             offset: Int, rows: Range<Int>? = nil, checksumChecked: Bool = false) throws -> ColumnData {
        let d = c.blocks[col]
        let type = table.schema[col].type
        try checkRawLength(d, type, c, offset: offset)
        return try buffer.withUnsafeBytes { (buf: UnsafeRawBufferPointer) throws -> ColumnData in
            let stored = UnsafeRawBufferPointer(rebasing: buf[start..<(start + d.storedLength)])
            return try decoder.decode(stored, descriptor: d, type: type, rowCount: c.rowCount, offset: offset, rows: rows,
                                      checksumChecked: checksumChecked)
        }
    }

    /// Refuses raw lengths no valid block of this type and row count could have (format-spec §7),
    /// so a corrupt length cannot make the decoder allocate without bound.
    private func checkRawLength(_ d: BlockDescriptor, _ type: ColumnType, _ c: Footer.ChunkEntry, offset: Int) throws(FormatError) {
        // A PAGED block is stored as is (its bytes are in memory already); the decoder checks each
        // page's raw length before decompressing it.
        guard d.encoding != PageDirectory.encodingID else { return }
        let limit = RawLengthLimit.limit(type: type, rowCount: c.rowCount, codec: d.codec, storedLength: d.storedLength)
        guard d.rawLength <= limit else {
            throw .outOfBounds(what: "block raw length", offset: offset, value: UInt64(d.rawLength), limit: UInt64(limit))
        }
    }

    /// Starts a streaming scan of `table`: only `columns` (all when nil) of only the chunks (and,
    /// format 1.4, pages) whose zone maps may satisfy every predicate are read; rows are filtered
    /// by `predicates` exactly. `skipBy` predicates only skip chunks and pages (rows the caller
    /// filters itself, e.g. by the SQL condition they were derived from).
    public func scan(_ table: String, columns: [String]? = nil, where predicates: [ColumnPredicate] = [],
                     skipBy: [ColumnPredicate] = []) throws -> TableScan {
        try TableScan(reader: self, table: try self.table(table), columns: columns, predicates: predicates, skipBy: skipBy)
    }
}

/// How a `TapeReader` reads blocks.
public struct ReaderOptions: Sendable {
    /// Read whole chunk frames and check their CRC before decoding (costs reading unprojected
    /// columns too). The footer's CRC is always checked.
    public var verifyChecksums: Bool
    /// Open a file without a footer (still being written, or its writer died) read-only, seeing
    /// the chunks completed so far — every one of them checksum-verified by the scan — instead of
    /// throwing `TapeError.unsealed`. A chunk being written is never seen half-done: its CRC
    /// only holds once all of it is on disk.
    public var allowUnsealed: Bool

    public init(verifyChecksums: Bool = false, allowUnsealed: Bool = false) {
        self.verifyChecksums = verifyChecksums
        self.allowUnsealed = allowUnsealed
    }
}
