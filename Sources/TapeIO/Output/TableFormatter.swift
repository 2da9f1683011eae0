import TapeCodec
import TapeFormat

/// Aligned columns for a terminal:
///
///     ts                      equity  sym
///     --------------------  --------  ----
///     2019-01-01T00:00:00Z  100000.0  AAPL
///     2019-01-01T00:01:00Z      NULL  BRK
///
/// The first `sampleRows` rows are buffered to size the columns (widths count Unicode scalars;
/// East Asian wide characters are not special-cased); later rows stream with those widths. Cells
/// wider than `maxColumnWidth`, or than their column's width once streaming, are cut with `…`.
/// int64 and float64 columns (and their headers) are right-aligned, others left-aligned; nulls print as `NULL`;
/// control characters in strings are escaped (`\n`).
public final class TableFormatter: RecordFormatter {
    public let schema: Schema
    public let sampleRows: Int
    public let maxColumnWidth: Int
    private let sink: ByteSink
    private let rightAligned: [Bool]
    private var rendered = RenderedBatch()
    /// Buffered rows: each row's cells.
    private var pending: [[[UInt8]]] = []
    private var widths: [Int]?

    static let separator: [UInt8] = [0x20, 0x20]
    static let ellipsis: [UInt8] = Array("…".utf8)

    public convenience init(schema: Schema, sink: ByteSink) {
        self.init(schema: schema, sink: sink, sampleRows: 1000, maxColumnWidth: 40)
    }

    /// REQUIRES: `maxColumnWidth >= 1`.
    public init(schema: Schema, sink: ByteSink, sampleRows: Int, maxColumnWidth: Int) {
        self.schema = schema
        self.sink = sink
        self.sampleRows = max(0, sampleRows)
        self.maxColumnWidth = max(1, maxColumnWidth)
        rightAligned = schema.columns.map { $0.type == .int64 || $0.type == .float64 || $0.type == .duration }
    }

    public func write(_ batch: RecordBatch) throws {
        rendered.render(batch, style: .table)
        let columns = batch.columns.count
        for row in 0..<batch.count {
            let cells = (0..<columns).map { c in Array(rendered.bytes[rendered.range(column: c, row: row)]) }
            if let widths {
                sink.append { emit(cells, widths: widths, to: &$0) }
            } else {
                pending.append(cells)
                if pending.count >= sampleRows { startStreaming() }
            }
        }
        try sink.flushIfNeeded()
    }

    public func finish() throws {
        if widths == nil { startStreaming() }
        try sink.flush()
    }

    /// Fixes the widths from the header and buffered rows, prints them, and switches to streaming.
    private func startStreaming() {
        let header = schema.columns.map { Array(TerminalText.escape($0.name).utf8) }
        var w = header.map { TableFormatter.displayWidth($0) }
        for row in pending {
            for (c, cell) in row.enumerated() where c < w.count { w[c] = max(w[c], TableFormatter.displayWidth(cell)) }
        }
        w = w.map { min($0, maxColumnWidth) }
        widths = w
        let rows = pending
        pending = []
        sink.append { out in
            emit(header, widths: w, to: &out)
            for (c, width) in w.enumerated() {
                if c > 0 { out.append(contentsOf: TableFormatter.separator) }
                out.append(contentsOf: repeatElement(UInt8(ascii: "-"), count: width))
            }
            out.append(0x0A)
            for row in rows { emit(row, widths: w, to: &out) }
        }
    }

    private func emit(_ cells: [[UInt8]], widths: [Int], to out: inout [UInt8]) {
        for (c, cell) in cells.enumerated() where c < widths.count {
            if c > 0 { out.append(contentsOf: TableFormatter.separator) }
            let width = widths[c]
            let shown = TableFormatter.displayWidth(cell)
            let last = c == cells.count - 1
            if shown > width {
                TableFormatter.appendTruncated(cell, width: width, to: &out)
            } else if rightAligned[c] {
                out.append(contentsOf: repeatElement(0x20, count: width - shown))
                out.append(contentsOf: cell)
            } else {
                out.append(contentsOf: cell)
                if !last { out.append(contentsOf: repeatElement(0x20, count: width - shown)) }
            }
        }
        out.append(0x0A)
    }

    /// Number of Unicode scalars in UTF-8 `bytes` (bytes that are not continuation bytes).
    static func displayWidth(_ bytes: [UInt8]) -> Int {
        var n = 0
        for b in bytes where b & 0xC0 != 0x80 { n += 1 }
        return n
    }

    /// The first `width - 1` scalars of `cell`, then `…`.
    static func appendTruncated(_ cell: [UInt8], width: Int, to out: inout [UInt8]) {
        var scalars = 0
        var end = 0
        while end < cell.count {
            if cell[end] & 0xC0 != 0x80 {
                if scalars == width - 1 { break }
                scalars += 1
            }
            end += 1
        }
        out.append(contentsOf: cell[0..<end])
        out.append(contentsOf: ellipsis)
    }
}
