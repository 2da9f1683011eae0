import TapeFormat

/// Rebuilds the footer of a file whose writer died (format-spec §4): keeps the longest prefix of
/// frames whose checksums hold, drops the torn tail, and seals the file with a footer built from
/// the kept chunks' headers and the metadata of the last kept metadata frame.
public enum Recovery {
    /// What `recover` kept and dropped.
    public struct Report: Sendable, Equatable {
        public var path: String
        /// The file already had a valid trailer and footer; nothing was changed.
        public var wasSealed = false
        public var chunksKept = 0
        /// Rows kept per table, in first-seen order.
        public var rowsKept: [String: Int] = [:]
        /// Bytes cut from the end (the torn tail, and any old footer).
        public var bytesDropped = 0
        /// Why the scan stopped where it did, if not at a clean end.
        public var stopReason: String?
        /// Chunks after the good prefix that were valid but could not be kept (a table's rows
        /// would not be contiguous, or its schema changed).
        public var chunksDropped = 0
        /// The run metadata was restored from a metadata frame (format 1.1); false when the file
        /// had none (format 1.0 writers, or a writer killed before writing one).
        public var metadataRestored = false
        /// The run metrics (stored only in the lost footer) were recomputed from the kept rows.
        public var metricsRecomputed = false
    }

    /// Recovers `path` in place. With `dryRun` nothing is written. A sealed, valid file is left
    /// untouched. The recovered file's metadata is that of the last complete metadata frame in
    /// the kept prefix (none in 1.0 files), then `tape.recovered = true`, then what `metadata`
    /// supplies (replacing restored keys of the same name). Takes the file's writer lock first:
    /// throws `TapeError.locked` while another writer (an append, a compaction) holds it.
    public static func recover(path: String, dryRun: Bool = false, metadata: [String: String] = [:]) throws -> Report {
        var report = Report(path: path)
        // Under the writer lock (on the file the path names now), so that a file another writer
        // is appending to or compacting is neither taken for unsealed nor rewritten.
        let file = try RawFile.openLocked(path, access: dryRun ? .readOnly : .readWrite)
        if (try? TapeReader(file: file)) != nil {
            report.wasSealed = true
            return report
        }
        let size = try file.size()
        guard size >= FileHeader.size else {
            throw TapeError.corrupt(path: path, .truncated(what: "file header", offset: 0, needed: FileHeader.size, available: size))
        }
        do { try FileHeader.validate(try file.read(at: 0, count: FileHeader.size)) } catch let e as FormatError {
            throw TapeError.corrupt(path: path, e)
        }
        if size >= FileHeader.size + Trailer.size, let v = Trailer.claimedVersion(try file.read(at: size - Trailer.size, count: Trailer.size)),
           v.major != FileHeader.majorVersion {
            throw TapeError.corrupt(path: path, .unsupportedVersion(major: v.major, minor: v.minor))   // §2.2: not "unsealed"
        }
        let salvage = try salvage(file, size: size)
        report.stopReason = salvage.stopReason
        report.chunksKept = salvage.chunksKept
        report.chunksDropped = salvage.chunksDropped
        report.metadataRestored = salvage.metadata != nil
        let tables = salvage.tables
        let dataEnd = salvage.dataEnd
        for t in tables { report.rowsKept[t.name] = t.rowCount }
        report.bytesDropped = size - dataEnd
        guard !dryRun else { return report }
        var meta = (salvage.metadata ?? []).filter { $0.key != "tape.recovered" }
        meta.append(("tape.recovered", "true"))
        for (k, v) in metadata.sorted(by: { $0.key < $1.key }) where k != "tape.recovered" {
            if let i = meta.firstIndex(where: { $0.key == k }) { meta[i].value = v } else { meta.append((k, v)) }
        }
        try writeFooter(Footer(metadata: meta, tables: tables), file, at: dataEnd)
        // The metrics section lived in the lost footer: recompute it from the kept rows (now that
        // the file reads as sealed) and seal again with it. A crash in between leaves the first,
        // valid footer.
        if let metrics = try? recomputedMetrics(path: path, metadata: meta), !metrics.entries.isEmpty {
            try writeFooter(Footer(metadata: meta, tables: tables, sections: [(RunMetrics.sectionTag, metrics.sectionBytes())]), file, at: dataEnd)
            report.metricsRecomputed = true
        }
        try file.close()
        return report
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

    /// The run metrics of the rows in the sealed file at `path`, with the run's `tape.metrics.*`
    /// metadata applied.
    private static func recomputedMetrics(path: String, metadata: [(key: String, value: String)]) throws -> RunMetrics {
        let reader = try TapeReader(path: path)
        var acc = MetricsAccumulator(options: try MetricsOptions().applying(metadata: metadata))
        try acc.feed(from: reader)
        return acc.finish()
    }

    /// The tables rebuilt from the longest prefix of valid frames of an unsealed file.
    struct Salvage {
        var tables: [Footer.TableEntry] = []
        /// The pairs of the last kept metadata frame; nil when there is none.
        var metadata: RunMetadata.Pairs?
        /// End of the last kept frame.
        var dataEnd = FileHeader.size
        var chunksKept = 0
        var chunksDropped = 0
        var stopReason: String?
    }

    /// Scans `file` (of `size` bytes, header already valid) and rebuilds its tables from the chunk
    /// headers, stopping at the first frame that is torn, damaged, or does not continue its table.
    static func salvage(_ file: RawFile, size: Int) throws -> Salvage {
        var s = Salvage()
        let scanned = try FrameScanner(file: file).scan(limit: size)
        let chunks = scanned.chunks
        var cut = Int.max   // frames from here on are not kept
        switch scanned.end {
        case .limit: break
        case .footer(let at): s.stopReason = "an unusable footer at offset \(at)"
        case .damaged(let at, let e): s.stopReason = "offset \(at): \(e)"
        }
        var index: [String: Int] = [:]
        for c in chunks {
            let h = c.header
            let t = index[h.tableName] ?? {
                s.tables.append(Footer.TableEntry(name: h.tableName, schema: h.schema, rowCount: 0, chunks: []))
                index[h.tableName] = s.tables.count - 1
                return s.tables.count - 1
            }()
            guard s.tables[t].schema == h.schema, s.tables[t].rowCount == h.rowStart else {
                s.chunksDropped = chunks.count - s.chunksKept
                s.stopReason = "chunk at offset \(c.frameOffset) of table '\(h.tableName)' does not continue its rows"
                cut = c.frameOffset
                break
            }
            s.tables[t].chunks.append(Footer.ChunkEntry(frameOffset: c.frameOffset, frameLength: c.frameLength,
                                                        bodyOffset: c.bodyOffset, rowStart: h.rowStart,
                                                        rowCount: h.rowCount, blocks: h.blocks))
            s.tables[t].rowCount += h.rowCount
            s.chunksKept += 1
            s.dataEnd = c.frameOffset + c.frameLength
        }
        s.tables.removeAll { $0.chunks.isEmpty }
        if let last = scanned.metadata.last(where: { $0.frameOffset < cut }) {
            s.metadata = last.pairs
            s.dataEnd = max(s.dataEnd, last.frameOffset + last.frameLength)
        }
        return s
    }
}
