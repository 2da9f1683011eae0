import CArrowABI
import Testing
import TapeCodec
import TapeFormat
@testable import TapeArrowBridge

/// The C Data Interface structures libTapeArrow fills: buffers, bitmaps, counts and the release
/// protocol (arrow.apache.org "C Data Interface"), checked on the raw structures.
@Suite struct ArrowExportTests {
    static func batch() throws -> RecordBatch {
        var valid = Bitmap(count: 3, value: true)
        valid[1] = false
        let schema = try Schema([ColumnDef("i", .int64), ColumnDef("f", .float64), ColumnDef("b", .bool),
                                 ColumnDef("s", .string), ColumnDef("d", .string), ColumnDef("ts", .timestamp)])
        return RecordBatch(schema: schema, columns: [
            ColumnData(type: .int64, storage: .int64([1, 0, -3]), validity: valid),
            ColumnData(type: .float64, storage: .float64([.nan, 0, 2.5]), validity: valid),
            ColumnData(type: .bool, storage: .bool([true, false, true])),
            ColumnData(type: .string, storage: .strings(try StringArray(["a", "", "ünï"])), validity: valid),
            ColumnData(type: .string, storage: .dictionary(entries: try StringArray(["x", "yz"]), indices: [1, 0, 1])),
            ColumnData(type: .timestamp, storage: .int64([7, 8, 9])),
        ], count: 3)
    }

