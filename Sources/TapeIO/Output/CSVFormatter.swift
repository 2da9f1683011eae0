import TapeCodec
import TapeFormat

/// RFC 4180 CSV: a header line of column names, then one line per row, LF line ends.
///
/// Cell spelling is `CellStyle.csv`: nulls are empty fields, strings are quoted only when needed
/// (and always when empty or spelling a null marker, so nulls and empty strings stay distinct),
/// floats are shortest round-trip with `.0` on integral values, timestamps ISO-8601 UTC.
public final class CSVFormatter: RecordFormatter {
    public let schema: Schema
    public let delimiter: UInt8
    public let includeHeader: Bool
    private let sink: ByteSink
    private var headerWritten = false
    private var rendered = RenderedBatch()

    public convenience init(schema: Schema, sink: ByteSink) {
        self.init(schema: schema, sink: sink, delimiter: UInt8(ascii: ","), includeHeader: true)
    }

    public init(schema: Schema, sink: ByteSink, delimiter: UInt8, includeHeader: Bool) {
        self.schema = schema
        self.sink = sink
        self.delimiter = delimiter
        self.includeHeader = includeHeader
    }

    private func writeHeaderIfNeeded() {
        guard !headerWritten else { return }
        headerWritten = true
        guard includeHeader else { return }
        sink.append { out in
            for (i, c) in schema.columns.enumerated() {
                if i > 0 { out.append(delimiter) }
                var name = c.name
                name.withUTF8 { CellRenderer.appendCSV(UnsafeRawBufferPointer($0), delimiter: delimiter, to: &out) }
            }
            out.append(0x0A)
        }
    }

    public func write(_ batch: RecordBatch) throws {
        writeHeaderIfNeeded()
        rendered.render(batch, style: .csv(delimiter: delimiter))
        let columns = batch.columns.count
        let rows = batch.count
        let delimiter = self.delimiter
        let r = rendered
        sink.append { out in
            r.bytes.withUnsafeBufferPointer { src in
                r.ends.withUnsafeBufferPointer { ends in
                    for row in 0..<rows {
                        for c in 0..<columns {
                            let i = c * rows + row
                            let lo = i == 0 ? 0 : ends[i - 1]
                            if c > 0 { out.append(delimiter) }
                            out.append(contentsOf: UnsafeBufferPointer(rebasing: src[lo..<ends[i]]))
                        }
                        out.append(0x0A)
                    }
                }
            }
        }
        try sink.flushIfNeeded()
    }

    public func finish() throws {
        writeHeaderIfNeeded()
        try sink.flush()
    }
}
