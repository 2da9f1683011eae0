import TapeCodec
import TapeFormat

/// Takes batches of rows as columns: what `IngestSession` hands its tables. The engine's
/// `TableWriter.append(columns:)` has exactly this shape.
public protocol ColumnBatchSink: AnyObject {
    /// Appends `columns` (one per schema column, equal row counts, types matching the schema).
    func append(columns: [ColumnData]) throws
}

/// Accumulates rows of `Value`s into `ColumnData` batches for a schema.
///
/// REQUIRES: every appended row has one value per schema column, each `.null` or of the column's
/// type (`.int` for float64 and timestamp columns too) — what `JSONRowConverter` produces. Nulls
/// are kept in a validity bitmap with a placeholder value, as `ColumnData` specifies.
struct ColumnBatchBuilder {
    let schema: Schema
    private var columns: [Accumulator]
    /// Rows appended since the last `take()`.
    private(set) var count = 0

    init(schema: Schema) {
        self.schema = schema
        columns = schema.columns.map { Accumulator(type: $0.type) }
    }

    mutating func append(_ row: [Value]) {
        for i in 0..<columns.count { columns[i].append(row[i]) }
        count += 1
    }

    // Typed appends, one value per column, then `endRow()`: the ingest fast path.
    // REQUIRES: each column gets exactly one value of its type (or null) per row.
    mutating func appendInt(_ column: Int, _ v: Int64) { columns[column].appendInt(v) }
    mutating func appendDouble(_ column: Int, _ v: Double) { columns[column].appendDouble(v) }
    mutating func appendBool(_ column: Int, _ v: Bool) { columns[column].appendBool(v) }
    mutating func appendString(_ column: Int, _ utf8: UnsafeRawBufferPointer) { columns[column].appendString(utf8) }
    mutating func appendNull(_ column: Int) { columns[column].appendNull() }
    mutating func endRow() { count += 1 }

    /// Most string bytes a batch collects before it counts as full (whatever its row count), so
    /// that a column's strings stay far below the 4 GiB one string array addresses.
    static let maxStringBytes = 1 << 28

    /// UTF-8 bytes of the strings appended since the last `take()`.
    var stringBytes: Int { columns.reduce(0) { $0 + $1.strings.bytes.count } }

    /// Whether the batch should be handed on: `rows` rows or `maxStringBytes` of strings.
    func isFull(rows: Int) -> Bool { count >= rows || stringBytes >= ColumnBatchBuilder.maxStringBytes }

    /// The rows appended so far as columns; the builder is empty afterwards. Throws when one
    /// column's strings passed 4 GiB (a single value that long; the batch is dropped).
    mutating func take() throws(StringArrayOverflow) -> [ColumnData] {
        count = 0
        let out = (0..<columns.count).map { columns[$0].take() }
        for i in 0..<columns.count {
            if let e = columns[i].overflow {
                columns[i].overflow = nil
                throw e
            }
        }
        return out
    }

    private struct Accumulator {
        let type: ColumnType
        var ints: [Int64] = []
        var doubles: [Double] = []
        var bools = Bitmap()
        var strings = StringArray()
        var validity = Bitmap()
        var nulls = 0
        /// Set when a string did not fit (4 GiB); `take()` then throws it.
        var overflow: StringArrayOverflow?

        init(type: ColumnType) { self.type = type }

        mutating func append(_ v: Value) {
            switch (type, v) {
            case (.int64, .int(let x)), (.timestamp, .int(let x)), (.timestamp, .timestamp(let x)), (.duration, .int(let x)): appendInt(x)
            case (.float64, .double(let x)): appendDouble(x)
            case (.float64, .int(let x)): appendDouble(Double(x))
            case (.bool, .bool(let x)): appendBool(x)
            case (.string, .string(var s)): s.withUTF8 { appendString(UnsafeRawBufferPointer($0)) }
            default: appendNull()  // null (or, against the precondition, a mismatched value)
            }
        }

        @inline(__always) mutating func appendInt(_ x: Int64) { ints.append(x); validity.append(true) }
        @inline(__always) mutating func appendDouble(_ x: Double) { doubles.append(x); validity.append(true) }
        @inline(__always) mutating func appendBool(_ x: Bool) { bools.append(x); validity.append(true) }
        @inline(__always) mutating func appendString(_ b: UnsafeRawBufferPointer) {
            do { try strings.append(utf8: b) } catch {
                overflow = error
                strings.appendEmpty()
            }
            validity.append(true)
        }

        /// A null: a placeholder slot and a 0 validity bit.
        mutating func appendNull() {
            switch type {
            case .int64, .timestamp, .duration: ints.append(0)
            case .float64: doubles.append(0)
            case .bool: bools.append(false)
            case .string: strings.appendEmpty()
            }
            validity.append(false)
            nulls += 1
        }

        mutating func take() -> ColumnData {
            let storage: ColumnLayout
            switch type {
            case .int64, .timestamp, .duration: storage = .int64(ints); ints.removeAll(keepingCapacity: true)
            case .float64: storage = .float64(doubles); doubles.removeAll(keepingCapacity: true)
            case .bool: storage = .bool(bools); bools.removeAll(keepingCapacity: true)
            case .string: storage = .strings(strings); strings.removeAll(keepingCapacity: true)
            }
            let column = ColumnData(type: type, storage: storage, validity: nulls > 0 ? validity : nil)
            validity.removeAll(keepingCapacity: true)
            nulls = 0
            return column
        }
    }
}
