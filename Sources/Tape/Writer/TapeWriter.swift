import Dispatch
import Foundation
import TapeCodec
import TapeFormat

#if canImport(Glibc)
import Glibc
#endif

/// Streams the tables of one run into a `.tape` file.
///
/// Memory is bounded by one chunk buffer per table, whatever the run length. `close()` writes the
/// footer and returns a small `RunSummary` (what an orchestrator should return instead of the data).
/// Any error while writing a chunk leaves every earlier chunk intact on disk (the file is then
/// unsealed; see format-spec §4). Not thread-safe: use one writer from one thread.
///
///     let w = try TapeWriter(path: "run.tape", metadata: ["strategy": "sma"])
///     let equity = try w.declareTable("equity", schema: try Schema([ColumnDef("ts", .timestamp, nullable: false),
///                                                                 ColumnDef("equity", .float64)]))
///     try equity.appendRow { row in try row.set(0, timestamp: ts); try row.set(1, double: 100) }
///     let summary = try w.close()
public final class TapeWriter {
    public let path: String
    public let options: WriterOptions
    private let file: RawFile
    private var position: Int
    private var tables: [TableWriter] = []
    private var tableByName: [String: TableWriter] = [:]
    /// Tables with buffered rows, oldest first (`maxChunkLag`), and whether it is being drained.
    private var lagQueue = ChunkLagQueue()
    private var drainingLag = false
    /// Tables carried over from an earlier session of the same file (append mode), in file order.
    private var carried: [Footer.TableEntry] = []
    private var metadata: [(key: String, value: String)] = []
    /// Position of each key in `metadata`, for its first `metadataIndexed` entries (`setMetadata`).
    private var metadataIndex: [String: Int] = [:]
    private var metadataIndexed = 0
    /// The metadata changed since the last metadata frame; the next chunk is preceded by a new one.
    private var metadataDirty = false
    /// Encoded bytes of `metadata`'s pairs (without their count), kept within a metadata frame's limit.
    private var metadataBytes = 0
    /// The file's use of the format's index limits.
    private var indexBudget: IndexBudget
    /// Tables declared since the last schema frame (format-spec §3.5), written before the next
    /// chunk of another table and before the footer.
    private var pendingSchemas: [SchemaFrame.Table] = []
    private var sections: [(tag: UInt64, bytes: [UInt8])] = []
    /// One encoder per worker; worker 0 runs on the writer's thread.
    private let encoders: [SharedEncoder]
    /// Per-column output of the chunk being encoded, reused across chunks.
    private var columnBodies: [ByteWriter] = []
    private var scratch = ByteWriter(capacity: 1 << 16)
    private var body = ByteWriter(capacity: 1 << 20)
    private var closed = false
    /// Chunk frames written by this writer so far.
    private(set) var chunksWritten = 0
    /// File length at the last successful fsync (0 before the first): what survives a power cut.
    /// With durability `.chunk` it advances after every chunk and metadata frame.
    public private(set) var durableLength = 0
    private var failed: Error?
    private var progressTable = "equity"
    private var expectedBars: Int?
    private let startNanos = monotonicNanos()
    /// The sealed state of a file opened for appending, restored by `abandon()`.
    private var original: (dataEnd: Int, footer: Footer)?
    /// Run metrics, fed as equity/trades chunks are flushed and stored at close (Metrics/).
    var metricsRecorder: MetricsRecorder

    /// Creates a new file at `path` (replacing any file there) and takes its writer lock.
    public convenience init(path: String, options: WriterOptions = WriterOptions(), metadata: [String: String] = [:]) throws {
        try self.init(newRunAt: path, replacing: true, options: options, metadata: metadata)
    }

