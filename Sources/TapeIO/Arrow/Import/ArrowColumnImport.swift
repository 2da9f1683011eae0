import CArrowABI
import TapeCodec
import TapeFormat

/// Copies one column of an Arrow record batch (C Data Interface `ArrowArray`) into a Tape
/// `ColumnData` of the table's column type, checking everything the C structure lets a consumer
/// check (arrow.apache.org/docs/format/Columnar.html):
///
/// - `length`, `offset` >= 0, `null_count` >= -1 (-1: unknown, counted from the bitmap), no
///   overflow in `offset + length`; the struct's offset applies on top of the child's own, and the
///   child holds at least `parent offset + rows` values;
/// - `n_buffers` as the layout has it (0 for null; validity + values; validity + offsets + data for
///   utf8) and every buffer the rows need non-NULL (validity may be NULL when there are no nulls);
/// - validity bits LSB first from bit `offset`; utf8 offsets (int32 or int64) non-negative and
///   non-decreasing; dictionary indices within the dictionary for every non-null row; UTF-8
///   validity is checked by `TableWriter.append(columns:)`.
///
/// Buffer sizes are not part of the C interface: a producer that lies about a buffer's length
/// (offsets within order but past the end of the data) cannot be detected here.
///
/// Converting to the table's column type never loses data: integers widen to float64 when they
/// are within ±2^53; floats go into an int64 column only when every value is integral and within
/// int64 (NaN becomes null there); anything else is refused naming the column and row.
package struct ArrowColumnImport {
    package let table: String
    package let field: ArrowField
    /// The column's type in the table.
    package let target: ColumnType

    package init(table: String, field: ArrowField, target: ColumnType) {
        self.table = table
        self.field = field
        self.target = target
    }

    /// The column's `count` values starting at the batch's `parentOffset`.
    package func read(_ array: UnsafePointer<ArrowArray>, parentOffset: Int, count: Int) throws(ArrowImportError) -> ColumnData {
        let view = try ArrayView(array, what: "column '\(field.name)'", parentOffset: parentOffset, count: count)
        if field.layout == .null {
            guard view.nBuffers == 0 || view.nBuffers == 1 else { throw fail("a null column has \(view.nBuffers) buffers, expected 0") }
            return Self.nulls(count, of: target)
        }
        if let values = field.dictionary { return try dictionaryColumn(view, values: values) }
        try view.expectBuffers(field.layout.bufferCount)
        var validity = try view.validity()
        let empty = count == 0
        switch (field.layout, target) {
        case (.bool, .bool):
            var bools = Bitmap(count: count, value: false)
            if !empty {
                let bits = try view.buffer(1).assumingMemoryBound(to: UInt8.self)
                if view.start == 0 {
                    bools = Bitmap(decoding: UnsafeRawBufferPointer(start: bits, count: (count + 7) / 8), count: count)
                } else {
                    bools = Bitmap(count: count) { i in
                        let b = view.start + i
                        return bits[b >> 3] & (1 << UInt8(b & 7)) != 0
                    }
                }
            }
            return ColumnData(type: .bool, storage: .bool(bools), validity: validity)
        case (.integer(let bytes, let signed), .int64):
            return ColumnData(type: .int64, storage: .int64(try integers(view, bytes: bytes, signed: signed, validity: validity)), validity: validity)
        case (.integer(let bytes, let signed), .float64):
            let ints = try integers(view, bytes: bytes, signed: signed, validity: validity)
            var doubles = [Double](repeating: 0, count: count)
            for i in 0..<count where validity?[i] ?? true {
                let v = ints[i]
                guard v.magnitude <= 1 << 53 else {
                    throw fail("row \(i) holds the integer \(v), which float64 (the column's type in this run) cannot hold exactly")
                }
                doubles[i] = Double(v)
            }
            return ColumnData(type: .float64, storage: .float64(doubles), validity: validity)
        case (.float(let bytes), .float64):
            return ColumnData(type: .float64, storage: .float64(try floats(view, bytes: bytes)), validity: validity)
        case (.float(let bytes), .int64):
            let doubles = try floats(view, bytes: bytes)
            var ints = [Int64](repeating: 0, count: count)
            for i in 0..<count where validity?[i] ?? true {
                let d = doubles[i]
                if d.isNaN {
                    if validity == nil { validity = Bitmap(count: count, value: true) }
                    validity![i] = false
                    continue
                }
                guard d.rounded(.towardZero) == d, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else {
                    throw fail("row \(i) holds \(d), but the column is int64 in this run (its first batch had integers); Tape never truncates: write the column as float from the start (e.g. astype(float)) or round it yourself")
                }
                ints[i] = Int64(d)
            }
            return ColumnData(type: .int64, storage: .int64(ints), validity: validity)
        case (.utf8(let large), .string):
            return ColumnData(type: .string, storage: .strings(try strings(view, large: large)), validity: validity)
        case (.scaled(let bytes, let nanos), .timestamp) where field.naturalType == .timestamp,
             (.scaled(let bytes, let nanos), .duration) where field.naturalType == .duration:
            let raw = try integers(view, bytes: bytes, signed: true, validity: validity)
            var out = raw
            if nanos != 1 {
                for i in 0..<count where validity?[i] ?? true {
                    let (v, overflow) = raw[i].multipliedReportingOverflow(by: nanos)
                    guard !overflow else { throw fail("row \(i): \(raw[i]) × \(nanos) ns is outside the int64 nanosecond range (years 1677...2262)") }
                    out[i] = v
                }
            }
            return ColumnData(type: target, storage: .int64(out), validity: validity)
        default:
            throw fail("its Arrow type does not fit the column's type \(target) in this run (a table's column types are fixed by its first batch; cast the column)")
        }
    }

    /// A column of `count` nulls of type `target` (also what a column left out of a batch gets).
    package static func nulls(_ count: Int, of target: ColumnType) -> ColumnData {
        let storage: ColumnLayout
        switch target {
        case .int64, .timestamp, .duration: storage = .int64([Int64](repeating: 0, count: count))
        case .float64: storage = .float64([Double](repeating: 0, count: count))
        case .bool: storage = .bool(Bitmap(count: count, value: false))
        case .string: storage = .strings(StringArray(bytes: [], offsets: [UInt32](repeating: 0, count: count + 1)))
        }
        return ColumnData(type: target, storage: storage, validity: Bitmap(count: count, value: false))
    }

    private func fail(_ reason: String) -> ArrowImportError {
        .invalid("column '\(field.name)' of table '\(table)': \(reason)")
    }

    /// Values of an integer buffer as Int64 (uint64 values above Int64.max are refused).
    private func integers(_ view: ArrayView, bytes: Int, signed: Bool, validity: Bitmap?) throws(ArrowImportError) -> [Int64] {
        let n = view.count
        guard n > 0 else { return [] }
        let base = try view.buffer(1) + view.start * bytes
        if bytes == 8 {
            let out = [Int64](unsafeUninitializedCapacity: n) { b, c in
                UnsafeMutableRawPointer(b.baseAddress!).copyMemory(from: base, byteCount: n * 8)
                c = n
            }
            if !signed {
                for i in 0..<n where out[i] < 0 && (validity?[i] ?? true) {
                    throw fail("row \(i) holds the uint64 \(UInt64(bitPattern: out[i])), above int64's maximum")
                }
            }
            return out
        }
        var out = [Int64](repeating: 0, count: n)
        switch (bytes, signed) {
        case (1, true): for i in 0..<n { out[i] = Int64(base.loadUnaligned(fromByteOffset: i, as: Int8.self)) }
        case (1, false): for i in 0..<n { out[i] = Int64(base.loadUnaligned(fromByteOffset: i, as: UInt8.self)) }
        case (2, true): for i in 0..<n { out[i] = Int64(base.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)) }
        case (2, false): for i in 0..<n { out[i] = Int64(base.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) }
        case (4, true): for i in 0..<n { out[i] = Int64(base.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)) }
        default: for i in 0..<n { out[i] = Int64(base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) }
        }
        return out
    }

    private func floats(_ view: ArrayView, bytes: Int) throws(ArrowImportError) -> [Double] {
        let n = view.count
        guard n > 0 else { return [] }
        let base = try view.buffer(1) + view.start * bytes
        if bytes == 8 {
            return [Double](unsafeUninitializedCapacity: n) { b, c in
                UnsafeMutableRawPointer(b.baseAddress!).copyMemory(from: base, byteCount: n * 8)
                c = n
            }
        }
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n { out[i] = Double(base.loadUnaligned(fromByteOffset: i * 4, as: Float.self)) }
        return out
    }

    /// utf8 / large utf8 values as a `StringArray` (offsets rebased to 0).
    private func strings(_ view: ArrayView, large: Bool) throws(ArrowImportError) -> StringArray {
        let n = view.count
        guard n > 0 else { return StringArray() }
        let offsetsBase = try view.buffer(1)
        func offset(_ i: Int) -> Int64 {
            large ? offsetsBase.loadUnaligned(fromByteOffset: (view.start + i) * 8, as: Int64.self)
                  : Int64(offsetsBase.loadUnaligned(fromByteOffset: (view.start + i) * 4, as: Int32.self))
        }
        let first = offset(0)
        guard first >= 0 else { throw fail("string offset \(first) at row 0 is negative") }
        var offsets = [UInt32](repeating: 0, count: n + 1)
        var previous = first
        for i in 1...n {
            let o = offset(i)
            guard o >= previous else { throw fail("string offsets decrease at row \(i - 1) (\(previous) then \(o))") }
            guard o - first <= Int64(UInt32.max) else { throw fail("the batch's strings take more than 4 GiB; write smaller batches") }
            offsets[i] = UInt32(o - first)
            previous = o
        }
        let total = Int(previous - first)
        var bytes = [UInt8](repeating: 0, count: total)
        if total > 0 {
            let data = try view.buffer(2)
            bytes.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: data + Int(first), byteCount: total) }
        }
        return StringArray(bytes: bytes, offsets: offsets)
    }

    /// A dictionary-encoded string column: indices checked against the dictionary; a row whose
    /// entry is null is null.
    private func dictionaryColumn(_ view: ArrayView, values: ArrowField.Layout) throws(ArrowImportError) -> ColumnData {
        guard target == .string else {
            throw fail("a dictionary of strings does not fit the column's type \(target) in this run")
        }
        guard case .integer(let bytes, let signed) = field.layout, case .utf8(let large) = values else {
            throw fail("unsupported dictionary layout")
        }
        try view.expectBuffers(2)
        guard let dictionary = view.array.dictionary else { throw fail("dictionary-encoded but the ArrowArray's dictionary is NULL") }
        guard dictionary.pointee.length >= 0 else { throw fail("the dictionary's length is negative") }
        guard dictionary.pointee.length <= Int64(UInt32.max) else { throw fail("the dictionary has more than 2^32 entries") }
        let entriesView = try ArrayView(UnsafePointer(dictionary), what: "the dictionary of column '\(field.name)'",
                                        parentOffset: 0, count: Int(dictionary.pointee.length))
        try entriesView.expectBuffers(3)
        let entryValidity = try entriesView.validity()
        let entries = try strings(entriesView, large: large)
        var validity = try view.validity()
        let raw = try integers(view, bytes: bytes, signed: signed, validity: validity)
        var indices = [UInt32](repeating: 0, count: view.count)
        for i in 0..<view.count where validity?[i] ?? true {
            let k = raw[i]
            guard k >= 0, k < Int64(entries.count) else {
                throw fail("dictionary index \(k) at row \(i) is outside the dictionary (\(entries.count) entries)")
            }
            if let entryValidity, !entryValidity[Int(k)] {
                if validity == nil { validity = Bitmap(count: view.count, value: true) }
                validity![i] = false
                continue
            }
            indices[i] = UInt32(k)
        }
        return ColumnData(type: .string, storage: .dictionary(entries: entries, indices: indices), validity: validity)
    }
}

