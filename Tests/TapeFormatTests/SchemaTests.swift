import Testing
@testable import TapeFormat

@Suite struct SchemaTests {
    @Test func validation() {
        #expect(throws: SchemaError.noColumns) { try Schema([]) }
        #expect(throws: SchemaError.duplicateColumn("a")) { try Schema([ColumnDef("a", .int64), ColumnDef("a", .float64)]) }
        #expect(throws: SchemaError.badName("")) { try Schema([ColumnDef("", .int64)]) }
        let long = String(repeating: "x", count: 256)
        #expect(throws: SchemaError.badName(long)) { try Schema([ColumnDef(long, .int64)]) }
        #expect(throws: SchemaError.tooManyColumns(4097)) { try Schema((0...4096).map { ColumnDef("c\($0)", .bool) }) }
        #expect((try? Schema([ColumnDef(String(repeating: "x", count: 255), .int64)])) != nil)
    }

    @Test func lookupAndRoundTrip() throws {
        let s = try Schema([ColumnDef("ts", .timestamp, nullable: false), ColumnDef("px", .float64), ColumnDef("sym", .string),
                            ColumnDef("n", .int64), ColumnDef("ok", .bool)])
        #expect(s.index(of: "sym") == 2)
        #expect(s.index(of: "nope") == nil)
        var w = ByteWriter()
        s.encode(into: &w)
        var r = ByteReader(w.bytes)
        #expect(try Schema(decoding: &r) == s)
        #expect(r.isAtEnd)
    }

    @Test func corruptSchemas() throws {
        let s = try Schema([ColumnDef("a", .int64)])
        var w = ByteWriter()
        s.encode(into: &w)
        // [count=1, len=1, 'a', type=1, flags=1]
        var badType = w.bytes
        badType[3] = 9
        var r1 = ByteReader(badType)
        #expect(throws: FormatError.self) { try Schema(decoding: &r1) }
        var badFlags = w.bytes
        badFlags[4] = 2
        var r2 = ByteReader(badFlags)
        #expect(throws: FormatError.self) { try Schema(decoding: &r2) }
        var zero = ByteReader([0])
        #expect(throws: FormatError.self) { try Schema(decoding: &zero) }
        var dup = ByteWriter()
        dup.writeVarint(2)
        for _ in 0..<2 { dup.writeString("a"); dup.writeU8(1); dup.writeU8(0) }
        var r3 = ByteReader(dup.bytes)
        #expect(throws: FormatError.self) { try Schema(decoding: &r3) }
        for cut in 0..<w.count {
            var r = ByteReader(Array(w.bytes[0..<cut]))
            #expect(throws: FormatError.self) { try Schema(decoding: &r) }
        }
    }

    @Test func typeNames() {
        for t in ColumnType.allCases { #expect(ColumnType(name: t.description) == t) }
        #expect(ColumnType(name: "DOUBLE") == .float64)
        #expect(ColumnType(name: "blob") == nil)
    }
}