    /// Creates a new run at `path`, holding its writer lock until `close()`. With `replacing`
    /// false, fails with `TapeError.io` (EEXIST) when a file is already there; with `replacing`
    /// true, an existing file is replaced once no other writer holds it (else `TapeError.locked`).
    ///
    /// The new file is made beside `path` under a temporary name (`AtomicReplacement`), locked and
    /// given its header and first metadata frame, and only then renamed (or, without
    /// `replacing`, hard-linked) to `path`: a reader of an older file at `path` keeps reading that
    /// file whole, and no other writer ever finds `path` unlocked and empty. A symbolic link at
    /// `path` is kept: its target is replaced.
    public convenience init(newRunAt path: String, replacing: Bool, options: WriterOptions = WriterOptions(),
                            metadata: [String: String] = [:]) throws {
        try options.validate()
        let target = RawFile.resolvingLinks(path)
        // Keep other writers of the file being replaced out until the new one has taken its place.
        var previous: RawFile?
        if replacing {
            do { previous = try RawFile.openLocked(target, access: .readOnly) } catch TapeError.io(_, _, ENOENT) {}
        }
        let temporary = try AtomicReplacement(replacing: target, purpose: AtomicReplacement.newRunPurpose)
        try temporary.file.lockExclusive()
        try self.init(newFile: temporary.file, path: path, options: options, metadata: metadata)
        try temporary.publish(replacingExisting: replacing, durable: options.durability != .none)
        try previous?.close()
    }

    /// A writer of the new, empty file `file` (already holding its writer lock): writes the file
    /// header and the first metadata frame.
    init(newFile file: RawFile, path: String, options: WriterOptions, metadata: [String: String] = [:]) throws {
        try options.validate()
        self.path = path
        self.options = options
        encoders = (0..<options.encodingThreads).map { _ in SharedEncoder(codec: options.codec, rowsPerPage: options.rowsPerPage, pagesPerGroup: options.pagesPerGroup) }
        metricsRecorder = MetricsRecorder(options: options.metrics)
        self.file = file
        var header = ByteWriter()
        FileHeader.encode(into: &header)
        try file.write(header.bytes)
        position = FileHeader.size
        indexBudget = IndexBudget(maxEntries: options.indexEntryLimit)
        for (k, v) in [("tape.writer", "tape \(TapeVersion.string)"), ("tape.created", isoNow())] + metadata.sorted(by: { $0.key < $1.key }) {
            try setMetadata(k, v)
        }
        try writeMetadataFrame()
    }

    /// Opens an existing sealed file to add tables or rows: its footer is read, the file is cut
    /// back to the end of its last chunk, and the next `close()` writes a footer covering old and
    /// new chunks. Until then the file is unsealed (recoverable by scanning its frames): a metadata
    /// frame with the file's metadata is written first, so a killed append keeps it. A 1.0 file's
    /// header is updated to the current format version.
    ///
    /// The writer lock is taken first (`RawFile.openLocked`: on the file the path names, even if a
    /// compaction renamed a new one over it meanwhile) and the footer read only then, through the
    /// locked descriptor; another writer of the file makes this throw `TapeError.locked`.
    public convenience init(appendingTo path: String, options: WriterOptions = WriterOptions()) throws {
        try options.validate()
        try self.init(appending: try RawFile.openLocked(path, access: .readWrite), path: path, options: options)
    }

    /// A writer appending to the sealed file open at `file`, whose writer lock the caller took
    /// (`RawFile.openLocked`) and hands over: the writer holds it until it closes. `metrics`, when
    /// given, replaces the recorder that feeds the file's rows first (`resume` rebuilds one).
    init(appending file: RawFile, path: String, options: WriterOptions, metrics: MetricsRecorder? = nil) throws {
        try options.validate()
        self.path = path
        self.options = options
        encoders = (0..<options.encodingThreads).map { _ in SharedEncoder(codec: options.codec, rowsPerPage: options.rowsPerPage, pagesPerGroup: options.pagesPerGroup) }
        self.file = file
        let existing = try TapeReader(file: file)
        // Metrics of the whole run: the file's rows are fed first when equity/trades rows are added.
        metricsRecorder = metrics ?? MetricsRecorder(appendingTo: existing, options: options.metrics)
        metadata = existing.footer.metadata
        metadataBytes = metadata.reduce(0) { $0 + Self.encodedSize($1.key) + Self.encodedSize($1.value) }
        sections = existing.footer.sections
        carried = existing.footer.tables
        indexBudget = IndexBudget(maxEntries: options.indexEntryLimit)
        indexBudget.carry(carried)
        try indexBudget.setSections(sections, path: path)
        original = (existing.footerOffset, existing.footer)
        position = existing.footerOffset
        if existing.formatMinorVersion < FileHeader.minorVersion {
            var header = ByteWriter()
            FileHeader.encode(into: &header)
            try file.seek(to: 0)
            try file.write(header.bytes)
        }
        try file.truncate(to: position)
        try file.seek(to: position)
        // Tables without chunks live only in the footer just cut: declare them again.
        pendingSchemas = existing.footer.tables.filter { $0.chunks.isEmpty }.map { ($0.name, $0.schema) }
        metadataDirty = true   // the file's metadata, so that a killed append keeps it
        try writePendingFrames(before: nil)
    }

