import Foundation
import TapeFormat

/// Rebuilds the footer of a file whose writer died (format-spec §4): keeps the longest prefix of
/// frames whose checksums hold, drops the torn tail, and seals the file with a footer built from
/// the kept chunks' headers, the tables declared by schema frames and the metadata of the last
/// kept metadata frame. With `salvage` it keeps every intact frame after damage too (§4.1).
public enum Recovery {
    /// Rows of a table lost in the middle of a salvaged file: original rows
    /// `firstMissingRow ..< firstMissingRow + missingRows` are gone, and the rows that followed
    /// them are numbered from `renumberedFrom` in the recovered file.
    public struct Gap: Sendable, Equatable, CustomStringConvertible {
        public var table: String
        public var firstMissingRow: Int
        public var missingRows: Int
        public var renumberedFrom: Int

        public var description: String {
            "table '\(table)': rows \(firstMissingRow)..<\(firstMissingRow + missingRows) missing (\(missingRows) rows); later rows renumbered from \(renumberedFrom)"
        }
    }

    /// What `recover` kept and dropped.
    public struct Report: Sendable, Equatable {
        public var path: String
        /// The file already had a valid trailer and footer; nothing was changed.
        public var wasSealed = false
        public var chunksKept = 0
        /// Rows kept per table (every kept table, also declared ones without rows).
        public var rowsKept: [String: Int] = [:]
        /// Bytes cut from the end (the torn tail, and any old footer).
        public var bytesDropped = 0
        /// Why the scan stopped where it did (salvage: the first thing skipped), if not at a clean end.
        public var stopReason: String?
        /// Valid chunks not kept: after the stopping point (default mode; `--salvage` may keep
        /// them), or whose rows overlap kept rows or whose schema changed.
        public var chunksDropped = 0
        /// The run metadata was restored from a metadata frame (format 1.1); false when the file
        /// had none (format 1.0 writers, or a writer killed before writing one).
        public var metadataRestored = false
        /// The run metrics (stored only in the lost footer) were recomputed from the kept rows.
        public var metricsRecomputed = false
        /// Salvage mode: rows missing in the middle of tables, in file order.
        public var gaps: [Gap] = []
        /// Salvage mode: bytes of damaged stretches skipped in the middle of the file.
        public var bytesSkipped = 0
        /// Salvage mode: the file was sealed (valid trailer and footer) but a frame before its
        /// footer is damaged; its footer's metadata, tables and sections were kept.
        public var wasSealedAndDamaged = false
    }

    /// What a recovery is doing, for a progress report.
    public enum Phase: Sendable, Equatable {
        /// Walking the frames: bytes of the file (up to a sealed file's footer) checked so far.
        case scanning
        /// Salvage: bytes written into the replacement file so far, of about the kept bytes.
        case rewriting
    }

    /// Told `done` of `total` bytes of a phase, after each frame (`done` ≤ `total`).
    public typealias Progress = (_ phase: Phase, _ done: Int, _ total: Int) -> Void

    /// Metadata key under which a salvaged file records its gaps (format-spec §4.1).
    public static let gapsMetadataKey = "tape.salvage.gaps"

    /// Recovers `path` in place. With `dryRun` nothing is written. A sealed, valid file is left
    /// untouched; with `salvage`, its frames up to the footer are checked first (one pass, CRCs
    /// only) and, if one is damaged, it is salvaged as below, keeping its footer's metadata, its
    /// tables (also those without a kept chunk) and its sections other than the metrics. The recovered file's metadata is that of the last complete metadata frame in
    /// the kept prefix (none in 1.0 files), then `tape.recovered = true`, then (salvage with gaps)
    /// `tape.salvage.gaps`, then what `metadata` supplies (replacing restored keys of the same name).
    /// Takes the file's writer lock first: throws `TapeError.locked` while another writer (an
    /// append, a compaction) holds it.
    ///
    /// Default mode (point-in-time recovery) keeps the longest consistent prefix and truncates the
    /// rest. With `salvage`, intact frames after damaged ones are kept too: the file is then
    /// rewritten into a temporary file beside it (fsynced) and renamed over it, with the directory
    /// fsynced; rows after a gap are renumbered and the gaps reported.
    ///
    /// Throws without changing anything for a file of a format version this Tape cannot write
    /// (a newer major version in the header or trailer, or a newer minor version in the header),
    /// since its frames might not be understood and would be cut. `progress` hears how far the
    /// scan (and a salvage's rewrite) got.
    public static func recover(path: String, dryRun: Bool = false, metadata: [String: String] = [:],
                               salvage: Bool = false, progress: Progress? = nil) throws -> Report {
        // Under the writer lock (on the file the path names now), so that a file another writer
        // is appending to or compacting is neither taken for unsealed nor rewritten.
        let file = try RawFile.openLocked(path, access: dryRun ? .readOnly : .readWrite)
        defer { try? file.close() }
        return try recover(file, path: path, dryRun: dryRun, metadata: metadata, salvage: salvage, progress: progress)
    }

