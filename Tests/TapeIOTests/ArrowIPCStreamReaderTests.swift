import TapeCodec
import TapeFormat
import TapeTestSupport
import Testing
@testable import TapeIO

/// Streams written by `ArrowIPCFormatter` (checked against pyarrow in the pytest suite) read back,
/// and crafted streams that lie: every prefix, every flipped byte, lengths and counts that do not
/// fit, and the refusals (compression, big-endian, nested types).
@Suite struct ArrowIPCStreamReaderTests {
    static let schema = try! Schema([
        ColumnDef("ts", .timestamp), ColumnDef("equity", .float64), ColumnDef("qty", .int64), ColumnDef("flag", .bool),
        ColumnDef("sym", .string), ColumnDef("note", .string), ColumnDef("hold", .duration),
    ])

    /// Two batches of every Tape type: nulls, NaN, empty strings, a dictionary column.
    static func batches() -> [RecordBatch] {
        func batch(_ base: Int64, _ n: Int) -> RecordBatch {
            var valid = Bitmap(count: n, value: true)
            valid[1] = false
            let sym = ((try? StringArray(["AAPL", "MSFT"])) ?? StringArray())
            let columns = [
                ColumnData(type: .timestamp, storage: .int64((0..<n).map { base + Int64($0) * 60_000_000_000 })),
                ColumnData(type: .float64, storage: .float64((0..<n).map { $0 == 2 ? .nan : 100 + Double($0) }), validity: valid),
                ColumnData(type: .int64, storage: .int64((0..<n).map { Int64($0) - 2 }), validity: valid),
                ColumnData(type: .bool, storage: .bool(Bitmap((0..<n).map { $0 % 3 == 0 })), validity: valid),
                ColumnData(type: .string, storage: .dictionary(entries: sym, indices: (0..<n).map { UInt32($0 % 2) }), validity: valid),
                ColumnData(type: .string, storage: .strings(((try? StringArray((0..<n).map { $0 == 0 ? "" : "n\($0)é" })) ?? StringArray())), validity: valid),
                ColumnData(type: .duration, storage: .int64((0..<n).map { Int64($0) * 1_000 }), validity: valid),
            ]
            return RecordBatch(schema: schema, columns: columns, count: n)
        }
        return [batch(1_704_067_200_000_000_000, 5), batch(1_704_067_500_000_000_000, 3)]
    }

    static func stream(_ batches: [RecordBatch] = batches()) throws -> [UInt8] {
        let sink = ByteSink.inMemory()
        let f = ArrowIPCFormatter(schema: schema, sink: sink)
        for b in batches { try f.write(b) }
        try f.finish()
        return sink.contents
    }

    /// Reads `bytes` into rows of values (the table's schema, and the slices handed on).
    static func read(_ bytes: [UInt8], sliceRows: Int = ArrowIPCStreamReader.defaultSliceRows) throws -> (Schema, [[Value]], slices: Int) {
        let reader = try ArrowIPCStreamReader(.bytes(bytes), name: "test")
        let schema = try reader.readSchema(table: "t")
        var rows: [[Value]] = []
        var slices = 0
        try reader.readBatches(table: "t", sliceRows: sliceRows) { columns in
            slices += 1
            let b = RecordBatch(schema: schema, columns: columns, count: columns[0].count)
            for r in 0..<b.count { rows.append((0..<schema.count).map { b.value(row: r, column: $0) }) }
        }
        return (schema, rows, slices)
    }

    static func rows(_ batches: [RecordBatch]) -> [[Value]] {
        batches.flatMap { b in (0..<b.count).map { r in (0..<b.schema.count).map { b.value(row: r, column: $0) } } }
    }

