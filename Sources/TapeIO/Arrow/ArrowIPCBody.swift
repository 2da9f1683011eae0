import TapeCodec
import TapeFormat

/// The body of a RecordBatch or DictionaryBatch message: the buffers of its arrays back to back,
/// each padded to 8 bytes, with their (offset, length) and one FieldNode per array.
/// Layouts (Arrow columnar format): validity bitmap (length 0 when the array has no nulls),
/// then int64/float64/timestamp values (8 bytes a row), bool values (1 bit a row, LSB first),
/// utf8 int32 offsets (rows + 1) and bytes, or dictionary int32 indices.
struct ArrowIPCBody {
    var bytes: [UInt8] = []
    var nodes: [(length: Int, nulls: Int)] = []
    var buffers: [(offset: Int, length: Int)] = []

    mutating func buffer(_ data: UnsafeRawBufferPointer) {
        buffers.append((bytes.count, data.count))
        bytes += data
        while bytes.count % 8 != 0 { bytes.append(0) }
    }

    mutating func buffer(_ data: [UInt8]) { data.withUnsafeBytes { buffer($0) } }

    mutating func validity(_ column: ColumnData, rows: Int) {
        let nulls = column.nullCount
        nodes.append((rows, nulls))
        guard nulls > 0, let v = column.validity else { return buffer([UInt8]()) }
        v.words.withUnsafeBytes { buffer(UnsafeRawBufferPointer(rebasing: $0[0..<((rows + 7) / 8)])) }
    }

    /// Appends `column` as a plain array (dictionary strings materialised).
    mutating func column(_ column: ColumnData) throws(ArrowIPCError) {
        if case .constant = column.storage { return try self.column(column.spread()) }
        let n = column.count
        validity(column, rows: n)
        switch column.storage {
        case .int64(let a): a.withUnsafeBytes { buffer($0) }
        case .float64(let a): a.withUnsafeBytes { buffer($0) }
        case .bool(let a):
            // Already Arrow's bit-packed layout.
            a.words.withUnsafeBytes { buffer(UnsafeRawBufferPointer(rebasing: $0[0..<((n + 7) / 8)])) }
        case .strings(let s):
            try strings(count: n) { i in s.range(i) } bytes: { out in
                for i in 0..<n { s.withUTF8(i) { out += $0 } }
            }
        case .dictionary(let e, let idx):
            try strings(count: n) { i in e.count == 0 ? 0..<0 : e.range(Int(idx[i])) } bytes: { out in
                for i in 0..<n where e.count > 0 { e.withUTF8(Int(idx[i])) { out += $0 } }
            }
        case .interval(let v):
            // Intervals travel as their text, as every output prints them.
            let text = v.map { Array($0.description.utf8) }
            var start = 0
            let starts = text.map { t in defer { start += t.count }; return start }
            try strings(count: n) { i in starts[i]..<(starts[i] + text[i].count) } bytes: { out in
                for t in text { out += t }
            }
        case .constant: break   // spread above
        }
    }

    /// int32 offsets of `count` strings whose lengths `range` gives, then their bytes.
    private mutating func strings(count: Int, _ range: (Int) -> Range<Int>, bytes fill: (inout [UInt8]) -> Void) throws(ArrowIPCError) {
        var offsets = [Int32](repeating: 0, count: count + 1)
        var total = 0
        for i in 0..<count {
            total += range(i).count
            guard total <= Int(Int32.max) else { throw .tooLarge }
            offsets[i + 1] = Int32(total)
        }
        offsets.withUnsafeBytes { buffer($0) }
        var data: [UInt8] = []
        data.reserveCapacity(total)
        fill(&data)
        buffer(data)
    }

    /// Appends the int32 indices of a dictionary column (nulls keep index 0).
    mutating func indices(_ column: ColumnData, _ idx: [UInt32]) {
        validity(column, rows: column.count)
        idx.map { Int32(bitPattern: $0) }.withUnsafeBytes { buffer($0) }
    }
}

/// Why an Arrow IPC stream could not be written.
public enum ArrowIPCError: Error, CustomStringConvertible {
    case tooLarge
    public var description: String {
        "a string column of one batch holds more than 2 GiB, more than int32 offsets address"
    }
}