    /// `recover(path:…)` of the file open at `file`, whose writer lock the caller holds (and keeps:
    /// a recovery in place leaves `file` open, sealed, for the caller to go on writing, as
    /// `TapeWriter.resume` does; a salvage replaces the file at `path` and closes `file`).
    static func recover(_ file: RawFile, path: String, dryRun: Bool = false, metadata: [String: String] = [:],
                        salvage: Bool = false, progress: Progress? = nil) throws -> Report {
        var report = Report(path: path)
        let sealed = try? TapeReader(file: file)
        if sealed != nil && !salvage {
            report.wasSealed = true
            return report
        }
        let size = try file.size()
        guard size >= FileHeader.size else {
            throw TapeError.corrupt(path: path, .truncated(what: "file header", offset: 0, needed: FileHeader.size, available: size))
        }
        try requireKnownVersion(file, size: size, path: path)
        // The default mode looks past damage only cheaply, to count the intact chunks it leaves.
        // A sealed file (salvage) is scanned up to its footer.
        let scanner = FrameScanner(file: file)
        let limit = sealed?.footerOffset ?? size
        let scanned = try scanner.scan(limit: limit, resync: salvage ? .search : .byLength,
                                       progress: progress.map { p in { p(.scanning, $0, limit) } })
        progress?(.scanning, limit, limit)   // what follows a stop is the torn tail: checked too
        if sealed != nil, scanned.skipped.isEmpty, scanned.end == .limit {
            report.wasSealed = true   // every frame up to the footer is intact
            return report
        }
        var plan = RecoveryPlan(scanned, salvage: salvage)
        if let sealed {
            // The footer is intact: its tables without a kept chunk come back empty (1.0/1.1 files
            // have no schema frames), and its metadata is the run's (restored below).
            for t in sealed.tables where !plan.tables.contains(where: { $0.name == t.name }) { plan.tables.append((t.name, t.schema)) }
        }
        report.stopReason = plan.stopReason
        report.chunksKept = plan.chunksKept
        report.chunksDropped = plan.chunksDropped
        report.metadataRestored = plan.metadata != nil || sealed != nil
        report.wasSealedAndDamaged = sealed != nil
        report.gaps = plan.gaps
        report.bytesSkipped = plan.bytesSkipped
        for t in plan.tables { report.rowsKept[t.name] = 0 }
        for f in plan.frames { if let c = f.chunk { report.rowsKept[c.header.tableName, default: 0] += c.header.rowCount } }
        report.bytesDropped = size - plan.dataEnd   // after the last kept frame; skipped bytes are counted apart
        guard !dryRun else { return report }

        let restored = try sealed?.metadata ?? plan.metadata.map { try scanner.pairs(of: $0) } ?? []
        var meta = restored.filter { $0.key != "tape.recovered" && $0.key != gapsMetadataKey }
        meta.append(("tape.recovered", "true"))
        if !plan.gaps.isEmpty { meta.append((gapsMetadataKey, gapsJSON(plan.gaps))) }
        for (k, v) in metadata.sorted(by: { $0.key < $1.key }) where k != "tape.recovered" {
            if let i = meta.firstIndex(where: { $0.key == k }) { meta[i].value = v } else { meta.append((k, v)) }
        }
        if let problem = IndexLimits.metadataProblem(meta) {
            throw TapeError.invalidArgument("\(path): not recovered (nothing was changed): with the keys recovery adds, the metadata has \(problem)")
        }
        if plan.prefixEnd == Int.max && sealed == nil {
            let tables = tableEntries(plan, offsets: plan.frames.map(\.offset), headerLengths: nil)
            let sealed = try seal(file, at: plan.dataEnd, metadata: meta, tables: tables)
            report.metricsRecomputed = sealed.metrics
            // Sealed in place, the writer lock still held: its record for `tape summary`.
            SummaryJournal.appendRecord(sealed: file.fd, path: path, footer: sealed.footer)
        } else {
            // A sealed file is never cut in place: until the rename it stays as it was. Its
            // footer's sections other than the metrics (recomputed) are carried over.
            let sections = sealed?.footer.sections.filter { $0.tag != RunMetrics.sectionTag } ?? []
            report.metricsRecomputed = try rewrite(file, path: path, plan: plan, metadata: meta, sections: sections, progress: progress)
        }
        return report
    }