    /// Declares a table. Tables may be declared at any point of a run; names are unique per file.
    /// A table that already exists in a file opened with `appendingTo` gets new rows appended after
    /// its existing ones, if `schema` is identical.
    public func declareTable(_ name: String, schema: Schema) throws -> TableWriter {
        try checkOpen()
        if let problem = NameRules.problem(name) {
            throw TapeError.invalidArgument("invalid table name \(NameRules.quoted(name)): \(problem)")
        }
        guard tableByName[name] == nil else { throw TapeError.tableExists(name) }
        let t = TableWriter(name: name, schema: schema, file: self)
        if let i = carried.firstIndex(where: { $0.name == name }) {
            let old = carried.remove(at: i)
            guard old.schema == schema else {
                throw TapeError.invalidArgument("table '\(name)' exists with a different schema")
            }
            t.chunks = old.chunks
            t.adoptFlushedRows(old.rowCount)
        } else {
            try indexBudget.declare(name, schema, path: path)
            pendingSchemas.append((name, schema))
        }
        tables.append(t)
        tableByName[name] = t
        return t
    }

    /// Declares a table from column definitions.
    public func declareTable(_ name: String, columns: [ColumnDef]) throws -> TableWriter {
        do { return try declareTable(name, schema: try Schema(columns)) } catch let e as SchemaError {
            throw TapeError.schema(table: name, e)
        }
    }

    /// The table writer for `name`, if declared.
    public func table(_ name: String) -> TableWriter? { tableByName[name] }

    /// The schema of table `name` as the file already holds it (append mode, resume) while it has
    /// not been declared again in this session; nil otherwise.
    public func carriedSchema(_ name: String) -> Schema? { carried.first { $0.name == name }?.schema }

    /// Names of tables already in the file (append mode) and declared so far.
    public var tableNames: [String] { carried.map(\.name) + tables.map(\.name) }

    /// Sets footer section `tag` to `bytes` (replacing it), e.g. to carry sections over when
    /// rewriting a file. Tag 1 (metrics) is replaced at close when this writer computes metrics.
    /// Sections count against the footer's 64 MiB (format-spec §7) with the file's tables and
    /// chunks: throws, changing nothing, when they would pass it (and a later row that would start
    /// a chunk past it is refused).
    public func setSection(_ tag: UInt64, _ bytes: [UInt8]) throws {
        var updated = sections
        updated.removeAll { $0.tag == tag }
        updated.append((tag, bytes))
        try indexBudget.setSections(updated, path: path)
        sections = updated
    }

    /// Sets a run metadata key (strategy, symbol, parameters, ...); a later value replaces an earlier one.
    /// A change is written to the file as a metadata frame before the next chunk (and at close),
    /// so it survives the writer being killed once that chunk is on disk. Throws, changing
    /// nothing, when the metadata would pass the format's limits (format-spec §7: at most
    /// 65,536 pairs, encoded within a metadata frame's 4 MiB).
    public func setMetadata(_ key: String, _ value: String) throws {
        // Index the entries added since the last call (first occurrence wins, as firstIndex did):
        // a linear search per key made a $metadata record with n keys cost O(n²).
        while metadataIndexed < metadata.count {
            if metadataIndex[metadata[metadataIndexed].key] == nil { metadataIndex[metadata[metadataIndexed].key] = metadataIndexed }
            metadataIndexed += 1
        }
        let existing = metadataIndex[key]
        let bytes = metadataBytes + Self.encodedSize(value)
            + (existing.map { -Self.encodedSize(metadata[$0].value) } ?? Self.encodedSize(key))
        let count = metadata.count + (existing == nil ? 1 : 0)
        // Keys of the run leave room for those Tape adds later (`tape.cancelled`, `tape.recovered`, …).
        let own = key.hasPrefix("tape.")
        let maxPairs = IndexLimits.maxMetadataPairs - (own ? 0 : Self.reservedMetadataPairs)
        let maxBytes = IndexLimits.maxMetadataBytes - (own ? 0 : Self.reservedMetadataBytes)
        guard count <= maxPairs, Self.encodedSize(count) + bytes <= maxBytes else {
            throw TapeError.invalidArgument("metadata key \(NameRules.quoted(key)) of '\(path)' not set: a run's metadata may hold at most "
                + "\(maxPairs) keys and \(maxBytes) bytes (format-spec §7, less room kept for Tape's own keys); this value makes "
                + "\(count) keys and \(bytes) bytes")
        }
        if let i = existing {
            guard metadata[i].value != value else { return }
            metadata[i].value = value
        } else {
            metadata.append((key, value))
        }
        metadataBytes = bytes
        metadataDirty = true
    }