    /// Value equality that holds NaN equal to NaN (and still apart from null).
    static func same(_ a: [[Value]], _ b: [[Value]]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in
            x.count == y.count && zip(x, y).allSatisfy { u, v in
                if case .double(let p) = u, case .double(let q) = v, p.isNaN, q.isNaN { return true }
                return u == v
            }
        }
    }

    func expectError(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try Self.read(bytes)
            Issue.record("no error; expected one containing '\(fragment)'", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)".contains(fragment), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func roundTripsEveryTypeWithNullsNaNAndDictionaries() throws {
        let (schema, rows, slices) = try Self.read(try Self.stream())
        #expect(schema.columns.map(\.type) == Self.schema.columns.map(\.type))
        #expect(schema.columns.map(\.name) == Self.schema.columns.map(\.name))
        #expect(Self.same(rows, Self.rows(Self.batches())))
        #expect(slices == 2)
        #expect(rows[1][1] == .null && rows[2][1] != .null)
    }

    @Test func largeBatchesAreHandedOnInSlices() throws {
        let (_, rows, slices) = try Self.read(try Self.stream(), sliceRows: 2)
        #expect(slices == 5)   // 5 rows → 2+2+1, 3 rows → 2+1
        #expect(Self.same(rows, Self.rows(Self.batches())))
    }

    @Test func emptyStreamAndEmptyBatch() throws {
        let empty = RecordBatch(schema: Self.schema, columns: Self.batches()[0].columns.map { c in
            ColumnData(type: c.type, storage: c.type == .string ? .strings(StringArray()) : c.type == .bool ? .bool([]) : c.type == .float64 ? .float64([]) : .int64([]))
        }, count: 0)
        let (schema, rows, _) = try Self.read(try Self.stream([empty]))
        #expect(rows.isEmpty && schema.count == 7)
        #expect(try Self.read(try Self.stream([])).1.isEmpty)
    }

    @Test func fileFormatMagicIsSkipped() throws {
        let (_, rows, _) = try Self.read(Array("ARROW1".utf8) + [0, 0] + (try Self.stream()))
        #expect(Self.same(rows, Self.rows(Self.batches())))
    }

    @Test func legacyFramingWithoutContinuationMarker() throws {
        // Pre-0.15 framing: int32 size without 0xFFFFFFFF, and a 4-byte zero as end of stream.
        let schemaMessage = ArrowIPCMessage.schema([.init(name: "x", type: .int64, dictionaryID: nil)])
        var body = ArrowIPCBody()
        try body.column(ColumnData(type: .int64, storage: .int64([7, 8])))
        let batch = ArrowIPCMessage.message(ArrowIPCMessage.recordBatchHeader,
                                            ArrowIPCMessage.recordBatch(length: 2, nodes: body.nodes, buffers: body.buffers), bodyLength: body.bytes.count)
        let bytes = littleEndian(Int32(schemaMessage.count)) + schemaMessage + littleEndian(Int32(batch.count)) + batch + body.bytes + [0, 0, 0, 0]
        #expect(try Self.read(bytes).1 == [[.int(7)], [.int(8)]])
    }

    @Test func everyTruncationIsAClearError() throws {
        let full = try Self.stream()
        for n in 0..<full.count {
            do {
                _ = try Self.read(Array(full[0..<n]))
                Issue.record("prefix of \(n) bytes read without error")
            } catch let e as ArrowImportError {
                let text = e.description
                #expect(text.contains("truncated") || text.contains("end-of-stream") || text.contains("before its schema"), "\(n): \(text)")
            }
        }
    }

    /// Every byte flipped: the reader either reads something or throws `ArrowImportError`; it
    /// never traps (a debug build checks every buffer access).
    @Test func everyFlippedByteIsReadOrRefused() throws {
        let full = try Self.stream()
        var refused = 0
        for i in 0..<full.count {
            for mask: UInt8 in [0xFF, 0x80] {
                var bytes = full
                bytes[i] ^= mask
                do { _ = try Self.read(bytes) } catch is ArrowImportError { refused += 1 }
            }
        }
        #expect(refused > full.count / 4)
    }

    // MARK: crafted lies

    /// A stream of the schema of `columns`, then one record batch message with the given header
    /// fields and body, then end-of-stream.
    static func crafted(_ columns: [ArrowIPCMessage.Column], length: Int, nodes: [(length: Int, nulls: Int)],
                        buffers: [(offset: Int, length: Int)], body: [UInt8], bodyLength: Int? = nil) -> [UInt8] {
        let meta = ArrowIPCMessage.message(ArrowIPCMessage.recordBatchHeader,
                                           ArrowIPCMessage.recordBatch(length: length, nodes: nodes, buffers: buffers),
                                           bodyLength: bodyLength ?? body.count)
        return ArrowIPCMessage.frame(ArrowIPCMessage.schema(columns)) + ArrowIPCMessage.frame(meta) + body + ArrowIPCMessage.endOfStream
    }

    static let int64Column = [ArrowIPCMessage.Column(name: "x", type: .int64, dictionaryID: nil)]

    @Test func rowCountsBeyondTheBuffersAreRefusedWithoutAllocating() {
        // 2^40 rows claimed over an 16-byte values buffer: refused before any allocation.
        expectError(Self.crafted(Self.int64Column, length: 1 << 40, nodes: [(1 << 40, 0)], buffers: [(0, 0), (0, 16)],
                                 body: [UInt8](repeating: 0, count: 16)), "values buffer has 16 bytes")
        expectError(Self.crafted(Self.int64Column, length: Int(Int64.max), nodes: [(Int(Int64.max), 0)], buffers: [(0, 0), (0, 16)],
                                 body: [UInt8](repeating: 0, count: 16)), "more than fit in memory")
        expectError(Self.crafted(Self.int64Column, length: 2, nodes: [(3, 0)], buffers: [(0, 0), (0, 16)],
                                 body: [UInt8](repeating: 0, count: 16)), "has 3 rows, the batch 2")
        expectError(Self.crafted(Self.int64Column, length: 2, nodes: [(2, 5)], buffers: [(0, 0), (0, 16)],
                                 body: [UInt8](repeating: 0, count: 16)), "null count 5")
        expectError(Self.crafted(Self.int64Column, length: 2, nodes: [(2, 1)], buffers: [(0, 0), (0, 16)],
                                 body: [UInt8](repeating: 0, count: 16)), "validity buffer has 0 bytes")
    }

    @Test func buffersOutsideTheBodyAndMissingNodesAreRefused() {
        let body = [UInt8](repeating: 0, count: 16)
        expectError(Self.crafted(Self.int64Column, length: 2, nodes: [(2, 0)], buffers: [(0, 0), (8, 16)], body: body), "lies outside the 16-byte body")
        expectError(Self.crafted(Self.int64Column, length: 2, nodes: [(2, 0)], buffers: [(0, 0), (Int(Int64.max), 16)], body: body), "lies outside")
        expectError(Self.crafted(Self.int64Column, length: 2, nodes: [(2, 0)], buffers: [(0, 0), (0, -1)], body: body), "lies outside")
        expectError(Self.crafted(Self.int64Column, length: 2, nodes: [], buffers: [(0, 0), (0, 16)], body: body), "only 0 field nodes")
        expectError(Self.crafted(Self.int64Column, length: 2, nodes: [(2, 0)], buffers: [(0, 0)], body: body), "only 1 buffers")
        expectError(Self.crafted(Self.int64Column, length: 2, nodes: [(2, 0), (2, 0)], buffers: [(0, 0), (0, 16)], body: body), "its columns use 1")
    }

    @Test func bodyAndMetadataLengthsThatLieAreTruncationNotAllocation() {
        let body = [UInt8](repeating: 0, count: 16)
        expectError(Self.crafted(Self.int64Column, length: 2, nodes: [(2, 0)], buffers: [(0, 0), (0, 16)], body: body, bodyLength: 1 << 60),
                    "body of 1152921504606846976 bytes is cut short")
        expectError(Self.crafted(Self.int64Column, length: 2, nodes: [(2, 0)], buffers: [(0, 0), (0, 16)], body: body, bodyLength: -8),
                    "negative")
        let schema = ArrowIPCMessage.frame(ArrowIPCMessage.schema(Self.int64Column))
        expectError(schema + [0xFF, 0xFF, 0xFF, 0xFF] + littleEndian(Int32.max) + [1, 2, 3], "metadata size 2147483647 is outside")
        expectError(schema + [0xFF, 0xFF, 0xFF, 0xFF] + littleEndian(Int32(1 << 20)) + [1, 2, 3], "metadata bytes are cut short")
        expectError(schema + [0xFF, 0xFF, 0xFF, 0xFF] + littleEndian(Int32(-5)), "metadata size -5")
        expectError(schema, "without its end-of-stream marker")
        expectError([0xFF, 0xFF, 0xFF, 0xFF] + littleEndian(Int32(16)) + [UInt8](repeating: 0xEE, count: 16), "outside the 16-byte flatbuffer")
    }

    @Test func stringOffsetsAndDictionaryIndicesThatLieAreRefused() throws {
        let column = [ArrowIPCMessage.Column(name: "s", type: .string, dictionaryID: nil)]
        // offsets 0, 2, 9 over a 4-byte data buffer.
        let offsets = littleEndian(Int32(0)) + littleEndian(Int32(2)) + littleEndian(Int32(9)) + [0, 0, 0, 0]
        expectError(Self.crafted(column, length: 2, nodes: [(2, 0)], buffers: [(0, 0), (0, 12), (16, 4)],
                                 body: offsets + Array("abcd".utf8) + [0, 0, 0, 0]), "string offsets 0...9 lie outside its 4-byte data buffer")
        // decreasing offsets inside the data: refused by the shared import.
        let decreasing = littleEndian(Int32(0)) + littleEndian(Int32(3)) + littleEndian(Int32(1)) + [0, 0, 0, 0]
        expectError(Self.crafted(column, length: 2, nodes: [(2, 0)], buffers: [(0, 0), (0, 12), (16, 4)],
                                 body: decreasing + Array("abcd".utf8) + [0, 0, 0, 0]), "string offsets decrease")

        // A dictionary column whose index 5 is past its 2 entries.
        var stream = try Self.stream([Self.batches()[1]])
        // Index buffer of column 'sym' in the record batch (rows 0, 1 (null), 2): the last int32
        // pattern 0,1,0; row 2's index becomes 5.
        let pattern = littleEndian(Int32(0)) + littleEndian(Int32(1)) + littleEndian(Int32(0))
        let at = try #require((0...(stream.count - pattern.count)).last { Array(stream[$0..<$0 + pattern.count]) == pattern })
        stream[at + 8] = 5
        expectError(stream, "dictionary index 5 at row 2 is outside the dictionary (2 entries)")
    }

    @Test func refusesCompressionBigEndianNestedTypesAndUnknownDictionaries() {
        // RecordBatch with compression { codec: ZSTD }.
        let compressed = ArrowIPCMessage.message(ArrowIPCMessage.recordBatchHeader,
                                                 .table([.int64(0), .object(.structs(bytes: [], count: 0, alignment: 8)),
                                                         .object(.structs(bytes: [], count: 0, alignment: 8)), .object(.table([.int8(1), .int8(0)]))]),
                                                 bodyLength: 0)
        expectError(ArrowIPCMessage.frame(ArrowIPCMessage.schema(Self.int64Column)) + ArrowIPCMessage.frame(compressed) + ArrowIPCMessage.endOfStream,
                    "compressed with ZSTD")
        // Schema { endianness: Big }.
        let big = ArrowIPCMessage.message(ArrowIPCMessage.schemaHeader, .table([.int16(1), .object(.vector([]))]), bodyLength: 0)
        expectError(ArrowIPCMessage.frame(big), "big-endian")
        // A list column (Type union member 12, with one child).
        let child = ArrowIPCMessage.field(.init(name: "item", type: .int64, dictionaryID: nil))
        let list: FlatBufferValue = .table([.object(.string("xs")), .bool(true), .int8(12), .object(.table([])), nil, .object(.vector([child]))])
        let nested = ArrowIPCMessage.message(ArrowIPCMessage.schemaHeader, .table([.int16(0), .object(.vector([list]))]), bodyLength: 0)
        expectError(ArrowIPCMessage.frame(nested), "column 'xs': nested types")
        // A decimal column.
        let decimal: FlatBufferValue = .table([.object(.string("d")), .bool(true), .int8(7), .object(.table([.int32(10), .int32(2)])), nil, .object(.vector([]))])
        expectError(ArrowIPCMessage.frame(ArrowIPCMessage.message(ArrowIPCMessage.schemaHeader, .table([.int16(0), .object(.vector([decimal]))]), bodyLength: 0)),
                    "Arrow type decimal is not supported")
        // A record batch before the dictionary it needs; a dictionary no column uses.
        let dictColumn = [ArrowIPCMessage.Column(name: "s", type: .string, dictionaryID: 3)]
        expectError(Self.crafted(dictColumn, length: 0, nodes: [(0, 0)], buffers: [(0, 0), (0, 0)], body: []), "dictionary 3, which no DictionaryBatch has sent yet")
        let orphan = ArrowIPCMessage.message(ArrowIPCMessage.dictionaryBatchHeader,
                                             .table([.int64(9), .object(ArrowIPCMessage.recordBatch(length: 0, nodes: [(0, 0)], buffers: [(0, 0), (0, 0), (0, 0)])), .bool(false)]),
                                             bodyLength: 0)
        expectError(ArrowIPCMessage.frame(ArrowIPCMessage.schema(dictColumn)) + ArrowIPCMessage.frame(orphan) + ArrowIPCMessage.endOfStream,
                    "dictionary id 9, which no column")
        // No schema first; a second schema.
        expectError(ArrowIPCMessage.endOfStream, "ends before its schema")
        let s = ArrowIPCMessage.frame(ArrowIPCMessage.schema(Self.int64Column))
        expectError(s + s + ArrowIPCMessage.endOfStream, "a second Schema")
    }

    @Test func deltaDictionariesAppendEntries() throws {
        let column = [ArrowIPCMessage.Column(name: "s", type: .string, dictionaryID: 0)]
        func dictionary(_ strings: [String], delta: Bool) throws -> [UInt8] {
            var body = ArrowIPCBody()
            try body.column(ColumnData(type: .string, storage: .strings(((try? StringArray(strings)) ?? StringArray()))))
            let meta = ArrowIPCMessage.message(ArrowIPCMessage.dictionaryBatchHeader,
                                               .table([.int64(0), .object(ArrowIPCMessage.recordBatch(length: strings.count, nodes: body.nodes, buffers: body.buffers)), .bool(delta)]),
                                               bodyLength: body.bytes.count)
            return ArrowIPCMessage.frame(meta) + body.bytes
        }
        func batch(_ indices: [UInt32]) -> [UInt8] {
            var body = ArrowIPCBody()
            body.indices(ColumnData(type: .string, storage: .dictionary(entries: StringArray(), indices: indices)), indices)
            return ArrowIPCMessage.frame(ArrowIPCMessage.message(ArrowIPCMessage.recordBatchHeader,
                                                                 ArrowIPCMessage.recordBatch(length: indices.count, nodes: body.nodes, buffers: body.buffers),
                                                                 bodyLength: body.bytes.count)) + body.bytes
        }
        let bytes = ArrowIPCMessage.frame(ArrowIPCMessage.schema(column)) + (try dictionary(["a", "b"], delta: false)) + batch([1, 0])
            + (try dictionary(["c"], delta: true)) + batch([2, 1]) + (try dictionary(["z"], delta: false)) + batch([0]) + ArrowIPCMessage.endOfStream
        #expect(try Self.read(bytes).1 == [[.string("b")], [.string("a")], [.string("c")], [.string("b")], [.string("z")]])
    }
}