    /// Refuses files whose header or (unverified) trailer names a format this Tape cannot write.
    private static func requireKnownVersion(_ file: RawFile, size: Int, path: String) throws {
        let minor: UInt16
        let head = try file.read(at: 0, count: FileHeader.size)
        do { minor = try FileHeader.validate(head) } catch { throw TapeError.corrupt(path: path, error) }
        guard minor <= FileHeader.minorVersion else {
            throw TapeError.invalidArgument("\(path): written in format 1.\(minor), newer than this Tape's 1.\(FileHeader.minorVersion); recover it with a newer Tape (nothing was changed)")
        }
        // §2.2: a trailer naming another major version makes the file unsupported, not "unsealed".
        if size >= FileHeader.size + Trailer.size, let v = Trailer.claimedVersion(try file.read(at: size - Trailer.size, count: Trailer.size)),
           v.major != FileHeader.majorVersion {
            throw TapeError.corrupt(path: path, .unsupportedVersion(major: v.major, minor: v.minor))
        }
    }

    /// The longest consistent prefix of the unsealed file `file` of `size` bytes (what default
    /// recovery would keep; nothing is written): a footer for its frames and where they end.
    static func consistentPrefix(_ file: RawFile, size: Int) throws -> (footer: Footer, dataEnd: Int) {
        let scanner = FrameScanner(file: file)
        let plan = RecoveryPlan(try scanner.scan(limit: size), salvage: false)
        let tables = tableEntries(plan, offsets: plan.frames.map(\.offset), headerLengths: nil)
        return (Footer(metadata: try plan.metadata.map { try scanner.pairs(of: $0) } ?? [], tables: tables), plan.dataEnd)
    }

