#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TapeCodec
import TapeFormat

/// What `Compactor.compact` does to a run.
public struct CompactionOptions: Sendable {
    /// Codec (and level) of every block of the rewritten file. Default zstd level 19.
    public var codec: Codec
    /// Rows per chunk of the rewritten file (default 65,536: small chunks merge).
    public var rowsPerChunk: Int
    /// Tables to leave out of the rewritten file. Naming a table the run lacks (here or in
    /// `downsample`) is an error and leaves the file untouched.
    public var drop: Set<String>
    /// Tables to downsample, with the bucket width in nanoseconds: of each bucket
    /// `floor(ts / interval)` on the table's first timestamp column, only the last row is kept.
    public var downsample: [String: Int64]
    /// Human-readable interval text per downsampled table (recorded in `tape.downsampled`).
    public var downsampleLabels: [String: String]
    /// Report what would be done; change nothing.
    public var dryRun: Bool

    public init(codec: Codec = .zstd(level: 19), rowsPerChunk: Int = 65_536, drop: Set<String> = [],
                downsample: [String: Int64] = [:], downsampleLabels: [String: String] = [:], dryRun: Bool = false) {
        self.codec = codec
        self.rowsPerChunk = rowsPerChunk
        self.drop = drop
        self.downsample = downsample
        self.downsampleLabels = downsampleLabels
        self.dryRun = dryRun
    }
}

/// What `Compactor.compact` did (or, in a dry run, would do) to one run.
public struct CompactionResult: Sendable {
    public var path: String
    public var bytesBefore: Int
    /// Size of the rewritten file; nil in a dry run.
    public var bytesAfter: Int?
    public var chunksBefore: Int
    /// Chunks of the rewritten file; nil in a dry run.
    public var chunksAfter: Int?
    /// Kept tables and their row counts in the rewritten file (before downsampling in a dry run).
    public var rows: [(table: String, rows: Int)]
    public var dropped: [String]
    public var downsampled: [String]
}

/// An error of a compaction: what went wrong and on which file.
public struct CompactionError: Error, CustomStringConvertible, LocalizedError {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
    public var errorDescription: String? { description }
}

/// Rewrites a sealed run into a compact one, atomically.
///
/// The rewrite streams every kept table batch by batch (memory: about one chunk per table) into a
/// new file in the same directory (`.NAME.compact-PID-RANDOM.tmp`, an `AtomicReplacement`),
/// re-encoded and recompressed with full-size chunks. The new file is fsynced and closed, then
/// verified (every checksum, and every row of every kept table that was not downsampled compared
/// with the original), and only then renamed over the original, after which the directory is
/// fsynced. A crash at any point leaves the original or the new file under the run's name, never
/// neither; a leftover temporary file is removed by `removeLeftoverTemps(inDirectory:)`.
///
/// The original's writer lock is held from before its footer is read until after the rename, so
/// no append, recovery or other compaction of it can interleave. A symbolic link is followed: its
/// target is rewritten and the link kept.
public enum Compactor {
    /// Throws naming `path`, the first table of `options.drop` or `options.downsample` (in name
    /// order) that `tables` lacks, and at most 20 of the tables the run has.
    static func requireNamedTablesExist(_ options: CompactionOptions, in tables: [String], path: String) throws {
        let present = Set(tables)
        guard let missing = (options.drop.union(options.downsample.keys)).sorted().first(where: { !present.contains($0) })
        else { return }
        let flag = options.drop.contains(missing) ? "--drop" : "--downsample"
        let shown = tables.prefix(20).map { "'\($0)'" }.joined(separator: ", ")
        let more = tables.count > 20 ? " and \(tables.count - 20) more" : ""
        let available = tables.isEmpty ? "the run has no tables" : "its tables: \(shown)\(more)"
        throw CompactionError(path: path, reason: "\(flag) names table '\(missing)', which the run does not have (\(available)); not compacted")
    }

