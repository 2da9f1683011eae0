import TapeCodec
import TapeFormat

/// One JSON object per row (`{"name":value,...}` + LF), keys in schema order.
///
/// Nulls are `null`; NaN and infinities (not representable as JSON numbers) are the strings
/// `"NaN"`, `"Infinity"` and `"-Infinity"`, distinct from null (`tape import --ndjson` and
/// `tape ingest` read them back into float64 columns); timestamps
/// are ISO-8601 strings; strings are escaped per RFC 8259 (`\"`, `\\`, `\n`, `\u001f`, ...).
public final class JSONLFormatter: RecordFormatter {
    public let schema: Schema
    private let sink: ByteSink
    /// Write one JSON array of objects (`[{…},\n{…}]`) instead of one object per line.
    private let asArray: Bool
    private var rowsWritten = 0
    private var rendered = RenderedBatch()
    /// `{"name":` for the first column, `,"name":` for the others.
    private let keyPrefixes: [[UInt8]]

    public convenience init(schema: Schema, sink: ByteSink) {
        self.init(schema: schema, sink: sink, asArray: false)
    }

    public init(schema: Schema, sink: ByteSink, asArray: Bool) {
        self.schema = schema
        self.sink = sink
        self.asArray = asArray
        keyPrefixes = schema.columns.enumerated().map { i, c in
            var out: [UInt8] = [i == 0 ? UInt8(ascii: "{") : UInt8(ascii: ",")]
            var name = c.name
            name.withUTF8 { CellRenderer.appendJSONString(UnsafeRawBufferPointer($0), to: &out) }
            out.append(UInt8(ascii: ":"))
            return out
        }
    }

    public func write(_ batch: RecordBatch) throws {
        rendered.render(batch, style: .json)
        let columns = batch.columns.count
        let rows = batch.count
        let r = rendered
        let prefixes = keyPrefixes
        let asArray = self.asArray
        let before = rowsWritten
        rowsWritten += rows
        sink.append { out in
            r.bytes.withUnsafeBufferPointer { src in
                r.ends.withUnsafeBufferPointer { ends in
                    for row in 0..<rows {
                        if asArray {
                            out.append(before + row == 0 ? UInt8(ascii: "[") : UInt8(ascii: ","))
                            if before + row > 0 { out.append(0x0A) }
                        }
                        if columns == 0 { out.append(UInt8(ascii: "{")) }
                        for c in 0..<columns {
                            let i = c * rows + row
                            let lo = i == 0 ? 0 : ends[i - 1]
                            out.append(contentsOf: prefixes[c])
                            out.append(contentsOf: UnsafeBufferPointer(rebasing: src[lo..<ends[i]]))
                        }
                        out.append(UInt8(ascii: "}"))
                        if !asArray { out.append(0x0A) }
                    }
                }
            }
        }
        try sink.flushIfNeeded()
    }

    public func finish() throws {
        if asArray { sink.append { $0.append(contentsOf: Array((rowsWritten == 0 ? "[]\n" : "]\n").utf8)) } }
        try sink.flush()
    }
}

/// One JSON array holding an object per row (the same values as `JSONLFormatter`), for tools
/// that want a single JSON document.
public final class JSONFormatter: RecordFormatter {
    private let lines: JSONLFormatter
    public init(schema: Schema, sink: ByteSink) { lines = JSONLFormatter(schema: schema, sink: sink, asArray: true) }
    public func write(_ batch: RecordBatch) throws { try lines.write(batch) }
    public func finish() throws { try lines.finish() }
}
