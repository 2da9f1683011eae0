import Testing
@testable import TapeFormat

@Suite struct LayoutTests {
    static let schema = try! Schema([ColumnDef("ts", .timestamp, nullable: false), ColumnDef("px", .float64),
                                     ColumnDef("sym", .string), ColumnDef("ok", .bool)])

    static func blocks() -> [BlockDescriptor] {
        [
            BlockDescriptor(encoding: 1, codec: 2, storedLength: 40, rawLength: 300, nullCount: 0,
                            stats: ColumnStats(min: .int(-5), max: .int(.max))),
            BlockDescriptor(encoding: 2, codec: 0, storedLength: 7, rawLength: 7, nullCount: 3,
                            stats: ColumnStats(min: .float(-0.5), max: .float(1e300), hasNaN: true)),
            BlockDescriptor(encoding: 4, codec: 1, storedLength: 9, rawLength: 20, nullCount: 10, stats: .strings(min: "AAPL", max: String(repeating: "z", count: 70))),
            BlockDescriptor(encoding: 0, codec: 0, storedLength: 2, rawLength: 2, nullCount: 0, stats: ColumnStats(min: .bool(false), max: .bool(true))),
        ]
    }

    static func header() -> ChunkHeader {
        ChunkHeader(tableName: "bars", schema: schema, rowStart: 1000, rowCount: 10, blocks: blocks())
    }

    @Test func fileHeader() throws {
        var w = ByteWriter()
        FileHeader.encode(into: &w)
        #expect(w.count == FileHeader.size)
        #expect(Array(w.bytes[0..<8]) == [0x89, 0x54, 0x41, 0x50, 0x45, 0x0D, 0x0A, 0x1A])
        try FileHeader.validate(w.bytes)
        var badMagic = w.bytes
        badMagic[1] = 0x55
        #expect(throws: FormatError.badMagic(what: "file header", offset: 0)) { try FileHeader.validate(badMagic) }
        var badVersion = w.bytes
        badVersion[8] = 2
        #expect(throws: FormatError.unsupportedVersion(major: 2, minor: FileHeader.minorVersion)) { try FileHeader.validate(badVersion) }
        var badFlags = w.bytes
        badFlags[12] = 1
        #expect(throws: FormatError.self) { try FileHeader.validate(badFlags) }
        #expect(throws: FormatError.self) { try FileHeader.validate(Array(w.bytes[0..<15])) }
    }

