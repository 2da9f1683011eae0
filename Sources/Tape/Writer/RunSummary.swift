import Foundation
import TapeFormat

/// What a finished run hands back to its orchestrator instead of its data: a few hundred bytes to
/// a few KB of JSON whatever the run length (it grows with the number of tables and metadata keys,
/// never with rows).
public struct RunSummary: Codable, Sendable, Equatable {
    public struct Table: Codable, Sendable, Equatable {
        public var name: String
        public var rows: Int
        public var chunks: Int
        /// Bytes of the table's chunk frames.
        public var bytes: Int
        /// Min and max of the table's first timestamp column, as ISO-8601 UTC, when it has one.
        public var firstTimestamp: String?
        public var lastTimestamp: String?
    }

    public var path: String
    public var fileBytes: Int
    public var tables: [Table]
    /// Earliest and latest timestamp over all tables.
    public var firstTimestamp: String?
    public var lastTimestamp: String?
    public var progress: Progress
    public var metadata: [String: String]
    /// Wall-clock seconds from opening the writer to closing it.
    public var seconds: Double
    /// The run metrics stored in the footer (README "Run metrics"), nil when none were computed.
    public var metrics: RunMetrics?

    init(path: String, fileBytes: Int, footer: Footer, progress: Progress, seconds: Double) {
        self.path = path
        self.fileBytes = fileBytes
        self.progress = progress
        self.seconds = (seconds * 1000).rounded() / 1000
        metrics = try? RunMetrics(footer: footer)
        metadata = Dictionary(footer.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
        var lo: Int64?, hi: Int64?
        tables = footer.tables.map { t in
            let range = TimestampRange(of: t)
            if let r = range {
                lo = min(lo ?? r.lowerBound, r.lowerBound)
                hi = max(hi ?? r.upperBound, r.upperBound)
            }
            return Table(name: t.name, rows: t.rowCount, chunks: t.chunks.count,
                         bytes: t.chunks.reduce(0) { $0 + $1.frameLength },
                         firstTimestamp: range.map { Timestamps.format($0.lowerBound) },
                         lastTimestamp: range.map { Timestamps.format($0.upperBound) })
        }
        firstTimestamp = lo.map(Timestamps.format)
        lastTimestamp = hi.map(Timestamps.format)
    }

    /// The summary as compact JSON with sorted keys.
    public func json(pretty: Bool = false) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(self), as: UTF8.self)
    }
}

/// Min...max of a table's first timestamp column from its zone maps, or nil.
public func TimestampRange(of table: Footer.TableEntry) -> ClosedRange<Int64>? {
    guard let col = table.schema.columns.firstIndex(where: { $0.type == .timestamp }) else { return nil }
    var lo: Int64?, hi: Int64?
    for c in table.chunks {
        if case .int(let a)? = c.blocks[col].stats.min { lo = min(lo ?? a, a) }
        if case .int(let b)? = c.blocks[col].stats.max { hi = max(hi ?? b, b) }
    }
    guard let lo, let hi else { return nil }
    return lo...hi
}
