import TapeCodec
import TapeFormat

/// Follows a run that may still be written (`tape top`): each `poll()` reads only the frames
/// appended since the last one, through complete, checksummed chunk and metadata frames (the
/// recovery scan of format-spec §4), never a torn or half-written one.
///
/// It takes no lock and never writes, so a writer is never blocked or refused. State is O(1) in
/// the file's length: the offset where the last walk stopped, row counts per table, the latest
/// metadata, and running figures of the equity curve (first, last, peak, worst drawdown) decoded
/// from the `equity` column of new `equity` chunks only. A frame that is incomplete at the end of
/// the file is simply read again at the next poll.
public final class LiveTail {
    /// What is known of the run so far.
    public struct State: Sendable {
        /// Rows per table in complete chunks.
        public var rows: [String: Int] = [:]
        /// The latest metadata (from the last complete metadata frame; the footer's once sealed).
        public var metadata: [String: String] = [:]
        public var firstEquity: Double?
        public var lastEquity: Double?
        public var peakEquity: Double?
        /// Worst drawdown so far, as a fraction ≤ 0 (equity / running peak − 1).
        public var maxDrawdown: Double = 0
        /// Last timestamp of the equity table's `ts` column (its first timestamp column).
        public var lastTimestamp: Int64?
        /// The file has a valid footer (its writer finished: closed or cancelled).
        public var sealed = false
        /// Bytes of the file walked so far.
        public var scannedBytes = 0
    }

    public let path: String
    /// The table and column followed as the equity curve.
    public let equityTable: String, equityColumn: String
    public private(set) var state = State()
    private var offset = FileHeader.size
    private let decoder = BlockDecoder()

    public init(path: String, equityTable: String = "equity", equityColumn: String = "equity") {
        self.path = path
        self.equityTable = equityTable
        self.equityColumn = equityColumn
    }

    /// Walks the frames appended since the last poll and returns the updated state. The file is
    /// opened read-only for the walk and closed after it (no lock).
    @discardableResult
    public func poll() throws -> State {
        guard !state.sealed else { return state }
        let file = try RawFile.openForReading(path)
        defer { try? file.close() }
        let size = try file.size()
        if offset == FileHeader.size {
            guard size >= FileHeader.size else { return state }
            _ = try FileHeader.validate(try file.read(at: 0, count: FileHeader.size))
        }
        let scanner = FrameScanner(file: file)
        let result = try scanner.scan(from: offset, limit: size)
        if let m = result.metadata.last {
            state.metadata = Dictionary(try scanner.pairs(of: m).map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
        }
        for c in result.chunks {
            state.rows[c.header.tableName, default: 0] += c.header.rowCount
            if c.header.tableName == equityTable { try follow(c, in: file) }
        }
        let lastFrame = (result.chunks.map { $0.frameOffset + $0.frameLength }
            + result.metadata.map { $0.frameOffset + $0.frameLength }
            + result.schemas.map { $0.frameOffset + $0.frameLength }).max()
        if let lastFrame { offset = lastFrame }
        if case .footer = result.end {
            // Sealed: the footer's metadata is final (tape.cancelled, tape.incomplete, ...).
            state.sealed = true
            if let reader = try? TapeReader(path: path) {
                state.metadata = Dictionary(reader.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
            }
        }
        state.scannedBytes = offset
        return state
    }

    /// Updates the running equity figures from chunk `c` of the equity table.
    private func follow(_ c: FrameScanner.Chunk, in file: RawFile) throws {
        let schema = c.header.schema
        var blockOffset = c.bodyOffset
        var equity: ColumnData?, time: ColumnData?
        let ts = schema.columns.firstIndex { $0.type == .timestamp }
        for (i, d) in c.header.blocks.enumerated() {
            defer { blockOffset += d.storedLength }
            let def = schema[i]
            guard (def.name == equityColumn && def.type == .float64) || i == ts else { continue }
            // A bound on what a valid block of these rows can hold (format-spec §7).
            let n = c.header.rowCount
            guard d.rawLength <= n / 8 + 1 + n * 8 + (n / 1024 + 1) * 12 + 64 else { continue }
            let stored = try file.read(at: blockOffset, count: d.storedLength)
            let column = try stored.withUnsafeBytes {
                try decoder.decode($0, descriptor: d, type: def.type, rowCount: n, offset: blockOffset)
            }
            if i == ts { time = column } else { equity = column }
        }
        if let equity, case .float64(let values) = equity.storage {
            for (r, v) in values.enumerated() where !equity.isNull(r) && v.isFinite {
                if state.firstEquity == nil { state.firstEquity = v }
                state.lastEquity = v
                let peak = max(state.peakEquity ?? v, v)
                state.peakEquity = peak
                if peak > 0 { state.maxDrawdown = min(state.maxDrawdown, v / peak - 1) }
            }
        }
        if let time, case .int64(let values) = time.storage, let r = (0..<values.count).last(where: { !time.isNull($0) }) {
            state.lastTimestamp = values[r]
        }
    }
}