    /// The gaps as the JSON array stored under `tape.salvage.gaps` (format-spec §4.1).
    static func gapsJSON(_ gaps: [Gap]) -> String {
        let objects = gaps.map { g -> [String: Any] in
            ["table": g.table, "first_missing_row": g.firstMissingRow, "missing_rows": g.missingRows,
             "renumbered_from": g.renumberedFrom]
        }
        let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The footer's tables for the plan's frames placed at `offsets` (one per frame); a moved chunk
    /// frame's new header length is in `headerLengths` (same indices), else it is unchanged.
    static func tableEntries(_ plan: RecoveryPlan, offsets: [Int], headerLengths: [Int: Int]?) -> [Footer.TableEntry] {
        var entries = plan.tables.map { Footer.TableEntry(name: $0.name, schema: $0.schema, rowCount: 0, chunks: []) }
        let index = Dictionary(uniqueKeysWithValues: plan.tables.enumerated().map { ($1.name, $0) })
        for (i, f) in plan.frames.enumerated() {
            guard let (h, rowStart) = f.chunk, let t = index[h.tableName] else { continue }
            let headerLength = headerLengths?[i] ?? (f.length - ChunkHeader.prefixSize - ChunkHeader.suffixSize - h.bodyLength)
            let length = ChunkHeader.prefixSize + headerLength + h.bodyLength + ChunkHeader.suffixSize
            entries[t].chunks.append(Footer.ChunkEntry(frameOffset: offsets[i], frameLength: length,
                                                       bodyOffset: offsets[i] + ChunkHeader.prefixSize + headerLength,
                                                       rowStart: rowStart, rowCount: h.rowCount, blocks: h.blocks))
            entries[t].rowCount += h.rowCount
        }
        return entries
    }

    /// Writes the footer at `dataEnd` (everything after it is cut), then, the file now reading as
    /// sealed, recomputes the run metrics (they lived in the lost footer) from the kept rows and
    /// seals again with them. A crash in between leaves the first, valid footer. Returns whether
    /// metrics were stored.
    private static func seal(_ file: RawFile, at dataEnd: Int, metadata: RunMetadata.Pairs,
                             tables: [Footer.TableEntry], sections: [(tag: UInt64, bytes: [UInt8])] = []) throws -> (metrics: Bool, footer: Footer) {
        let bare = Footer(metadata: metadata, tables: tables, sections: sections)
        try writeFooter(bare, file, at: dataEnd)
        guard let metrics = try? recomputedMetrics(file, metadata: metadata), !metrics.entries.isEmpty else { return (false, bare) }
        let footer = Footer(metadata: metadata, tables: tables, sections: sections + [(RunMetrics.sectionTag, metrics.sectionBytes())])
        try writeFooter(footer, file, at: dataEnd)
        return (true, footer)
    }

    /// Replaces everything from `dataEnd` on with `footer` and a trailer, durably.
    private static func writeFooter(_ footer: Footer, _ file: RawFile, at dataEnd: Int) throws {
        var w = ByteWriter()
        footer.encodeSealed(at: dataEnd, into: &w)
        try file.truncate(to: dataEnd)
        try file.seek(to: dataEnd)
        try file.write(w.bytes)
        try file.sync()
    }

    /// The run metrics of the rows in the sealed file open at `file` (read through it, under the
    /// writer lock it holds), with the run's `tape.metrics.*` metadata applied.
    private static func recomputedMetrics(_ file: RawFile, metadata: [(key: String, value: String)]) throws -> RunMetrics {
        let reader = try TapeReader(file: file)
        var acc = MetricsAccumulator(options: try MetricsOptions().applying(metadata: metadata))
        try acc.feed(from: reader)
        return acc.finish()
    }

    /// The purpose in the temporary name of a salvaged file (`AtomicReplacement`).
    static let recoveryPurpose = "recover"

    /// Salvage: writes the plan's frames into a temporary file beside `path` (the prefix before
    /// `plan.prefixEnd` byte for byte, later frames moved up and their chunks renumbered), seals
    /// it, fsyncs it, renames it over `path` and fsyncs the directory. Memory: one frame.
    private static func rewrite(_ source: RawFile, path: String, plan: RecoveryPlan, metadata: RunMetadata.Pairs,
                                sections: [(tag: UInt64, bytes: [UInt8])], progress: Progress? = nil) throws -> Bool {
        let replacement = try AtomicReplacement(replacing: path, purpose: recoveryPurpose)
        let out = replacement.file
        // About the bytes to write (a renumbered chunk header may differ by a few bytes).
        let total = plan.frames.reduce(FileHeader.size) { $0 + $1.length }
        var position = 0 {
            didSet { progress?(.rewriting, min(position, total), total) }
        }
        func copy(_ offset: Int, _ count: Int) throws {
            var done = 0
            while done < count {
                let n = min(1 << 20, count - done)
                let bytes = try source.read(at: offset + done, count: n)
                try out.write(bytes)
                done += n
                position += n
            }
        }
        let prefixFrames = plan.frames.filter { $0.offset < plan.prefixEnd }
        try copy(0, prefixFrames.last.map { $0.offset + $0.length } ?? FileHeader.size)
        var offsets: [Int] = [], headerLengths: [Int: Int] = [:]
        for (i, f) in plan.frames.enumerated() {
            guard f.offset >= plan.prefixEnd else { offsets.append(f.offset); continue }
            offsets.append(position)
            guard let (h, rowStart) = f.chunk else { try copy(f.offset, f.length); continue }
            let headerLength = f.length - ChunkHeader.prefixSize - ChunkHeader.suffixSize - h.bodyLength
            let body = try source.read(at: f.offset + ChunkHeader.prefixSize + headerLength, count: h.bodyLength)
            var header = h
            header.rowStart = rowStart
            var w = ByteWriter(capacity: body.count + 256)
            headerLengths[i] = header.encodeFrame(body: body, into: &w)
            try out.write(w.bytes)
            position += w.count
        }
        progress?(.rewriting, position, position)   // every frame written: the exact total
        let tables = tableEntries(plan, offsets: offsets, headerLengths: headerLengths)
        let sealed = try seal(out, at: position, metadata: metadata, tables: tables, sections: sections)
        var st = stat()
        let identity = fstat(out.fd, &st) == 0 ? (device: UInt64(st.st_dev), inode: UInt64(st.st_ino)) : nil
        try replacement.commit()
        try source.close()
        if let identity {
            SummaryJournal.appendRecord(renamed: path, footer: sealed.footer, device: identity.device, inode: identity.inode)
        }
        return sealed.metrics
    }
}
