import TapeCodec
import TapeFormat

/// Checks a whole file: the footer's checksum and consistency, every chunk and metadata frame's
/// checksum, that each footer entry matches the chunk header it points at, that the frames exactly
/// fill the bytes between the file header and the footer, that every block decodes (checking
/// its own checksum in format 1.1), and that every block's statistics (min, max, NaN flag; the
/// null count is checked by decoding) describe its rows, as do those of each page of a PAGED
/// block (format 1.4), and that page groups (format 1.5) appear only in files of 1.5 or later
/// (their structure is checked by decoding). Blocks are decoded one at a time, so
/// memory stays within one chunk frame plus one decoded block (format-spec §7).
public enum Verifier {
    /// What `verify` found.
    public struct Report: Sendable, Equatable {
        public var path: String
        public var tables = 0
        public var chunks = 0
        public var rows = 0
        public var blocks = 0
        /// Each problem says what and where, the first `maxListed` of them; empty means the file
        /// is sound.
        public private(set) var problems: [String] = []
        /// Problems found, listed or not (a crafted file can have one per footer entry).
        public private(set) var problemCount = 0
        public var ok: Bool { problemCount == 0 }

        /// Most problems a report lists: memory stays bounded however many there are.
        public static let maxListed = 1000

        public init(path: String) { self.path = path }

        /// Records a problem (listed while fewer than `maxListed` are).
        public mutating func add(_ problem: String) {
            problemCount += 1
            if problems.count < Self.maxListed { problems.append(problem) }
        }
    }

    /// Verifies the file at `path`. Errors that stop the check early become problems; only a
    /// failure to open or read the file at all is thrown. The file is opened once and read
    /// through that one descriptor, so a compaction renaming a new file over `path` meanwhile
    /// cannot mix two files into one report.
    public static func verify(path: String) throws -> Report {
        let reader: TapeReader
        do {
            reader = try TapeReader(path: path)
        } catch let e as TapeError {
            if case .io = e { throw e }
            var report = Report(path: path)
            report.add(e.description)
            return report
        }
        return try verify(reader)
    }

    /// Verifies the file `reader` has open, reading it only through the reader's descriptor.
    static func verify(_ reader: TapeReader) throws -> Report {
        var report = Report(path: reader.path)
        let footer = reader.footer
        report.tables = footer.tables.count
        let scanned = try FrameScanner(file: reader.file).scan(limit: reader.footerOffset)
        switch scanned.end {
        case .limit: break
        case .footer(let at):
            report.add("a footer frame at offset \(at) lies before the footer at \(reader.footerOffset)")
        case .damaged(let at, let e):
            report.add("frame at offset \(at): \(e)")
        }
        let byOffset = Dictionary(scanned.chunks.map { ($0.frameOffset, $0) }, uniquingKeysWith: { a, _ in a })
        var referenced = Set<Int>()
        for table in footer.tables {
            for (i, entry) in table.chunks.enumerated() {
                report.chunks += 1
                report.rows += entry.rowCount
                referenced.insert(entry.frameOffset)
                let place = "table '\(table.name)' chunk \(i) (offset \(entry.frameOffset))"
                guard let frame = byOffset[entry.frameOffset] else {
                    if case .damaged(let at, _) = scanned.end, at <= entry.frameOffset { continue }  // already reported
                    report.add("\(place): the footer points at no chunk frame")
                    continue
                }
                let h = frame.header
                if h.tableName != table.name || h.schema != table.schema || h.rowStart != entry.rowStart
                    || h.rowCount != entry.rowCount || h.blocks != entry.blocks || frame.frameLength != entry.frameLength
                    || frame.bodyOffset != entry.bodyOffset {
                    report.add("\(place): footer entry does not match the chunk header")
                    continue
                }
                do {
                    try reader.forEachVerifiedBlock(table, chunk: i) { col, data, pages in
                        report.blocks += 1
                        if let lie = BlockStats.mismatch(stored: entry.blocks[col].stats, column: data) {
                            report.add("\(place) column \(NameRules.quoted(table.schema[col].name)): \(lie)")
                        }
                        // Page groups are format 1.5: an older file must not hold them (format-spec §5.5).
                        if let pages, pages.pagesPerGroup > 0, reader.formatMinorVersion < 5 {
                            report.add("\(place) column \(NameRules.quoted(table.schema[col].name)): PAGED block with page groups (format 1.5) in a format 1.\(reader.formatMinorVersion) file")
                        }
                        // A PAGED block's pages carry zone maps of their own (format 1.4).
                        for (k, page) in (pages?.pages ?? []).enumerated() {
                            guard let rows = pages?.rows(ofPage: k, rowCount: entry.rowCount) else { break }
                            if let lie = BlockStats.mismatch(stored: page.stats, column: data.slice(rows)) {
                                report.add("\(place) column \(NameRules.quoted(table.schema[col].name)) page \(k) (rows \(rows.lowerBound)..<\(rows.upperBound)): \(lie)")
                            }
                        }
                    }
                } catch {
                    report.add("\(place): \(error)")
                }
            }
        }
        for c in scanned.chunks where !referenced.contains(c.frameOffset) {
            report.add("chunk frame at offset \(c.frameOffset) (table '\(c.header.tableName)') is not in the footer")
        }
        return report
    }
}