extension ArrowField.Layout {
    /// `n_buffers` of an array of this layout.
    package var bufferCount: Int {
        switch self {
        case .null: return 0
        case .utf8: return 3
        default: return 2
        }
    }
}

/// The checked geometry of one `ArrowArray`: rows `start ..< start + count` of its buffers.
package struct ArrayView {
    package let array: ArrowArray
    package let what: String
    /// Physical index of the first row (the array's offset plus the parent's).
    package let start: Int
    package let count: Int
    package var nBuffers: Int { Int(array.n_buffers) }

    package init(_ pointer: UnsafePointer<ArrowArray>, what: String, parentOffset: Int, count: Int) throws(ArrowImportError) {
        array = pointer.pointee
        self.what = what
        self.count = count
        guard array.release != nil else { throw .invalid("\(what): the ArrowArray is released (release is NULL)") }
        guard array.length >= 0, array.offset >= 0, array.null_count >= -1, array.n_buffers >= 0 else {
            throw .invalid("\(what): negative length (\(array.length)), offset (\(array.offset)), buffer count or null count (\(array.null_count))")
        }
        let (end, o1) = Int64(parentOffset).addingReportingOverflow(Int64(count))
        guard !o1, end <= array.length else {
            throw .invalid("\(what): has \(array.length) values, the batch needs \(end) (offset \(parentOffset) + \(count) rows)")
        }
        let (s, o2) = array.offset.addingReportingOverflow(Int64(parentOffset))
        let (_, o3) = s.multipliedReportingOverflow(by: 64)
        guard !o2, !o3, s.addingReportingOverflow(Int64(count)).overflow == false else {
            throw .invalid("\(what): offset \(array.offset) overflows")
        }
        start = Int(s)
    }

    package func expectBuffers(_ n: Int) throws(ArrowImportError) {
        guard nBuffers == n else { throw .invalid("\(what): \(nBuffers) buffers, its type has \(n)") }
        guard n == 0 || array.buffers != nil else { throw .invalid("\(what): the buffers array is NULL") }
    }

    /// Buffer `i`, which must be non-NULL.
    package func buffer(_ i: Int) throws(ArrowImportError) -> UnsafeRawPointer {
        guard i < nBuffers, let buffers = array.buffers, let p = buffers[i] else {
            throw .invalid("\(what): buffer \(i) is NULL but the rows need it")
        }
        return p
    }

    /// The validity of the rows (nil: no nulls). A NULL validity buffer means every value is valid
    /// (a positive null count with it is refused).
    package func validity() throws(ArrowImportError) -> Bitmap? {
        guard array.null_count != 0, count > 0 else { return nil }
        guard nBuffers > 0, let buffers = array.buffers, let bits = buffers[0] else {
            guard array.null_count <= 0 else { throw .invalid("\(what): null_count is \(array.null_count) but the validity buffer is NULL") }
            return nil
        }
        var bitmap: Bitmap
        if start & 7 == 0 {
            bitmap = Bitmap(decoding: UnsafeRawBufferPointer(start: bits + start / 8, count: (count + 7) / 8), count: count)
        } else {
            bitmap = Bitmap(count: count, value: false)
            let bytes = bits.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count {
                let b = start + i
                if bytes[b >> 3] & (1 << UInt8(b & 7)) != 0 { bitmap[i] = true }
            }
        }
        if array.null_count > 0 && count - bitmap.popCount != Int(array.null_count) && start == Int(array.offset) && count == Int(array.length) {
            throw .invalid("\(what): null_count is \(array.null_count) but the validity bitmap has \(count - bitmap.popCount) nulls")
        }
        return bitmap.popCount == count ? nil : bitmap
    }
}