    /// Rewrites the run at `path` (or, with `options.dryRun`, only reports what would be done).
    /// A damaged, unsealed or locked input throws and is left untouched.
    @discardableResult
    public static func compact(path: String, options: CompactionOptions = CompactionOptions(),
                               progress: ((String, Int, Int) -> Void)? = nil) throws -> CompactionResult {
        for (t, iv) in options.downsample where iv <= 0 {
            throw CompactionError(path: path, reason: "downsample interval of table '\(t)' must be positive")
        }
        // A symbolic link stays a link: its target is what gets rewritten.
        let target = RawFile.resolvingLinks(path)
        // Keep concurrent writers out while we read and until the new file has replaced this one:
        // the writer lock on the file the path names (even if a rename put it there meanwhile).
        let locked: RawFile
        do { locked = try RawFile.openLocked(target, access: .readOnly) } catch TapeError.locked {
            throw CompactionError(path: path, reason: "in use by a writer (locked); not compacted")
        }
        defer { try? locked.close() }
        var st = stat()
        guard fstat(locked.fd, &st) == 0 else { throw TapeError.io(operation: "fstat", path: path, errno: errno) }
        let bytesBefore = Int(st.st_size)

        // Every read of the original goes through the locked descriptor.
        let reader: TapeReader
        do { reader = try TapeReader(file: locked, options: ReaderOptions(verifyChecksums: true)) } catch let e as TapeError {
            if case .io = e { throw e }
            throw CompactionError(path: path, reason: "damaged, not compacted: \(e)")
        }
        let report = try Verifier.verify(reader)
        guard report.ok else {
            throw CompactionError(path: path, reason: "damaged, not compacted: " + report.problems.prefix(3).joined(separator: "; "))
        }
        try requireNamedTablesExist(options, in: reader.tables.map(\.name), path: path)
        let chunksBefore = reader.tables.reduce(0) { $0 + $1.chunks.count }
        let dropped = reader.tables.map(\.name).filter { options.drop.contains($0) }
        let kept = reader.tables.filter { !options.drop.contains($0.name) }
        var downsampled: [String] = []
        var tsColumn: [String: Int] = [:]
        for t in kept where options.downsample[t.name] != nil {
            guard let c = t.schema.columns.firstIndex(where: { $0.type == .timestamp }) else {
                throw CompactionError(path: path, reason: "table '\(t.name)' has no timestamp column to downsample on")
            }
            tsColumn[t.name] = c
            downsampled.append(t.name)
        }
        if options.dryRun {
            return CompactionResult(path: path, bytesBefore: bytesBefore, bytesAfter: nil, chunksBefore: chunksBefore,
                                    chunksAfter: nil, rows: kept.map { ($0.name, $0.rowCount) },
                                    dropped: dropped, downsampled: downsampled)
        }

        let replacement = try AtomicReplacement(replacing: target, purpose: AtomicReplacement.compactionPurpose,
                                                mode: st.st_mode & 0o7777)
        defer { replacement.discard() }
        let tmp = replacement.temporaryPath
        try replacement.file.lockExclusive()

        // Rewrite.
        // Metrics are carried over, not recomputed: downsampling or dropping would change them.
        let writer = try TapeWriter(newFile: replacement.file, path: tmp,
                                    options: WriterOptions(codec: options.codec, rowsPerChunk: options.rowsPerChunk,
                                                           durability: .close, metrics: nil))
        var writtenRows: [String: Int] = [:]
        do {
            for (k, v) in reader.metadata { try writer.setMetadata(k, v) }
            for (tag, bytes) in reader.footer.sections { try writer.setSection(tag, bytes) }
            try writer.setMetadata("tape.compacted", isoNow())
            // A file compacted before keeps the record of earlier drops and downsamplings.
            let old = Dictionary(reader.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            if !dropped.isEmpty {
                try writer.setMetadata("tape.dropped", ([old["tape.dropped"]].compactMap { $0 } + dropped).joined(separator: ","))
            }
            if !downsampled.isEmpty {
                let now = downsampled.map { "\($0)=\(options.downsampleLabels[$0] ?? "\(options.downsample[$0] ?? 0)ns")" }
                try writer.setMetadata("tape.downsampled", ([old["tape.downsampled"]].compactMap { $0 } + now).joined(separator: ","))
            }
            for t in kept {
                let out = try writer.declareTable(t.name, schema: t.schema)
                let scan = try reader.scan(t.name)
                var done = 0
                if let iv = options.downsample[t.name], let c = tsColumn[t.name] {
                    var pending: (key: Int64?, row: [ColumnData])?
                    while let b = try scan.nextBatch() {
                        let n = b.count
                        guard n > 0 else { continue }
                        let col = b.columns[c]
                        guard case .int64(let ts) = col.storage else {
                            throw CompactionError(path: path, reason: "table '\(t.name)': timestamp column is not stored as integers")
                        }
                        func key(_ i: Int) -> Int64? { col.isNull(i) ? nil : floorDiv(ts[i], iv) }
                        if let p = pending, p.key != key(0) { try out.append(columns: p.row); done += 1 }
                        var picks: [Int32] = []
                        var k = key(0)
                        for i in 0..<(n - 1) {
                            let next = key(i + 1)
                            if k != next { picks.append(Int32(i)) }
                            k = next
                        }
                        if !picks.isEmpty { try out.append(columns: b.columns.map { $0.gather(picks) }); done += picks.count }
                        pending = (key(n - 1), b.columns.map { $0.gather([Int32(n - 1)]) })
                        progress?(t.name, scan.chunksRead, t.chunks.count)
                    }
                    if let p = pending { try out.append(columns: p.row); done += 1 }
                } else {
                    while let b = try scan.nextBatch() {
                        try out.append(columns: b.columns)
                        done += b.count
                        progress?(t.name, scan.chunksRead, t.chunks.count)
                    }
                }
                writtenRows[t.name] = done
            }
            if let note = metricsSource(reader, downsampled: downsampled, writtenRows: writtenRows, options: options) {
                try writer.setMetadata(MetricConventions.sourceKey, note)
            }
            try writer.close()
        } catch {
            try? writer.abandon()
            throw error
        }

        // Verify the new file before it replaces the original.
        let check = try Verifier.verify(path: tmp)
        guard check.ok else {
            throw CompactionError(path: tmp, reason: "rewritten file failed verification: " + check.problems.prefix(3).joined(separator: "; "))
        }
        let fresh = try TapeReader(path: tmp, options: ReaderOptions(verifyChecksums: true))
        guard fresh.tables.map(\.name) == kept.map(\.name) else {
            throw CompactionError(path: tmp, reason: "rewritten file has tables \(fresh.tables.map(\.name)), expected \(kept.map(\.name))")
        }
        let meta = Dictionary(fresh.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let recordKeys: Set<String> = ["tape.compacted", "tape.dropped", "tape.downsampled", MetricConventions.sourceKey]
        for (k, v) in reader.metadata where meta[k] != v && !recordKeys.contains(k) {
            throw CompactionError(path: tmp, reason: "rewritten file lost metadata key '\(k)'")
        }
        for t in kept {
            let n = try fresh.table(t.name)
            guard n.schema == t.schema else { throw CompactionError(path: tmp, reason: "table '\(t.name)': schema differs") }
            let expected = options.downsample[t.name] != nil ? (writtenRows[t.name] ?? -1) : t.rowCount
            guard n.rowCount == expected else {
                throw CompactionError(path: tmp, reason: "table '\(t.name)': \(n.rowCount) rows, expected \(expected)")
            }
            if options.downsample[t.name] == nil {
                try compareRows(table: t.name, reader, fresh, path: tmp)
            }
        }
        let chunksAfter = fresh.tables.reduce(0) { $0 + $1.chunks.count }
        let bytesAfter = fresh.fileSize

        // Replace (the writer fsynced and closed the file), then record the run for `tape summary`
        // under its own name (the writer sealed it under the temporary one: no record).
        var sealedInfo = stat()
        let identity = stat(tmp, &sealedInfo) == 0 ? (device: UInt64(sealedInfo.st_dev), inode: UInt64(sealedInfo.st_ino)) : nil
        try replacement.commit()
        if let identity {
            SummaryJournal.appendRecord(renamed: target, footer: fresh.footer, device: identity.device, inode: identity.inode)
        }
        return CompactionResult(path: path, bytesBefore: bytesBefore, bytesAfter: bytesAfter, chunksBefore: chunksBefore,
                                chunksAfter: chunksAfter, rows: kept.map { ($0.name, writtenRows[$0.name] ?? 0) },
                                dropped: dropped, downsampled: downsampled)
    }

    /// For a run with stored metrics whose equity table was just downsampled: the note saying which
    /// rows its metrics describe (the rows before the first downsampling: a note already present is
    /// kept as is). Nil otherwise.
    static func metricsSource(_ reader: TapeReader, downsampled: [String], writtenRows: [String: Int],
                              options: CompactionOptions) -> String? {
        let meta = reader.metadata
        if let earlier = meta.last(where: { $0.key == MetricConventions.sourceKey }) { return earlier.value }
        guard reader.footer.sections.contains(where: { $0.tag == RunMetrics.sectionTag }) else { return nil }
        let metricOptions = (try? MetricsOptions().applying(metadata: meta)) ?? MetricsOptions()
        let table = metricOptions.equityTable
        guard downsampled.contains(table), let before = reader.tables.first(where: { $0.name == table })?.rowCount else { return nil }
        let label = options.downsampleLabels[table] ?? "\(options.downsample[table] ?? 0)ns"
        return "\(before) source rows of \(table) (before tape compact --downsample \(table)=\(label) left \(writtenRows[table] ?? 0)); "
            + "bars, periods and every metric describe the source rows"
    }

    /// Temporary files of writers that `removeLeftoverTemps` cleans: compactions' rewritten files
    /// and new runs not yet renamed into place.
    static let temporaryPurposes = [AtomicReplacement.compactionPurpose, AtomicReplacement.newRunPurpose, Recovery.recoveryPurpose]

    /// Whether `name` (a file name, no directory) is a temporary file of a compaction or of a new
    /// run (`.NAME.compact-PID-RANDOM.tmp`, `.NAME.new-PID-RANDOM.tmp`, or the older
    /// `.NAME.compact-PID.tmp`).
    public static func isTempName(_ name: String) -> Bool {
        AtomicReplacement.isTemporaryName(name, purposes: temporaryPurposes)
    }

    /// Removes leftover temporary files of interrupted compactions and new runs in `directory`
    /// (not recursive): only those whose owner process (the PID in the name) is gone and that no
    /// writer holds locked, so a compaction running in parallel keeps its file. Returns the
    /// removed paths. With `dryRun`, only lists them.
    @discardableResult
    public static func removeLeftoverTemps(inDirectory directory: String, dryRun: Bool = false) throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed: [String] = []
        for name in names.sorted() where AtomicReplacement.isLeftover(name, in: directory, purposes: temporaryPurposes) {
            let p = (directory as NSString).appendingPathComponent(name)
            if !dryRun {
                guard unlink(p) == 0 || errno == ENOENT else { throw TapeError.io(operation: "unlink", path: p, errno: errno) }
            }
            removed.append(p)
        }
        if !removed.isEmpty && !dryRun { try AtomicReplacement.syncDirectory(directory) }
        return removed
    }

    /// ⌊a / b⌋, rounding toward negative infinity (b > 0).
    public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Streams `table` from both readers and compares every value (floats by bit pattern, strings
    /// by bytes), whatever the chunk boundaries of each file.
    static func compareRows(table: String, _ a: TapeReader, _ b: TapeReader, path: String) throws {
        let sa = try a.scan(table), sb = try b.scan(table)
        var ba: RecordBatch? = try sa.nextBatch(), ia = 0
        var bb: RecordBatch? = try sb.nextBatch(), ib = 0
        var row = 0
        while true {
            while let x = ba, ia >= x.count { ba = try sa.nextBatch(); ia = 0 }
            while let y = bb, ib >= y.count { bb = try sb.nextBatch(); ib = 0 }
            guard let x = ba, let y = bb else {
                if ba != nil || bb != nil { throw CompactionError(path: path, reason: "table '\(table)': row counts differ at row \(row)") }
                return
            }
            let n = min(x.count - ia, y.count - ib)
            for c in 0..<x.columns.count {
                let cx = x.columns[c], cy = y.columns[c]
                for k in 0..<n where !cellEqual(cx, ia + k, cy, ib + k) {
                    throw CompactionError(path: path, reason: "table '\(table)': row \(row + k) column '\(x.schema.columns[c].name)' differs from the original")
                }
            }
            ia += n; ib += n; row += n
        }
    }

    static func cellEqual(_ a: ColumnData, _ i: Int, _ b: ColumnData, _ j: Int) -> Bool {
        let an = a.isNull(i), bn = b.isNull(j)
        if an || bn { return an == bn }
        switch (a.storage, b.storage) {
        case (.int64(let x), .int64(let y)): return x[i] == y[j]
        case (.float64(let x), .float64(let y)): return x[i].bitPattern == y[j].bitPattern
        case (.bool(let x), .bool(let y)): return x[i] == y[j]
        case (.strings, .strings), (.strings, .dictionary), (.dictionary, .strings), (.dictionary, .dictionary):
            return a.string(at: i).utf8.elementsEqual(b.string(at: j).utf8)
        default: return false
        }
    }
}