    /// Metadata room kept for the `tape.` keys Tape adds after the run's own (cancel, recover, compact).
    static let reservedMetadataPairs = 16
    static let reservedMetadataBytes = 64 << 10

    /// Bytes of `s` encoded as a format string (varint length, then UTF-8).
    private static func encodedSize(_ s: String) -> Int { encodedSize(s.utf8.count) + s.utf8.count }

    /// Bytes of `n` encoded as a varint.
    private static func encodedSize(_ n: Int) -> Int { IndexBudget.varintSize(UInt64(n)) }

    /// Appends a metadata frame holding the whole current metadata (format-spec §3.4), fsynced
    /// when durability is `.chunk`, like a chunk.
    private func writeMetadataFrame() throws {
        scratch.removeAll()
        MetadataFrame.encode(metadata, into: &scratch)
        try file.write(scratch.bytes)
        position += scratch.count
        metadataDirty = false
        if options.durability == .chunk { try syncFile() }
    }

    /// Writes what the file lacks before the next frame: a schema frame declaring the tables
    /// declared since the last one (in declaration order; none when the only such table is `table`,
    /// whose chunk, about to be written, repeats its schema), then a metadata frame if the
    /// metadata changed. With durability `.chunk` they are fsynced.
    private func writePendingFrames(before table: String?) throws {
        let declared = pendingSchemas.contains { $0.name != table } ? pendingSchemas : []
        pendingSchemas.removeAll()
        if !declared.isEmpty {
            scratch.removeAll()
            SchemaFrame.encodeFrames(declared, into: &scratch)
            try file.write(scratch.bytes)
            position += scratch.count
            if !metadataDirty && options.durability == .chunk { try syncFile() }
        }
        if metadataDirty { try writeMetadataFrame() }
    }

    // MARK: Progress

    /// Tells the writer how many bars the run will have; bars are counted as rows of `table`.
    /// The count is also recorded in the run metadata (`tape.expected_bars`, and
    /// `tape.expected_bars_table` when the table is not `equity`), so that a live view of the
    /// unfinished file (`tape top`) knows it from the next metadata frame.
    public func expectBars(_ count: Int, table: String = "equity") {
        expectedBars = max(0, count)
        progressTable = table
        try? setMetadata("tape.expected_bars", String(max(0, count)))
        if table != "equity" { try? setMetadata("tape.expected_bars_table", table) }
    }

    /// Processed bars (rows written to the progress table) and the total. `processed` never
    /// exceeds `total`: if a run writes more bars than expected, `total` follows `processed` and
    /// `expectedExceeded` says the estimate was wrong.
    public var progress: Progress {
        let processed = tableByName[progressTable]?.rowCount ?? 0
        return Progress(processed: processed, expected: expectedBars)
    }

    // MARK: Closing

    /// Flushes every table, writes the footer and trailer, fsyncs (unless durability is `.none`),
    /// appends the run's record to its directory's summary journal (best effort, `SummaryJournal`)
    /// and returns the run's summary. The writer cannot be used afterwards.
    @discardableResult
    public func close() throws -> RunSummary {
        try checkOpen()
        do {
            for t in tables { try t.flush() }
            try writePendingFrames(before: nil)
            let footer = makeFooter()
            try writeFooter(footer)
            if options.durability != .none { try syncFile() }
            // Before close: the writer lock orders the records of one file (SummaryJournal).
            SummaryJournal.appendRecord(sealed: file.fd, path: file.path, footer: footer)
            try file.close()
            closed = true
            return RunSummary(path: path, fileBytes: position, footer: footer, progress: progress,
                              seconds: Double(monotonicNanos() - startNanos) / 1e9)
        } catch {
            failed = error
            throw error
        }
    }