    @Test func columnsBecomeArrowBuffers() throws {
        let out = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
        defer { out.deallocate() }
        try ArrowArrayExport.export(try Self.batch(), into: out)
        let a = out.pointee
        #expect(a.length == 3 && a.null_count == 0 && a.n_buffers == 1 && a.n_children == 6 && a.buffers[0] == nil)
        func child(_ i: Int) -> ArrowArray { a.children[i]!.pointee }
        for i in 0..<6 {
            let c = child(i)
            #expect(c.length == 3 && c.offset == 0)
            for j in 0..<Int(c.n_buffers) {
                // Aligned to the element type at least (shared Swift arrays), as the C Data Interface asks.
                if let p = c.buffers[j] { #expect(Int(bitPattern: p) % 8 == 0, "child \(i) buffer \(j) is 8-byte aligned") }
            }
        }
        // int64 with a null: validity 0b101, exact null_count.
        #expect(child(0).null_count == 1)
        #expect(child(0).buffers[0]!.load(as: UInt8.self) == 0b101)
        #expect(child(0).buffers[1]!.load(fromByteOffset: 16, as: Int64.self) == -3)
        // NaN stays NaN and is valid.
        #expect(child(1).buffers[1]!.load(as: Double.self).isNaN)
        // bool: no validity buffer, values bit-packed LSB first.
        #expect(child(2).null_count == 0 && child(2).buffers[0] == nil)
        #expect(child(2).buffers[1]!.load(as: UInt8.self) == 0b101)
        // strings: int32 offsets + bytes; dictionary strings materialised.
        let s = child(3)
        #expect(s.n_buffers == 3)
        #expect((0..<4).map { s.buffers[1]!.load(fromByteOffset: $0 * 4, as: Int32.self) } == [0, 1, 1, 6])
        let d = child(4)
        #expect((0..<4).map { d.buffers[1]!.load(fromByteOffset: $0 * 4, as: Int32.self) } == [0, 2, 3, 5])
        #expect(String(decoding: UnsafeRawBufferPointer(start: d.buffers[2]!, count: 5), as: UTF8.self) == "yzxyz")
        out.pointee.release!(out)
        #expect(out.pointee.release == nil)
    }

    @Test func aMovedChildOutlivesItsReleasedParent() throws {
        let out = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
        let moved = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
        defer { out.deallocate(); moved.deallocate() }
        try ArrowArrayExport.export(try Self.batch(), into: out)
        // Move child 3 out (copy, then mark the source released), as the spec allows.
        moved.initialize(to: out.pointee.children[3]!.pointee)
        out.pointee.children[3]!.pointee.release = nil
        out.pointee.release!(out)
        #expect(out.pointee.release == nil)
        #expect(String(decoding: UnsafeRawBufferPointer(start: moved.pointee.buffers[2]!, count: 1), as: UTF8.self) == "a")
        moved.pointee.release!(moved)
        #expect(moved.pointee.release == nil)
    }

    @Test func schemaFormatsAndRelease() throws {
        let out = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
        defer { out.deallocate() }
        ArrowSchemaExport.export(try Self.batch().schema, into: out)
        #expect(String(cString: out.pointee.format) == "+s" && out.pointee.n_children == 6)
        let formats = (0..<6).map { String(cString: out.pointee.children[$0]!.pointee.format) }
        #expect(formats == ["l", "g", "b", "u", "u", "tsn:UTC"])
        #expect(String(cString: out.pointee.children[5]!.pointee.name) == "ts")
        #expect(out.pointee.children[0]!.pointee.flags == Int64(ARROW_FLAG_NULLABLE))
        out.pointee.release!(out)
        #expect(out.pointee.release == nil)
    }

    /// Addresses of an array's element storage.
    static func base<T>(_ a: [T]) -> UnsafeRawPointer? { a.withUnsafeBytes { $0.baseAddress } }

    /// Values, validity words, string offsets and bytes reach the consumer without a copy: the
    /// exported buffers are Tape's own arrays.
    @Test func buffersAreSharedNotCopied() throws {
        let batch = try Self.batch()
        let out = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
        defer { out.deallocate() }
        try ArrowArrayExport.export(batch, into: out)
        let a = out.pointee
        guard case .int64(let ints) = batch.columns[0].storage, case .strings(let s) = batch.columns[3].storage,
              case .bool(let bools) = batch.columns[2].storage,
              let valid = batch.columns[0].validity else { Issue.record("unexpected storage"); return }
        #expect(UnsafeRawPointer(a.children[0]!.pointee.buffers[1]!) == Self.base(ints))
        // Booleans are bit-packed in memory already: their words are the Arrow buffer.
        #expect(UnsafeRawPointer(a.children[2]!.pointee.buffers[1]!) == Self.base(bools.words))
        #expect(UnsafeRawPointer(a.children[0]!.pointee.buffers[0]!) == Self.base(valid.words))
        #expect(UnsafeRawPointer(a.children[3]!.pointee.buffers[1]!) == Self.base(s.offsets))
        #expect(UnsafeRawPointer(a.children[3]!.pointee.buffers[2]!) == Self.base(s.bytes))
        out.pointee.release!(out)
    }

    /// Dictionary columns (asked for) leave as `dictionary<values=utf8, indices=int32>`: indices
    /// and entries shared, plain batches of such a column dictionary-encoded; the dictionary
    /// schema and array are released with their column.
    @Test func dictionaryColumnsExportIndicesAndEntries() throws {
        let batch = try Self.batch()
        let schema = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
        let out = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
        defer { schema.deallocate(); out.deallocate() }
        ArrowSchemaExport.export(batch.schema, dictionaryColumns: [0, 3, 4], into: schema)
        let formats = (0..<6).map { String(cString: schema.pointee.children[$0]!.pointee.format) }
        #expect(formats == ["l", "g", "b", "i", "i", "tsn:UTC"], "only string columns become dictionaries")
        #expect(String(cString: schema.pointee.children[4]!.pointee.dictionary!.pointee.format) == "u")
        #expect(schema.pointee.children[0]!.pointee.dictionary == nil)
        schema.pointee.release!(schema)
        #expect(schema.pointee.release == nil)

        try ArrowArrayExport.export(batch, dictionaryColumns: [3, 4], into: out)
        guard case .dictionary(let entries, let indices) = batch.columns[4].storage else { Issue.record("not a dictionary"); return }
        let d = out.pointee.children[4]!.pointee
        #expect(d.n_buffers == 2 && d.length == 3)
        #expect(UnsafeRawPointer(d.buffers[1]!) == Self.base(indices))
        let dict = d.dictionary!.pointee
        #expect(dict.length == 2 && dict.null_count == 0 && dict.n_buffers == 3 && dict.buffers[0] == nil)
        #expect(UnsafeRawPointer(dict.buffers[2]!) == Self.base(entries.bytes))
        // The plain column ["a", NULL, "ünï"]: entries in first-seen order, the null row index 0.
        let p = out.pointee.children[3]!.pointee
        #expect(p.null_count == 1)
        #expect((0..<3).map { p.buffers[1]!.load(fromByteOffset: $0 * 4, as: Int32.self) } == [0, 0, 1])
        let pd = p.dictionary!.pointee
        #expect(pd.length == 2)
        #expect((0..<3).map { pd.buffers[1]!.load(fromByteOffset: $0 * 4, as: Int32.self) } == [0, 1, 6])
        // Moving the dictionary out, then releasing the parent, leaves it usable.
        let moved = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
        defer { moved.deallocate() }
        moved.initialize(to: out.pointee.children[4]!.pointee.dictionary!.pointee)
        out.pointee.children[4]!.pointee.dictionary!.pointee.release = nil
        out.pointee.release!(out)
        #expect(out.pointee.release == nil)
        #expect(String(decoding: UnsafeRawBufferPointer(start: moved.pointee.buffers[2]!, count: 3), as: UTF8.self) == "xyz")
        moved.pointee.release!(moved)
    }

    /// An all-NULL dictionary column with no entries still gets one (empty) entry for index 0.
    @Test func emptyDictionaryGetsAPlaceholderEntry() throws {
        var valid = Bitmap(count: 2, value: false)
        valid[0] = false
        let col = ColumnData(type: .string, storage: .dictionary(entries: StringArray(), indices: [0, 0]), validity: valid)
        let buffers = try ArrowColumnBuffers(col, asDictionary: true)
        #expect(buffers.nullCount == 2 && buffers.dictionary?.count == 1)
    }
}
