import TapeCodec
import TapeFormat

/// Appends rows to one table of a `TapeWriter`. Obtained from `TapeWriter.declareTable`.
///
/// Rows are buffered per column and flushed as a chunk when the chunk's row or byte budget is
/// reached, so memory is bounded by one chunk per table whatever the run length. Not thread-safe.
public final class TableWriter {
    public let name: String
    public let schema: Schema
    unowned let file: TapeWriter
    var buffers: [ColumnBuffer]
    /// `schema[i].type`, kept flat for the per-value type checks of `RowBuilder`.
    let types: [ColumnType]
    /// Rows flushed to chunks so far.
    private(set) var flushedRows = 0
    /// Footer entries of the chunks written so far (plus those of an earlier session when appending).
    var chunks: [Footer.ChunkEntry] = []
    /// The file's chunk count when the oldest buffered row was appended (see `maxChunkLag`).
    var bufferedSinceChunk = 0
    /// The chunk count of the last `ChunkLagQueue` entry made for this table (-1: none).
    private var queuedSince = -1
    /// The chunk being buffered has its room in the file's index (`TapeWriter.reserveChunk`).
    private var chunkReserved = false
    private var setMarks: [UInt64]
    private var rowSerial: UInt64 = 1

    init(name: String, schema: Schema, file: TapeWriter) {
        self.name = name
        self.schema = schema
        self.file = file
        buffers = schema.columns.map { ColumnBuffer(type: $0.type, nullable: $0.nullable) }
        types = schema.columns.map(\.type)
        setMarks = [UInt64](repeating: 0, count: schema.count)
    }

    /// Continues after `rows` rows already in the file (append mode).
    func adoptFlushedRows(_ rows: Int) { flushedRows = rows }

    /// Rows appended so far (flushed or buffered).
    public var rowCount: Int { flushedRows + (buffers.first?.count ?? 0) }

    /// Position of column `name`; throws `unknownColumn`.
    public func columnIndex(_ column: String) throws -> Int {
        guard let i = schema.index(of: column) else { throw TapeError.unknownColumn(table: name, column: column) }
        return i
    }

    /// Appends one row: `body` sets columns through the builder; unset nullable columns are null.
    /// If `body` throws, or a non-nullable column is unset, the row is rolled back entirely and the
    /// error rethrown: a table never holds half a row.
    public func appendRow(_ body: (inout RowBuilder) throws -> Void) throws {
        try file.checkOpen()
        let n = buffers[0].count
        if n == 0 { try startBuffering() }
        var row = RowBuilder(table: self, serial: rowSerial)
        do {
            try body(&row)
            for i in 0..<buffers.count where setMarks[i] != rowSerial {
                guard buffers[i].nullable else {
                    throw TapeError.nullInNonNullable(table: name, column: schema[i].name)
                }
                buffers[i].appendNull()
            }
        } catch {
            for i in 0..<buffers.count { buffers[i].truncate(to: n) }
            rowSerial &+= 1
            throw error
        }
        rowSerial &+= 1
        try flushIfFull()
    }

    /// Appends one row from values in schema order (`.null` for null). Convenient for generic
    /// ingestion; typed `appendRow` is faster.
    public func append(values: [Value]) throws {
        guard values.count == schema.count else {
            throw TapeError.badBatch(table: name, reason: "row has \(values.count) values, schema has \(schema.count) columns")
        }
        try appendRow { row in
            for (i, v) in values.enumerated() { try row.set(i, v) }
        }
    }

    /// Appends a batch of columns, one `ColumnData` per schema column, all with the same row count.
    /// Types must match the schema (a timestamp or duration column takes `.int64` storage, a
    /// `.constant` is spread to its rows; `.interval` values, a query's, are refused); nulls in a
    /// non-nullable column are rejected before anything is appended.
    public func append(columns given: [ColumnData]) throws {
        try file.checkOpen()
        guard given.count == schema.count else {
            throw TapeError.badBatch(table: name, reason: "\(given.count) columns given, schema has \(schema.count)")
        }
        let columns = given.map { $0.spread() }
        let rows = columns.first?.count ?? 0
        for (i, c) in columns.enumerated() {
            let def = schema[i]
            guard c.count == rows else {
                throw TapeError.badBatch(table: name, reason: "column '\(def.name)' has \(c.count) rows, expected \(rows)")
            }
            guard c.type == def.type, Self.storageMatches(c.storage, def.type) else {
                let got = if case .interval = c.storage { "a batch of INTERVAL values" } else { "\(c.type) batch" }
                throw TapeError.typeMismatch(table: name, column: def.name, expected: def.type, got: got)
            }
            if !def.nullable && c.nullCount > 0 { throw TapeError.nullInNonNullable(table: name, column: def.name) }
            if let problem = Self.stringProblem(c) {
                throw TapeError.badBatch(table: name, reason: "column '\(def.name)': \(problem)")
            }
        }
        var start = 0
        while start < rows {
            if buffers[0].count == 0 { try startBuffering() }
            let room = file.options.rowsPerChunk - buffers[0].count
            let take = rowsFitting(columns, from: start, upTo: start + min(room, rows - start))
            let before = buffers[0].count
            for i in 0..<columns.count {
                do { try buffers[i].append(columns[i], range: start..<(start + take)) } catch {
                    // No half-appended rows: every column goes back to the rows it had.
                    for j in 0...i { buffers[j].truncate(to: before) }
                    throw TapeError.stringsTooLarge(table: name, column: schema[i].name, error)
                }
            }
            start += take
            try flushIfFull(checkBytes: true)
        }
    }