    /// Discards everything this writer wrote: a new file is deleted; a file opened with
    /// `appendingTo` is cut back to its earlier chunks and gets its earlier footer back, sealed and
    /// synced. Used when an import fails half-way. The writer cannot be used afterwards.
    public func abandon() throws {
        guard !closed else { throw TapeError.writerClosed }
        closed = true
        if let original {
            try file.truncate(to: original.dataEnd)
            try file.seek(to: original.dataEnd)
            position = original.dataEnd
            try writeFooter(original.footer)
            try file.sync()
            try file.close()
        } else {
            // The file's own name (a link's target, or a compaction's temporary file), never a link.
            let name = file.path
            try file.close()
            guard unlink(name) == 0 else { throw TapeError.io(operation: "remove", path: name, errno: errno) }
        }
    }

    /// fsyncs the file and records how much of it is now durable.
    private func syncFile() throws {
        try file.sync()
        durableLength = position
    }

    /// Appends the footer frame and the trailer at the current position.
    private func writeFooter(_ footer: Footer) throws {
        scratch.removeAll()
        footer.encodeSealed(at: position, into: &scratch)
        try file.write(scratch.bytes)
        position += scratch.count
    }

    /// Stops a run early but keeps it: records `tape.cancelled = true` (and `reason`) in the
    /// metadata, then closes normally.
    @discardableResult
    public func cancel(reason: String? = nil) throws -> RunSummary {
        try setMetadata("tape.cancelled", "true")
        if let reason { try setMetadata("tape.cancel_reason", reason) }
        return try close()
    }

    func makeFooter() -> Footer {
        var entries = carried
        for t in tables {
            entries.append(Footer.TableEntry(name: t.name, schema: t.schema, rowCount: t.rowCount, chunks: t.chunks))
        }
        var meta = metadata, secs = sections
        metricsRecorder.apply(metadata: &meta, sections: &secs)
        return Footer(metadata: meta, tables: entries, sections: secs)
    }

    // MARK: Used by TableWriter

    func checkOpen() throws {
        if closed { throw TapeError.writerClosed }
        if let failed { throw TapeError.invalidArgument("the writer failed earlier and cannot continue: \(failed)") }
    }

    /// Counts the chunk `table` is about to start buffering rows for in the index budget; throws
    /// (before the row is accepted) when the file's index has no room for it.
    func reserveChunk(of table: TableWriter) throws {
        try indexBudget.reserve(table.name, table.schema, path: path)
    }

    /// Called by `table` when its buffer goes from empty to non-empty.
    func startedBuffering(_ table: TableWriter) {
        guard options.maxChunkLag > 0 else { return }
        lagQueue.push(table, since: table.bufferedSinceChunk)
    }

    /// After a chunk was written: flushes the tables whose buffered rows have waited for
    /// `maxChunkLag` chunks, oldest first. Iterative: the flushes it makes call back here, and
    /// those calls return at once while the outer loop drains the queue (a recursive version
    /// overflowed the stack with tens of thousands of tables). O(1) per table flushed.
    func chunkWritten(by table: TableWriter) throws {
        guard options.maxChunkLag > 0, !drainingLag else { return }
        drainingLag = true
        defer { drainingLag = false }
        while let t = lagQueue.popLagging(chunksWritten: chunksWritten, lag: options.maxChunkLag) {
            try t.flush()
        }
    }

