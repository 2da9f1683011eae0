import Tape
import TapeCodec
import TapeFormat

/// One chunk of one run's table to scan, with where each needed slot's column sits in that run.
struct ScanTask {
    let run: Int
    let table: Footer.TableEntry
    let chunk: Int
    /// For each needed slot: the column index in this run's table, or nil (NULL / run-constant).
    let columnIndex: [Int?]
    /// Stored bytes of the blocks this task reads.
    let bytes: Int
}

/// What a query read and skipped, per table (for EXPLAIN and `--explain`).
public struct ScanStats: Sendable, CustomStringConvertible {
    public var table: String
    public var runs = 0
    public var runsSkipped = 0
    public var runsWithoutTable = 0
    public var chunks = 0
    public var chunksRead = 0
    public var chunksSkipped = 0
    public var bytesRead = 0
    public var bytesSkipped = 0
    public var rowsScanned = 0
    public var rowsMatched = 0
    /// Pages of the PAGED blocks of zone-map predicate columns in the chunks read (format 1.4), and
    /// of those the pages their page zone maps left to decode.
    public var pages = 0
    public var pagesRead = 0
    /// The aggregates were answered from the footer's statistics; no block was read.
    public var answeredFromStatistics = false

    /// Chunks that survived the zone maps but were never read because LIMIT was already met.
    public var chunksNotNeeded: Int { chunks - chunksRead - chunksSkipped }

    public var description: String {
        var s = "table \(table): \(runs) run\(runs == 1 ? "" : "s")"
        if runsSkipped > 0 { s += " (\(runsSkipped) skipped by run filters)" }
        if runsWithoutTable > 0 { s += ", \(runsWithoutTable) without this table" }
        s += "; chunks read \(chunksRead) of \(chunks), skipped \(chunksSkipped) (zone maps and run filters)"
        if chunksNotNeeded > 0 { s += ", not needed after LIMIT \(chunksNotNeeded)" }
        if pages > 0 { s += "; pages \(pagesRead) of \(pages) (page zone maps)" }
        s += "; bytes read \(bytesRead), skipped \(bytesSkipped); rows scanned \(rowsScanned), matched \(rowsMatched)"
        if answeredFromStatistics { s += "; answered from footer statistics (row counts, null counts, zone maps)" }
        return s
    }
}
