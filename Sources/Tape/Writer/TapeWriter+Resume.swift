import Foundation
import TapeFormat

/// What survived of a file reopened with `TapeWriter.resume(path:options:)`: per table, how many
/// rows are durable in the file and the last timestamp among them, so a backtester can restart
/// from its checkpoint instead of from bar 0.
public struct ResumeState: Sendable, Equatable {
    /// One table of the resumed file.
    public struct Table: Sendable, Equatable {
        public var name: String
        /// Rows of the table in the file (every complete chunk kept by recovery).
        public var rowCount: Int
        /// Maximum of the table's first timestamp column over its rows, from the chunks' zone maps;
        /// nil when the table has no timestamp column or no non-null timestamp.
        public var lastTimestamp: Int64?

        public init(name: String, rowCount: Int, lastTimestamp: Int64?) {
            self.name = name
            self.rowCount = rowCount
            self.lastTimestamp = lastTimestamp
        }
    }

    /// Tables with at least one durable chunk, in file order. A table that never reached the disk
    /// is absent (its row count is 0).
    public var tables: [Table]
    /// What recovery kept and dropped; `recovery.wasSealed` is true when the file was sealed and
    /// nothing had to be recovered. A file too short to hold a complete file header is started
    /// anew and reported with zero chunks kept.
    public var recovery: Recovery.Report

    public init(tables: [Table], recovery: Recovery.Report) {
        self.tables = tables
        self.recovery = recovery
    }

    /// Durable rows of `table` (0 when the table has none).
    public func rowCount(_ table: String) -> Int {
        tables.first { $0.name == table }?.rowCount ?? 0
    }

    /// The last durable timestamp of `table` (see `Table.lastTimestamp`).
    public func lastTimestamp(_ table: String) -> Int64? {
        tables.first { $0.name == table }?.lastTimestamp
    }
}

extension TapeWriter {
    /// Reopens the file at `path` to continue a run whose writer died (or that was closed): an
    /// unsealed file is first recovered in place (format-spec §4: every complete chunk is kept,
    /// the torn tail is cut and a footer is rebuilt), then the file is opened for appending as with
    /// `init(appendingTo:)`.
    ///
    /// Continue a table by declaring it again with its identical schema: its new rows follow the
    /// durable ones (`state.rowCount(name)`). The run must regenerate every row from that point
    /// on; rows that were buffered but not flushed when the writer died are lost and must be
    /// written again. A recovered file's metadata is that of its last complete metadata frame
    /// (format-spec §3.4) plus `tape.recovered = true`; metadata set after the last durable chunk
    /// is lost, so set what the run computes again. The run metrics accumulator is rebuilt by
    /// streaming the file's equity and trades rows (with `options.metrics` and the recovered
    /// file's `tape.metrics.*` metadata), so the finished run stores the metrics an uninterrupted
    /// run would.
    ///
    /// The file's writer lock is taken once, before anything is read, and held from recovery to
    /// the returned writer's `close()`: another writer of the path (an append, a compaction, a
    /// recovery) is refused with `TapeError.locked` throughout.
    ///
    /// A file shorter than the 16-byte file header (the writer died before writing it) whose bytes
    /// are a prefix of a valid header is started anew. A missing file is an error.
    ///
    ///     let (w, state) = try TapeWriter.resume(path: "run.tape")
    ///     let equity = try w.declareTable("equity", schema: equitySchema)
    ///     // equity.rowCount == state.rowCount("equity"); restart after state.lastTimestamp("equity")
    public static func resume(path: String, options: WriterOptions = WriterOptions()) throws
        -> (writer: TapeWriter, state: ResumeState)
    {
        try resume(path: path, options: options, whileLocked: { _ in })
    }

    /// `resume(path:options:)`; `whileLocked` runs at each step (after the lock is taken, after
    /// recovery, after the metrics are rebuilt), with the lock held: tests check there that no
    /// other writer gets in. The writer lock is taken once, before anything is read, and handed
    /// to the returned writer, so no other writer runs between recovery and the append.
    static func resume(path: String, options: WriterOptions, whileLocked: (String) throws -> Void) throws
        -> (writer: TapeWriter, state: ResumeState)
    {
        try options.validate()
        let file = try RawFile.openLocked(path, access: .readWrite)
        do {
            try whileLocked("locked")
            if let fresh = try startAnewIfHeaderTorn(file, path: path, options: options) {
                return (fresh, ResumeState(tables: [], recovery: Recovery.Report(path: path)))
            }
            let report = try Recovery.recover(file, path: path)
            try whileLocked("recovered")
            let metrics = try options.metrics.map { _ in try MetricsRecorder.rebuilt(from: try TapeReader(file: file), options: options.metrics) }
            try whileLocked("metrics rebuilt")
            // With metrics disabled the appending writer's own recorder stays: it removes the
            // metrics section recovery computed from the kept rows once rows are added to the run.
            let writer = try TapeWriter(appending: file, path: path, options: options, metrics: metrics)
            let footer = writer.makeFooter()
            if !footer.metadata.contains(where: { $0.key == "tape.writer" }) {
                try writer.setMetadata("tape.writer", "tape \(TapeVersion.string)")
            }
            let tables = footer.tables.filter { !$0.chunks.isEmpty || $0.rowCount > 0 }.map { t in
                ResumeState.Table(name: t.name, rowCount: t.rowCount, lastTimestamp: lastTimestamp(of: t))
            }
            return (writer, ResumeState(tables: tables, recovery: report))
        } catch {
            try? file.close()
            throw error
        }
    }

    /// A new writer over the locked `file` when it is shorter than a file header and its bytes are
    /// a prefix of one (the writer died while creating it): the file is started anew in place,
    /// under the lock already held. nil when the file is long enough to be recovered; throws when
    /// it holds something else.
    private static func startAnewIfHeaderTorn(_ file: RawFile, path: String, options: WriterOptions) throws -> TapeWriter? {
        let size = try file.size()
        guard size < FileHeader.size else { return nil }
        var header = ByteWriter()
        FileHeader.encode(into: &header)
        let bytes = try file.read(at: 0, count: size)
        guard Array(header.bytes.prefix(bytes.count)) == bytes else {
            throw TapeError.corrupt(path: path, .truncated(what: "file header", offset: 0, needed: FileHeader.size,
                                                          available: bytes.count))
        }
        try file.truncate(to: 0)
        try file.seek(to: 0)
        return try TapeWriter(newFile: file, path: path, options: options)
    }

    /// Maximum of the first timestamp column of `table` from its chunks' zone maps.
    static func lastTimestamp(of table: Footer.TableEntry) -> Int64? {
        guard let column = table.schema.columns.firstIndex(where: { $0.type == .timestamp }) else { return nil }
        var last: Int64?
        for chunk in table.chunks where column < chunk.blocks.count {
            if case .int(let v)? = chunk.blocks[column].stats.max { last = max(last ?? v, v) }
        }
        return last
    }
}