    @Test func trailer() throws {
        let fileSize = 1000
        let t = Trailer(footerOffset: 900, footerLength: 68, footerCRC: 0xDEAD_BEEF)
        var w = ByteWriter()
        t.encode(into: &w)
        #expect(w.count == Trailer.size)
        #expect(try Trailer(decoding: w.bytes, fileSize: fileSize) == t)
        var badMagic = w.bytes
        badMagic[31] ^= 1
        #expect(throws: FormatError.badMagic(what: "trailer", offset: fileSize - 8)) { try Trailer(decoding: badMagic, fileSize: fileSize) }
        // Footer that does not end where the trailer starts.
        #expect(throws: FormatError.self) {
            var w2 = ByteWriter()
            Trailer(footerOffset: 900, footerLength: 67, footerCRC: 0).encode(into: &w2)
            _ = try Trailer(decoding: w2.bytes, fileSize: fileSize)
        }
        // Footer offset inside the file header or past the trailer.
        for offset: UInt64 in [0, 15, 969, .max] {
            var w3 = ByteWriter()
            Trailer(footerOffset: offset, footerLength: 968 &- offset, footerCRC: 0).encode(into: &w3)
            #expect(throws: FormatError.self) { try Trailer(decoding: w3.bytes, fileSize: fileSize) }
        }
        var badVersion = w.bytes
        badVersion[20] = 7
        #expect(throws: FormatError.unsupportedVersion(major: 7, minor: FileHeader.minorVersion)) { try Trailer(decoding: badVersion, fileSize: fileSize) }
        #expect(throws: FormatError.self) { try Trailer(decoding: Array(w.bytes[0..<31]), fileSize: fileSize) }
    }

    @Test func blockDescriptorRoundTripAndChecks() throws {
        for (i, b) in Self.blocks().enumerated() {
            let type = Self.schema[i].type
            var w = ByteWriter()
            b.encode(type: type, into: &w)
            var r = ByteReader(w.bytes)
            #expect(try BlockDescriptor(decoding: &r, type: type, rowCount: 10) == b)
            #expect(r.isAtEnd)
        }
        // Unknown codec; null count above the rows; uncompressed with stored ≠ raw; unknown stat flags.
        let bad: [[UInt8]] = [[0, 3, 1, 1, 0, 0], [0, 0, 1, 1, 11, 0], [0, 0, 1, 2, 0, 0], [0, 0, 1, 1, 0, 8]]
        for bytes in bad {
            var r = ByteReader(bytes)
            #expect(throws: FormatError.self) { try BlockDescriptor(decoding: &r, type: .int64, rowCount: 10) }
        }
    }

    @Test func chunkHeaderRoundTrip() throws {
        let h = Self.header()
        var w = ByteWriter()
        h.encode(into: &w)
        var r = ByteReader(w.bytes)
        let back = try ChunkHeader(decoding: &r)
        #expect(back == h)
        #expect(back.blocks[2].stats.maxTruncated && back.blocks[2].stats.max == nil)
        #expect(h.bodyLength == 58)
        for cut in 0..<w.count {
            var rc = ByteReader(Array(w.bytes[0..<cut]))
            #expect(throws: FormatError.self) { try ChunkHeader(decoding: &rc) }
        }
    }

    @Test func chunkHeaderRejectsNullsInNonNullableColumn() throws {
        var blocks = Self.blocks()
        blocks[0].nullCount = 1
        let h = ChunkHeader(tableName: "bars", schema: Self.schema, rowStart: 0, rowCount: 10, blocks: blocks)
        var w = ByteWriter()
        h.encode(into: &w)
        var r = ByteReader(w.bytes)
        #expect(throws: FormatError.self) { try ChunkHeader(decoding: &r) }
        let empty = ChunkHeader(tableName: "bars", schema: Self.schema, rowStart: 0, rowCount: 0, blocks: Self.blocks())
        var w2 = ByteWriter()
        empty.encode(into: &w2)
        var r2 = ByteReader(w2.bytes)
        #expect(throws: FormatError.self) { try ChunkHeader(decoding: &r2) }
    }

    @Test func chunkFrame() throws {
        let h = Self.header()
        let body = [UInt8](repeating: 0x5A, count: h.bodyLength)
        var w = ByteWriter()
        FileHeader.encode(into: &w)
        let headerLength = h.encodeFrame(body: body, into: &w)
        let frame = Array(w.bytes[16...])
        #expect(frame.count == 20 + headerLength + body.count)
        let prefix = try FramePrefix(decoding: Array(frame[0..<16]), offset: 16, limit: frame.count)
        #expect(prefix.kind == .chunk && prefix.headerLength == headerLength && prefix.bodyLength == body.count)
        #expect(prefix.frameLength == frame.count)
        let stored = UInt32(littleEndian: frame.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: frame.count - 4, as: UInt32.self) })
        #expect(CRC32C.unmask(stored) == CRC32C.checksum(frame[0..<(frame.count - 4)]))
        // Lengths that do not fit the file.
        #expect(throws: FormatError.self) { try FramePrefix(decoding: Array(frame[0..<16]), offset: 16, limit: frame.count - 1) }
        var badMagic = Array(frame[0..<16])
        badMagic[0] = 0
        #expect(throws: FormatError.badMagic(what: "chunk frame", offset: 16)) { try FramePrefix(decoding: badMagic, offset: 16, limit: frame.count) }
        var hugeHeader = Array(frame[0..<16])
        hugeHeader[7] = 0xFF
        #expect(throws: FormatError.self) { try FramePrefix(decoding: hugeHeader, offset: 16, limit: frame.count) }
        var hugeBody = Array(frame[0..<16])
        hugeBody[15] = 0xFF
        #expect(throws: FormatError.self) { try FramePrefix(decoding: hugeBody, offset: 16, limit: frame.count) }
        let footer = try FramePrefix(decoding: Footer.magic + [0, 0, 0], offset: 16, limit: 100)
        #expect(footer.kind == .footer)
        #expect(throws: FormatError.self) { try FramePrefix(decoding: [0x54, 0x43], offset: 16, limit: 100) }
    }

    static func footer() -> Footer {
        let h = header()
        let frameLength = 20 + 60 + h.bodyLength
        let entry = Footer.ChunkEntry(frameOffset: 16, frameLength: frameLength, bodyOffset: 16 + 16 + 60, rowStart: 0,
                                      rowCount: 10, blocks: h.blocks)
        let entry2 = Footer.ChunkEntry(frameOffset: 16 + frameLength, frameLength: frameLength, bodyOffset: 16 + frameLength + 76,
                                       rowStart: 10, rowCount: 10, blocks: h.blocks)
        return Footer(metadata: [("tape.writer", "tape 1.0"), ("tape.created", "2024-01-01T00:00:00Z")],
                      tables: [Footer.TableEntry(name: "bars", schema: schema, rowCount: 20, chunks: [entry, entry2]),
                               Footer.TableEntry(name: "empty", schema: schema, rowCount: 0, chunks: [])],
                      sections: [(tag: 99, bytes: [1, 2, 3])])
    }

    @Test func footerRoundTrip() throws {
        let f = Self.footer()
        var w = ByteWriter()
        f.encode(into: &w)
        var r = ByteReader(w.bytes, baseOffset: 5000)
        let back = try Footer(decoding: &r, dataEnd: 5000)
        #expect(back == f)
        #expect(back.metadataValue("tape.writer") == "tape 1.0")
        #expect(back.tables[0].chunks[1].blockOffset(2) == back.tables[0].chunks[1].bodyOffset + 40 + 7)
    }

    @Test func corruptFooters() throws {
        let f = Self.footer()
        var w = ByteWriter()
        f.encode(into: &w)
        var badMagic = w.bytes
        badMagic[0] = 0
        var r0 = ByteReader(badMagic, baseOffset: 5000)
        #expect(throws: FormatError.badMagic(what: "footer", offset: 5000)) { try Footer(decoding: &r0, dataEnd: 5000) }
        // Chunks that lie past the footer's start.
        var r1 = ByteReader(w.bytes, baseOffset: 200)
        #expect(throws: FormatError.self) { try Footer(decoding: &r1, dataEnd: 200) }
        // Trailing garbage.
        var r2 = ByteReader(w.bytes + [0], baseOffset: 5000)
        #expect(throws: FormatError.self) { try Footer(decoding: &r2, dataEnd: 5000) }
        // Row counts that do not add up.
        var g = f
        g.tables[0].rowCount = 21
        var wg = ByteWriter()
        g.encode(into: &wg)
        var r3 = ByteReader(wg.bytes, baseOffset: 5000)
        #expect(throws: FormatError.self) { try Footer(decoding: &r3, dataEnd: 5000) }
        // Duplicate metadata key.
        var h = f
        h.metadata.append(("tape.writer", "again"))
        var wh = ByteWriter()
        h.encode(into: &wh)
        var r4 = ByteReader(wh.bytes, baseOffset: 5000)
        #expect(throws: FormatError.self) { try Footer(decoding: &r4, dataEnd: 5000) }
        // Every truncation and every flipped byte: an error or a footer, never a trap.
        for cut in 0..<w.count {
            var r = ByteReader(Array(w.bytes[0..<cut]), baseOffset: 5000)
            #expect(throws: FormatError.self) { try Footer(decoding: &r, dataEnd: 5000) }
        }
        for i in 0..<w.count {
            var damaged = w.bytes
            damaged[i] ^= 0xFF
            var r = ByteReader(damaged, baseOffset: 5000)
            _ = try? Footer(decoding: &r, dataEnd: 5000)
        }
    }
}