    /// Encodes every buffered column of `table` into `body` (in schema order) and returns the
    /// block descriptors. Columns are spread over `encoders.count` threads when there are several.
    private func encodeBlocks(of table: TableWriter) -> [BlockDescriptor] {
        let n = table.buffers.count
        let columns = (0..<n).map { table.buffers[$0].take() }
        metricsRecorder.observe(table: table.name, schema: table.schema, columns: columns, metadata: metadata)
        let forced = table.schema.columns.map { options.forcedEncodings[$0.name] }
        while columnBodies.count < n { columnBodies.append(ByteWriter()) }
        var blocks = [BlockDescriptor?](repeating: nil, count: n)
        let workers = min(encoders.count, n)
        if workers <= 1 {
            for i in 0..<n {
                columnBodies[i].removeAll()
                blocks[i] = encoders[0].encode(columns[i], encoding: forced[i], into: &columnBodies[i])
            }
        } else {
            let parallel = ParallelEncoding(outputs: columnBodies, count: n)
            columnBodies = []   // `parallel` now holds the only reference to the reused buffers
            let encoders = self.encoders
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                while case let (i, taken)? = parallel.next() {
                    var out = taken
                    out.removeAll()
                    let block = encoders[w].encode(columns[i], encoding: forced[i], into: &out)
                    parallel.finish(i, output: out, block: block)
                }
            }
            (columnBodies, blocks) = parallel.results()
        }
        body.removeAll()
        for i in 0..<n {
            body.writeBytes(columnBodies[i].bytes)
            table.buffers[i].reclaim(columns[i].storage)
        }
        return blocks.map { $0! }
    }

    /// Encodes the buffered rows of `table` as one chunk frame and appends it to the file.
    func writeChunk(of table: TableWriter, rowStart: Int, rowCount: Int) throws -> Footer.ChunkEntry {
        try checkOpen()
        let blocks = encodeBlocks(of: table)
        let decoded = ChunkLimits.decodedSize(schema: table.schema, rowCount: rowCount, blocks: blocks)
        guard decoded <= ChunkLimits.maxDecodedBytes else {
            // Only rows whose strings add up to tens of MiB between two budget checks get here. The
            // rows were taken out of the buffers: the writer cannot go on (nothing was written).
            let error = TapeError.badBatch(table: table.name, reason: "\(rowCount) rows would make a chunk that decodes to \(decoded) bytes, "
                                     + "more than the format allows (\(ChunkLimits.maxDecodedBytes)); append fewer or shorter strings at a time")
            failed = error
            throw error
        }
        do { try writePendingFrames(before: table.name) } catch {
            failed = error
            throw error
        }
        let header = ChunkHeader(tableName: table.name, schema: table.schema, rowStart: rowStart,
                                 rowCount: rowCount, blocks: blocks)
        scratch.removeAll()
        let headerLength = header.encodeFramePrefix(bodyLength: body.count, into: &scratch)
        let crc = scratch.bytes.withUnsafeBytes { head in
            body.bytes.withUnsafeBytes { ChunkHeader.frameCRC(prefixAndHeader: head, body: $0) }
        }
        let frameOffset = position
        let frameLength = ChunkHeader.prefixSize + headerLength + body.count + ChunkHeader.suffixSize
        do {
            try file.write(scratch.bytes)
            try file.write(body.bytes)
            var tail = ByteWriter()
            tail.writeU32(crc)
            try file.write(tail.bytes)
            position += frameLength
            if options.durability == .chunk { try syncFile() }
        } catch {
            failed = error
            throw error
        }
        chunksWritten += 1
        return Footer.ChunkEntry(frameOffset: frameOffset, frameLength: frameLength,
                                 bodyOffset: frameOffset + ChunkHeader.prefixSize + headerLength,
                                 rowStart: rowStart, rowCount: rowCount, blocks: blocks)
    }
}

/// Progress of a run that cannot over-report: `processed ≤ total` always.
public struct Progress: Sendable, Codable, Equatable {
    public var processed: Int
    /// Expected bars, raised to `processed` if the run wrote more; nil when never told.
    public var total: Int?
    /// The run wrote more bars than `expectBars` said.
    public var expectedExceeded: Bool

    init(processed: Int, expected: Int?) {
        self.processed = processed
        if let expected {
            total = max(expected, processed)
            expectedExceeded = processed > expected
        } else {
            total = nil
            expectedExceeded = false
        }
    }

    /// processed / total in 0...1, or nil without a total (or when total is 0).
    public var fraction: Double? {
        guard let total, total > 0 else { return nil }
        return Double(processed) / Double(total)
    }
}

func monotonicNanos() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
func isoNow() -> String {
    var t = time(nil)
    var tmv = tm()
    gmtime_r(&t, &tmv)
    func p(_ v: Int32, _ w: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, w - s.count)) + s
    }
    return "\(p(tmv.tm_year + 1900, 4))-\(p(tmv.tm_mon + 1, 2))-\(p(tmv.tm_mday, 2))T\(p(tmv.tm_hour, 2)):\(p(tmv.tm_min, 2)):\(p(tmv.tm_sec, 2))Z"
}

/// The version of this build of Tape.
public enum TapeVersion {
    public static let string = "0.1.0"
}