    /// Why a string column's storage is malformed (offsets out of order or past the bytes,
    /// dictionary indices out of range), or nil.
    static func stringProblem(_ c: ColumnData) -> String? {
        switch c.storage {
        case .strings(let s):
            guard s.offsets.first == 0 else { return "string offsets must start at 0" }
            var prev: UInt32 = 0
            for o in s.offsets {
                guard o >= prev else { return "string offsets decrease" }
                prev = o
            }
            guard Int(prev) <= s.bytes.count else { return "string offsets point past the bytes" }
            let valid = s.bytes.withUnsafeBytes { UTF8Validation.isValid($0, 0..<Int(prev)) }
            return valid ? nil : "strings are not valid UTF-8"
        case .dictionary(let e, let idx):
            if let p = stringProblem(ColumnData(type: .string, storage: .strings(e))) { return "dictionary: " + p }
            for (row, i) in idx.enumerated() where Int(i) >= e.count && !c.isNull(row) {
                return "dictionary index \(i) at row \(row) is out of range (\(e.count) entries)"
            }
            return nil
        default:
            return nil
        }
    }

    static func storageMatches(_ s: ColumnLayout, _ t: ColumnType) -> Bool {
        switch (s, t) {
        case (.int64, .int64), (.int64, .timestamp), (.int64, .duration), (.float64, .float64), (.bool, .bool),
             (.strings, .string), (.dictionary, .string): return true
        default: return false
        }
    }

    /// Flushes when the chunk holds `rowsPerChunk` rows or `bytesPerChunk` bytes. Bytes are summed
    /// every 256 rows (or when `checkBytes`): between two checks a table of at most 4096 columns
    /// buffers < 19 MiB besides its strings, within the margin `maxBytesPerChunk` leaves below
    /// the format's decoded-size limit.
    private func flushIfFull(checkBytes: Bool = false) throws {
        let n = buffers[0].count
        if n >= file.options.rowsPerChunk || ((checkBytes || n & 255 == 0) && bufferedBytes >= file.options.bytesPerChunk) {
            try flush()
        }
    }

    /// How many rows of `columns` from `start` (before `end`) fit in what is left of the chunk's
    /// byte budget: at least 1, so that every batch makes progress.
    private func rowsFitting(_ columns: [ColumnData], from start: Int, upTo end: Int) -> Int {
        var budget = file.options.bytesPerChunk - bufferedBytes
        let fixed = columns.reduce(0) { $0 + ColumnBuffer.rowBytes($1.type) }
        let strings = columns.filter { $0.type == .string }
        if strings.isEmpty { return max(1, min(end - start, budget / fixed)) }
        // Every row fits when even an upper bound of the range's string bytes does.
        let bound = strings.reduce(0) { $0 + Self.stringBytesBound($1, start..<end) }
        if (end - start) * fixed + bound <= budget { return end - start }
        var r = start
        while r < end {
            var cost = fixed
            for c in strings where !c.isNull(r) { cost += c.utf8Count(at: r) }
            guard cost <= budget || r == start else { break }
            budget -= cost
            r += 1
        }
        return max(1, r - start)
    }

    /// At least the UTF-8 bytes of rows `range` of the string column `c`.
    private static func stringBytesBound(_ c: ColumnData, _ range: Range<Int>) -> Int {
        switch c.storage {
        case .strings(let s): return Int(s.offsets[range.upperBound] - s.offsets[range.lowerBound])
        case .dictionary(let e, _):
            var longest = 0
            for i in 0..<e.count { longest = max(longest, e.range(i).count) }
            return longest * range.count
        default: return 0
        }
    }

    private var bufferedBytes: Int { buffers.reduce(0) { $0 + $1.byteSize } }

    /// Marks the start of a new buffer: reserves the chunk's room in the file's index (throwing,
    /// before any row is accepted, when there is none), and queues the table for the
    /// `maxChunkLag` rule (once per chunk count, so rows rolled back on an empty buffer do not
    /// grow the queue).
    private func startBuffering() throws {
        if !chunkReserved {
            try file.reserveChunk(of: self)
            chunkReserved = true
        }
        bufferedSinceChunk = file.chunksWritten
        guard queuedSince != bufferedSinceChunk else { return }
        queuedSince = bufferedSinceChunk
        file.startedBuffering(self)
    }

    /// Rows buffered for the next chunk.
    var bufferedRows: Int { buffers[0].count }

    /// Writes the buffered rows as one chunk (no-op when nothing is buffered), then lets the file
    /// flush tables that lag behind.
    func flush() throws {
        let n = buffers[0].count
        guard n > 0 else { return }
        let entry = try file.writeChunk(of: self, rowStart: flushedRows, rowCount: n)
        chunkReserved = false
        chunks.append(entry)
        flushedRows += n
        try file.chunkWritten(by: self)
    }

    // MARK: Row building, used by RowBuilder

    func mark(_ column: Int, serial: UInt64) throws {
        guard column >= 0 && column < types.count else {
            throw TapeError.invalidArgument("column index \(column) out of range for table '\(name)' (\(buffers.count) columns)")
        }
        guard setMarks[column] != serial else { throw TapeError.columnSetTwice(table: name, column: schema[column].name) }
        setMarks[column] = serial
    }

    func mismatch(_ column: Int, _ got: String) -> TapeError {
        .typeMismatch(table: name, column: schema[column].name, expected: schema[column].type, got: got)
    }
}
