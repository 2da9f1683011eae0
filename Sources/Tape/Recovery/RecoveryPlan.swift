import TapeFormat

/// Which frames of a file without a usable footer recovery keeps, and where (format-spec §4,
/// §4.1): built from a frame scan, written by `Recovery`.
///
/// Default (point-in-time) mode keeps the longest prefix of frames that are valid and consistent:
/// it stops at the first damaged bytes, at a chunk that does not continue its table's rows or
/// changes its schema, and at a schema frame that contradicts a known table. Salvage mode keeps
/// every valid frame: it skips damaged stretches, drops chunks that overlap rows already kept or
/// change their table's schema, and renumbers the rows of chunks after a gap so that each table's
/// rows stay contiguous, recording each gap in `gaps`.
struct RecoveryPlan {
    /// A kept frame, in file order.
    struct Frame {
        var offset: Int
        var length: Int
        /// For a chunk frame: its header and the row_start it gets in the recovered file.
        var chunk: (header: ChunkHeader, rowStart: Int)?
    }

    /// The frames kept, in file order.
    var frames: [Frame] = []
    /// Frames before this offset stay where they are; kept frames from here on are rewritten
    /// (moved, and chunks renumbered). `Int.max` when nothing moves.
    var prefixEnd = Int.max
    /// Tables in order of first appearance: declared by a kept schema frame or a kept chunk.
    var tables: [(name: String, schema: Schema)] = []
    /// The last kept metadata frame (its pairs: `FrameScanner.pairs(of:)`); nil when there is none.
    var metadata: FrameScanner.Metadata?
    /// Rows lost in the middle of tables (salvage mode only).
    var gaps: [Recovery.Gap] = []
    /// Bytes of damaged stretches skipped (salvage mode only).
    var bytesSkipped = 0
    /// Valid chunk frames not kept (after the stopping point, or inconsistent in salvage mode).
    var chunksDropped = 0
    /// Why the scan stopped (or, in salvage mode, what was skipped first), if not at a clean end.
    var stopReason: String?

    /// End of the last kept frame, or of the file header.
    var dataEnd: Int { frames.last.map { $0.offset + $0.length } ?? FileHeader.size }
    var chunksKept: Int { frames.filter { $0.chunk != nil }.count }

    /// Plans the recovery of a scan (made with `resync` for salvage).
    init(_ scanned: FrameScanner.Result, salvage: Bool) {
        enum Item { case chunk(FrameScanner.Chunk), metadata(FrameScanner.Metadata), schemas(FrameScanner.Schemas),
                        skipped(FrameScanner.Skipped) }
        func offset(_ i: Item) -> Int {
            switch i {
            case .chunk(let c): return c.frameOffset
            case .metadata(let m): return m.frameOffset
            case .schemas(let s): return s.frameOffset
            case .skipped(let s): return s.offset
            }
        }
        let items = (scanned.chunks.map(Item.chunk) + scanned.metadata.map(Item.metadata)
                     + scanned.schemas.map(Item.schemas) + scanned.skipped.map(Item.skipped)).sorted { offset($0) < offset($1) }
        var schemaOf: [String: Schema] = [:]
        /// Per table: the original row number its next chunk should start at, and rows kept so far.
        var nextOriginal: [String: Int] = [:], kept: [String: Int] = [:]
        /// Set where a default-mode recovery ends (with `stopReason`): later frames are not kept.
        var stopped = false
        func declare(_ name: String, _ schema: Schema) {
            guard schemaOf[name] == nil else { return }
            schemaOf[name] = schema
            tables.append((name, schema))
        }
        /// From here on, kept frames move.
        func markMoved(_ at: Int) { prefixEnd = min(prefixEnd, at) }

        for item in items {
            if stopped {
                if case .chunk = item { chunksDropped += 1 }
                continue
            }
            switch item {
            case .skipped(let s):
                guard salvage else {
                    stopped = true
                    stopReason = stopReason ?? "offset \(s.offset): \(s.error)"
                    continue
                }
                stopReason = stopReason ?? "offset \(s.offset): \(s.error) (\(s.length) bytes skipped)"
                bytesSkipped += s.length
                markMoved(s.offset)
            case .metadata(let m):
                metadata = m
                frames.append(Frame(offset: m.frameOffset, length: m.frameLength))
            case .schemas(let s):
                if let bad = s.tables.first(where: { t in schemaOf[t.name].map { $0 != t.schema } ?? false }) {
                    let why = "schema frame at offset \(s.frameOffset) gives table '\(bad.name)' another schema"
                    guard salvage else {
                        stopped = true
                        stopReason = stopReason ?? why
                        continue
                    }
                    stopReason = stopReason ?? why
                    markMoved(s.frameOffset)
                    continue
                }
                for t in s.tables { declare(t.name, t.schema) }
                frames.append(Frame(offset: s.frameOffset, length: s.frameLength))
            case .chunk(let c):
                let h = c.header
                let expected = nextOriginal[h.tableName] ?? 0
                let problem: String? =
                    schemaOf[h.tableName].map { $0 != h.schema } == true ? "changes its schema"
                    : h.rowStart < expected ? "repeats rows \(h.rowStart)..<\(expected)"
                    : h.rowStart > expected && !salvage ? "does not continue its rows (row \(h.rowStart), expected \(expected))"
                    : nil
                if let problem {
                    let why = "chunk at offset \(c.frameOffset) of table '\(h.tableName)' \(problem)"
                    chunksDropped += 1
                    if salvage {
                        stopReason = stopReason ?? why
                        markMoved(c.frameOffset)
                    } else {
                        stopped = true
                        stopReason = stopReason ?? why
                    }
                    continue
                }
                let rowStart = kept[h.tableName] ?? 0
                if h.rowStart > expected {
                    gaps.append(Recovery.Gap(table: h.tableName, firstMissingRow: expected, missingRows: h.rowStart - expected,
                                             renumberedFrom: rowStart))
                    markMoved(c.frameOffset)
                }
                declare(h.tableName, h.schema)
                nextOriginal[h.tableName] = h.rowStart + h.rowCount
                kept[h.tableName] = rowStart + h.rowCount
                frames.append(Frame(offset: c.frameOffset, length: c.frameLength, chunk: (h, rowStart)))
            }
        }
        if !stopped {
            switch scanned.end {
            case .limit: break
            case .footer(let at): stopReason = stopReason ?? "an unusable footer at offset \(at)"
            case .damaged(let at, let e): stopReason = stopReason ?? "offset \(at): \(e)"
            }
        }
        // A frame kept after the first moved position moves too; nothing moves if none is kept there.
        if !frames.contains(where: { $0.offset >= prefixEnd }) { prefixEnd = Int.max }
    }
}
