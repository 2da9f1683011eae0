import Foundation
import Testing
@testable import Tape
import TapeCodec
import TapeFormat
import TapeTestSupport
#if canImport(Glibc)
import Glibc
#endif

// Whole-file corruption: truncation at every length, single-bit flips at every byte, hand-made
// bad headers, trailers and footers. The reader must answer every damaged file with a typed
// `TapeError` (never a trap, never a huge allocation), and only bytes no check covers may go
// unnoticed — and then the rows must be exactly the original ones.

/// A small sealed file built in three writer sessions (codec none, lz4, zstd), so that it holds
/// every codec, every encoding, nulls, strings, an empty table, and tables of several chunks.
struct CorruptionFixture {
    /// Where a byte of the file lies.
    enum Region: String, CaseIterable, CustomStringConvertible {
        case fileHeader, framePrefix, chunkHeader, chunkBody, frameCRC, metadataFrame, footer, trailer
        var description: String { rawValue }
        var isInsideChunkFrame: Bool { [.framePrefix, .chunkHeader, .chunkBody, .frameCRC].contains(self) }
    }

    static let columns: [ColumnDef] = [
        ColumnDef("ts", .timestamp, nullable: false), ColumnDef("i", .int64), ColumnDef("f", .float64),
        ColumnDef("b", .bool), ColumnDef("s", .string),
    ]

    let dir: TempDir
    let path: String
    /// The sealed file's bytes.
    let bytes: [UInt8]
    /// Every table's rows, read from the intact file (and equal to what was written).
    let expected: [String: [[Value]]]
    let footer: Footer
    let footerOffset: Int
    /// Sections of the file in order, tiling `0..<bytes.count`.
    let regions: [(range: Range<Int>, region: Region)]

    var size: Int { bytes.count }
    var trailerOffset: Int { size - Trailer.size }

    /// Deterministic rows of table number `table`: regular timestamps, nulls in every nullable
    /// column, repetitive values so that lz4 and zstd actually compress.
    static func rows(table: Int, count: Int, from start: Int = 0) -> [[Value]] {
        var g = SplitMix64(seed: UInt64(table) &* 1_000_003)
        let words = ["buy", "sell", "hold", "", "ünïcødé", String(repeating: "x", count: 30)]
        return (start..<(start + count)).map { k in
            let r = g.next()
            return [
                .timestamp(1_704_067_200_000_000_000 + Int64(k) * 60_000_000_000),
                k % 7 == 3 ? .null : .int(Int64(k % 5) * 100 - 200),
                k % 5 == 1 ? .null : .double(Double(10_000 + Int(r % 13)) / 100),
                k % 6 == 2 ? .null : .bool(k % 3 == 0),
                k % 4 == 0 ? .null : .string(words[Int(r >> 7) % words.count]),
            ]
        }
    }

    init() throws {
        dir = TempDir()
        path = dir.path("fixture.tape")
        var written: [String: [[Value]]] = [:]
        func add(_ w: TapeWriter, _ name: String, _ rows: [[Value]]) throws {
            let t = try w.table(name) ?? w.declareTable(name, columns: Self.columns)
            for row in rows { try t.append(values: row) }
            written[name, default: []] += rows
        }
        // Session 1: no compression, automatic encodings, plus a declared table without rows.
        let w1 = try TapeWriter(path: path, options: WriterOptions(codec: .none, rowsPerChunk: 16, durability: .none),
                                metadata: ["strategy": "corruption-fixture"])
        try add(w1, "plain", Self.rows(table: 1, count: 40))
        _ = try w1.declareTable("empty", columns: Self.columns)
        written["empty"] = []
        try w1.close()
        // Session 2: lz4, with plain and byte-stream-split forced so that those encodings appear.
        let w2 = try TapeWriter(appendingTo: path, options: WriterOptions(
            codec: .lz4, rowsPerChunk: 32, durability: .none,
            forcedEncodings: ["i": .plain, "f": .byteStreamSplit, "s": .plain]))
        try add(w2, "lz4", Self.rows(table: 2, count: 100))
        try w2.close()
        // Session 3: zstd; interleaves a new table with more rows for the first one.
        let w3 = try TapeWriter(appendingTo: path, options: WriterOptions(
            codec: .zstd(level: 3), rowsPerChunk: 32, durability: .none, forcedEncodings: ["s": .dictionary]))
        try add(w3, "zstd", Self.rows(table: 3, count: 40))
        try add(w3, "plain", Self.rows(table: 1, count: 10, from: 40))
        try add(w3, "zstd", Self.rows(table: 3, count: 30, from: 40))
        try w3.close()

        bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let reader = try TapeReader(path: path, options: ReaderOptions(verifyChecksums: true))
        footer = reader.footer
        footerOffset = reader.footerOffset
        expected = try Self.readEverything(path, verify: true)
        guard expected == written else {
            throw TapeError.invalidArgument("fixture does not read back what was written")
        }

        var regions: [(Range<Int>, Region)] = [(0..<FileHeader.size, .fileHeader)]
        let chunks = Dictionary(uniqueKeysWithValues: footer.tables.flatMap(\.chunks).map { ($0.frameOffset, $0) })
        var at = FileHeader.size
        while at < footerOffset {
            if let c = chunks[at] {
                let end = c.frameOffset + c.frameLength
                regions.append((c.frameOffset..<(c.frameOffset + ChunkHeader.prefixSize), .framePrefix))
                regions.append(((c.frameOffset + ChunkHeader.prefixSize)..<c.bodyOffset, .chunkHeader))
                regions.append((c.bodyOffset..<(end - ChunkHeader.suffixSize), .chunkBody))
                regions.append(((end - ChunkHeader.suffixSize)..<end, .frameCRC))
                at = end
            } else {   // the footer indexes chunks only: any other frame is a metadata or schema frame
                let prefix = try FramePrefix(decoding: Array(bytes[at..<(at + ChunkHeader.prefixSize)]), offset: at,
                                             limit: footerOffset - at)
                guard prefix.kind == .metadata || prefix.kind == .schema else { throw TapeError.invalidArgument("unexpected frame at \(at)") }
                regions.append((at..<(at + prefix.frameLength), .metadataFrame))
                at += prefix.frameLength
            }
        }
        regions.append((footerOffset..<(bytes.count - Trailer.size), .footer))
        regions.append(((bytes.count - Trailer.size)..<bytes.count, .trailer))
        self.regions = regions.map { (range: $0.0, region: $0.1) }
    }

    func cleanup() { dir.cleanup() }

    /// Index of table `name` in the footer (appending to a table moves it to the end).
    func table(_ name: String) -> Int {
        footer.tables.firstIndex { $0.name == name }!
    }

    /// The region holding byte `offset`.
    func region(of offset: Int) -> Region {
        regions.first { $0.range.contains(offset) }!.region
    }

    /// Every table of the file at `path`, fully scanned.
    static func readEverything(_ path: String, verify: Bool) throws -> [String: [[Value]]] {
        try TapeReader(path: path, options: ReaderOptions(verifyChecksums: verify)).allRows()
    }

    /// Writes `bytes` to a new file in the fixture's directory and returns its path.
    func write(_ bytes: [UInt8], name: String) throws -> String {
        let p = dir.path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }
}

/// Runs `body` and returns the `TapeError` it threw; records an issue if it threw nothing or
/// something else.
private func tapeError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> TapeError? {
    do {
        try body()
        Issue.record("expected a TapeError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let e as TapeError {
        return e
    } catch {
        Issue.record("expected a TapeError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// The `FormatError` of a `.corrupt` error, or nil.
private func formatError(_ e: TapeError?) -> FormatError? {
    if case .corrupt(_, let f)? = e { return f }
    return nil
}

@Suite("Whole-file corruption")
struct CorruptionTests {
    @Test("the fixture covers every codec and encoding, and its sections tile the file")
    func fixtureShape() throws {
        let fx = try CorruptionFixture(); defer { fx.cleanup() }
        let blocks = fx.footer.tables.flatMap(\.chunks).flatMap(\.blocks)
        #expect(Set(blocks.map(\.codec)) == [0, 1, 2])
        #expect(Set(blocks.map(\.encoding)) == Set(Encoding.allCases.map(\.rawValue)))
        #expect(blocks.contains { $0.nullCount > 0 })
        for t in fx.footer.tables where t.name != "empty" { #expect(t.chunks.count >= 3, "table \(t.name)") }
        #expect(Set(fx.footer.tables.map(\.name)) == ["plain", "empty", "lz4", "zstd"])
        #expect(fx.expected["plain"]?.count == 50 && fx.expected["zstd"]?.count == 70)
        // Regions are contiguous and cover the whole file: no byte escapes classification.
        var next = 0
        for (range, _) in fx.regions {
            #expect(range.lowerBound == next)
            #expect(!range.isEmpty)
            next = range.upperBound
        }
        #expect(next == fx.size)
        #expect(fx.size < 16_384, "keep the fixture small: every byte gets flipped")
    }

    // MARK: Truncation

    @Test("a file cut at any length is refused: unsealed, or corrupt when not even the header is left")
    func truncateEverywhere() throws {
        let fx = try CorruptionFixture(); defer { fx.cleanup() }
        let p = try fx.write(fx.bytes, name: "cut.tape")
        // Shrink the same file one byte at a time: every length from size-1 down to 0.
        for cut in stride(from: fx.size - 1, through: 0, by: -1) {
            #expect(truncate(p, off_t(cut)) == 0)
            let e = tapeError { _ = try TapeReader(path: p) }
            if cut < FileHeader.size {
                guard case .truncated(let what, let offset, let needed, let available)? = formatError(e) else {
                    Issue.record("cut at \(cut): expected .corrupt(.truncated), got \(String(describing: e))"); continue
                }
                #expect(what == "file header" && offset == 0 && needed == FileHeader.size && available == cut)
            } else {
                #expect(e == .unsealed(path: p, size: cut), "cut at \(cut) (\(fx.region(of: cut)))")
            }
        }
    }

    /// Cuts at the edges of every section; named so that a failure says which.
    @Test("cuts at section boundaries name the problem")
    func truncateAtBoundaries() throws {
        let fx = try CorruptionFixture(); defer { fx.cleanup() }
        var cuts: [(Int, String)] = [(0, "empty file"), (1, "1 byte"), (15, "15 bytes"), (16, "header only"),
                                     (fx.size - 1, "size-1")]
        for c in fx.footer.tables.flatMap(\.chunks) {
            let end = c.frameOffset + c.frameLength
            cuts += [(c.frameOffset + 2, "inside prefix of frame at \(c.frameOffset)"),
                     (c.frameOffset + ChunkHeader.prefixSize, "end of prefix of frame at \(c.frameOffset)"),
                     ((c.frameOffset + ChunkHeader.prefixSize + c.bodyOffset) / 2, "inside chunk header at \(c.frameOffset)"),
                     (c.bodyOffset, "end of chunk header at \(c.frameOffset)"),
                     (c.bodyOffset + 1, "inside body at \(c.frameOffset)"),
                     (end - ChunkHeader.suffixSize, "end of body at \(c.frameOffset)"),
                     (end - 1, "inside CRC at \(c.frameOffset)"),
                     (end, "end of frame at \(c.frameOffset)")]
        }
        cuts += [(fx.footerOffset + 1, "inside footer magic"), ((fx.footerOffset + fx.trailerOffset) / 2, "inside footer"),
                 (fx.trailerOffset, "end of footer"), (fx.trailerOffset + 8, "inside trailer"),
                 (fx.size - 8, "before trailer magic")]
        #expect(cuts.count == 5 + 8 * fx.footer.tables.flatMap(\.chunks).count + 5)
        for (cut, label) in cuts {
            let p = try fx.write(Array(fx.bytes[0..<cut]), name: "b\(cut).tape")
            let e = tapeError { _ = try TapeReader(path: p) }
            let text = e.map { String(describing: $0) } ?? ""
            if cut < FileHeader.size {
                #expect(formatError(e) != nil, "\(label)")
                #expect(text.contains("offset 0") && text.contains("file header"), "\(label): \(text)")
            } else {
                #expect(e == .unsealed(path: p, size: cut), "\(label)")
                #expect(text.contains("writer did not finish") && text.contains("\(cut) bytes"), "\(label): \(text)")
            }
        }
    }

    @Test("a writer that never closed leaves an unsealed file, readable chunks but no footer")
    func writerNeverClosed() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("open.tape"), copy = dir.path("copy.tape")
        do {
            let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 8))
            let t = try w.declareTable("t", columns: CorruptionFixture.columns)
            for row in CorruptionFixture.rows(table: 9, count: 20) { try t.append(values: row) }
            // Two chunks are on disk; snapshot the file while the writer is still open.
            let live = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(live.count > FileHeader.size)
            try live.write(to: URL(fileURLWithPath: copy))
            // The writer is dropped here without close().
        }
        for p in [copy, path] {
            let size = try Data(contentsOf: URL(fileURLWithPath: p)).count
            let e = tapeError { _ = try TapeReader(path: p) }
            #expect(e == .unsealed(path: p, size: size))
            let text = e.map { String(describing: $0) } ?? ""
            #expect(text.contains("writer did not finish"), "\(text)")
            #expect(text.contains(p))
        }
        // The frames that did reach the disk are intact (recoverable by a scan, spec §4): the
        // metadata frame written at open, then two chunks.
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        var offset = FileHeader.size
        var kinds: [FramePrefix.Kind] = []
        while offset + ChunkHeader.prefixSize <= bytes.count {
            let prefix = try FramePrefix(decoding: Array(bytes[offset..<(offset + ChunkHeader.prefixSize)]),
                                         offset: offset, limit: bytes.count - offset)
            kinds.append(prefix.kind)
            let end = offset + prefix.frameLength
            let stored = bytes[(end - 4)..<end].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self).littleEndian }
            #expect(stored == CRC32C.mask(CRC32C.checksum(bytes[offset..<(end - 4)])))
            offset = end
        }
        #expect(kinds == [.metadata, .chunk, .chunk])
        #expect(offset == bytes.count)
    }

    // MARK: Bit flips

    @Test("every single-bit flip is detected or harmless", arguments: [(0, true), (7, true), (0, false), (7, false)])
    func flipEveryByte(bit: Int, verify: Bool) throws {
        let fx = try CorruptionFixture(); defer { fx.cleanup() }
        let p = try fx.write(fx.bytes, name: "flip.tape")
        let fd = open(p, O_RDWR | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        func poke(_ byte: UInt8, at offset: Int) {
            var b = byte
            #expect(pwrite(fd, &b, 1, off_t(offset)) == 1)
        }
        let rowCounts = fx.expected.mapValues(\.count)
        var tried: [CorruptionFixture.Region: Int] = [:]
        var detected: [CorruptionFixture.Region: Int] = [:]
        var changedSilently: [CorruptionFixture.Region: Int] = [:]
        var undetectedOffsets: [Int] = []
        for offset in 0..<fx.size {
            let region = fx.region(of: offset)
            tried[region, default: 0] += 1
            poke(fx.bytes[offset] ^ UInt8(1 << bit), at: offset)
            defer { poke(fx.bytes[offset], at: offset) }
            do {
                let got = try CorruptionFixture.readEverything(p, verify: verify)
                undetectedOffsets.append(offset)
                if got == fx.expected { continue }
                // Block checksums (format 1.1) guard the bodies even without frame CRCs: no flip
                // may change the rows.
                changedSilently[region, default: 0] += 1
                Issue.record("flip at \(offset) (\(region)) changed the rows silently")
                #expect(got.mapValues(\.count) == rowCounts, "flip at \(offset) changed row counts")
            } catch let e as TapeError {
                detected[region, default: 0] += 1
                switch e {
                case .corrupt(let path, let f):
                    #expect(path == p)
                    if case .unsupportedVersion(let major, _) = f {
                        // The u16 major version: bytes 8-9 of the header, 20-21 of the trailer.
                        let field = offset < FileHeader.size ? 8 : fx.trailerOffset + 20
                        #expect((field..<(field + 2)).contains(offset), "version error from offset \(offset)")
                        #expect(major == FileHeader.majorVersion ^ (UInt16(1 << bit) << (8 * UInt16(offset - field))))
                    } else {
                        #expect(String(describing: e).contains("offset"), "\(e)")
                    }
                case .unsealed:
                    // Only a damaged trailer magic makes a sealed file look unsealed.
                    #expect(offset >= fx.size - 8, "flip at \(offset) (\(region)) reported as unsealed")
                default:
                    Issue.record("flip at \(offset) (\(region)): unexpected \(e)")
                }
            } catch {
                Issue.record("flip at \(offset) (\(region)): not a TapeError: \(type(of: error)) \(error)")
            }
        }
        // Only the two minor-version fields (readers may read a higher minor) are unchecked, and
        // metadata and schema frames, which readers of a sealed file do not use (`verify` checks them).
        var unchecked: Set<Int> = [10, 11, fx.trailerOffset + 22, fx.trailerOffset + 23]
        for (range, region) in fx.regions where region == .metadataFrame { unchecked.formUnion(range) }
        #expect(detected[.chunkBody, default: 0] == tried[.chunkBody, default: 0], "every flip in a block is caught")
        #expect(changedSilently.isEmpty)
        if verify {
            #expect(Set(undetectedOffsets).isSubset(of: unchecked), "undetected: \(undetectedOffsets)")
            for r in CorruptionFixture.Region.allCases where r.isInsideChunkFrame || r == .footer {
                #expect(detected[r, default: 0] == tried[r, default: 0], "\(r): \(detected[r, default: 0])/\(tried[r, default: 0]) detected")
                #expect(tried[r, default: 0] > 0)
            }
        } else {
            // Without frame CRCs, the blocks' own checksums guard the chunk bodies; everything
            // the reader does not read (frame prefix, chunk header, frame CRC) is harmless.
            let harmless = undetectedOffsets.filter { !unchecked.contains($0) }
            #expect(harmless.allSatisfy { fx.region(of: $0).isInsideChunkFrame }, "undetected outside frames: \(harmless.filter { !fx.region(of: $0).isInsideChunkFrame })")
            #expect(detected[.footer, default: 0] == tried[.footer, default: 0])
            #expect(detected[.framePrefix, default: 0] == 0 && detected[.chunkHeader, default: 0] == 0)
        }
        #expect(detected[.fileHeader, default: 0] == FileHeader.size - 2)
        #expect(detected[.trailer, default: 0] == Trailer.size - 2)
        let total = tried.values.reduce(0, +), found = detected.values.reduce(0, +)
        print("flip bit \(bit), verify \(verify): \(total) flips, \(found) detected, "
              + "\(changedSilently.values.reduce(0, +)) changed values silently; per region "
              + CorruptionFixture.Region.allCases.map { "\($0)=\(detected[$0, default: 0])/\(tried[$0, default: 0])" }.joined(separator: " "))
    }

    // MARK: Hand-made damage

    /// `fx.bytes` with `body` applied.
    func damaged(_ fx: CorruptionFixture, _ body: (inout [UInt8]) -> Void) -> [UInt8] {
        var b = fx.bytes
        body(&b)
        return b
    }

    func store<T: FixedWidthInteger>(_ v: T, at offset: Int, in b: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { for (i, x) in $0.enumerated() { b[offset + i] = x } }
    }

    @Test("bad magic at the head or the tail")
    func badMagic() throws {
        let fx = try CorruptionFixture(); defer { fx.cleanup() }
        let head = try fx.write(damaged(fx) { $0[1] = UInt8(ascii: "X") }, name: "head.tape")
        #expect(tapeError { _ = try TapeReader(path: head) } == .corrupt(path: head, .badMagic(what: "file header", offset: 0)))
        let notTape = try fx.write(Array("ts,price\n2024-01-01,1\n".utf8) + [UInt8](repeating: 0x20, count: 64), name: "csv.tape")
        #expect(formatError(tapeError { _ = try TapeReader(path: notTape) }) == .badMagic(what: "file header", offset: 0))
        // Without its magic the trailer is not a trailer: the file looks like an unfinished one.
        let tail = try fx.write(damaged(fx) { $0[$0.count - 1] ^= 0xFF }, name: "tail.tape")
        #expect(tapeError { _ = try TapeReader(path: tail) } == .unsealed(path: tail, size: fx.size))
        // The trailer decoder itself reports a bad magic by place.
        var t = Array(fx.bytes.suffix(Trailer.size))
        t[31] = 0
        #expect(throws: FormatError.badMagic(what: "trailer", offset: fx.size - 8)) {
            _ = try Trailer(decoding: t, fileSize: fx.size)
        }
    }

    @Test("an unknown major version in the header or the trailer", arguments: [UInt16(0), 2, 0xFFFF])
    func wrongMajorVersion(major: UInt16) throws {
        let fx = try CorruptionFixture(); defer { fx.cleanup() }
        let head = try fx.write(damaged(fx) { store(major, at: 8, in: &$0) }, name: "h.tape")
        #expect(tapeError { _ = try TapeReader(path: head) } == .corrupt(path: head, .unsupportedVersion(major: major, minor: FileHeader.minorVersion)))
        let tail = try fx.write(damaged(fx) { store(major, at: fx.trailerOffset + 20, in: &$0) }, name: "t.tape")
        let e = tapeError { _ = try TapeReader(path: tail) }
        #expect(e == .corrupt(path: tail, .unsupportedVersion(major: major, minor: FileHeader.minorVersion)))
        #expect(String(describing: e!).contains("unsupported format version \(major).\(FileHeader.minorVersion)"))
        // A higher minor version is readable (spec §2.1).
        let minor = try fx.write(damaged(fx) { store(UInt16(7), at: 10, in: &$0); store(UInt16(7), at: fx.trailerOffset + 22, in: &$0) },
                                 name: "m.tape")
        #expect(try CorruptionFixture.readEverything(minor, verify: true) == fx.expected)
    }

    @Test("unknown header flags are refused")
    func headerFlags() throws {
        let fx = try CorruptionFixture(); defer { fx.cleanup() }
        let p = try fx.write(damaged(fx) { store(UInt32(4), at: 12, in: &$0) }, name: "f.tape")
        guard case .invalid(let what, let offset, _)? = formatError(tapeError { _ = try TapeReader(path: p) }) else {
            Issue.record("expected .invalid"); return
        }
        #expect(what == "file flags" && offset == 12)
    }

    @Test("trailer footer offset and length outside the file", arguments: [
        "offset 0", "offset 15", "offset = trailer", "offset = size", "offset max", "offset 2^63",
        "length max", "length 0", "length +1", "length 2^62",
    ])
    func trailerPointers(label: String) throws {
        let fx = try CorruptionFixture(); defer { fx.cleanup() }
        var off = UInt64(fx.footerOffset), len = UInt64(fx.trailerOffset - fx.footerOffset)
        switch label {
        case "offset 0": off = 0
        case "offset 15": off = 15
        case "offset = trailer": off = UInt64(fx.trailerOffset)
        case "offset = size": off = UInt64(fx.size)
        case "offset max": off = .max
        case "offset 2^63": off = 1 << 63
        case "length max": len = .max
        case "length 0": len = 0
        case "length +1": len += 1
        case "length 2^62": len = 1 << 62
        default: Issue.record("unknown case \(label)")
        }
        let p = try fx.write(damaged(fx) { store(off, at: fx.trailerOffset, in: &$0); store(len, at: fx.trailerOffset + 8, in: &$0) },
                             name: "t.tape")
        let e = tapeError { _ = try TapeReader(path: p) }
        switch formatError(e) {
        case .outOfBounds(let what, let at, _, _)?: #expect(what == "footer offset" && at == fx.trailerOffset, "\(label)")
        case .invalid(let what, let at, _)?: #expect(what == "footer length" && at == fx.trailerOffset + 8, "\(label)")
        default: Issue.record("\(label): \(String(describing: e))")
        }
        #expect(e.map { String(describing: $0).contains("offset") } == true)
    }

    @Test("a footer pointer moved inside the file fails the footer CRC")
    func footerPointerMoved() throws {
        let fx = try CorruptionFixture(); defer { fx.cleanup() }
        // A consistent offset/length pair (still ending at the trailer) that starts one byte late.
        let off = UInt64(fx.footerOffset + 1), len = UInt64(fx.trailerOffset - fx.footerOffset - 1)
        let p = try fx.write(damaged(fx) { store(off, at: fx.trailerOffset, in: &$0); store(len, at: fx.trailerOffset + 8, in: &$0) },
                             name: "m.tape")
        guard case .checksumMismatch(let what, let at, _, _)? = formatError(tapeError { _ = try TapeReader(path: p) }) else {
            Issue.record("expected a checksum mismatch"); return
        }
        #expect(what == "footer" && at == fx.footerOffset + 1)
    }

    @Test("huge lengths in a chunk frame prefix are caught before allocating")
    func hugeChunkLengths() throws {
        let fx = try CorruptionFixture(); defer { fx.cleanup() }
        let c = fx.footer.tables[fx.table("plain")].chunks[1]
        for (field, value) in [(8, UInt64.max), (8, UInt64(1) << 40), (4, UInt64(UInt32.max))] {
            let bytes = damaged(fx) {
                if field == 4 { store(UInt32(value), at: c.frameOffset + 4, in: &$0) } else { store(value, at: c.frameOffset + 8, in: &$0) }
            }
            let p = try fx.write(bytes, name: "huge.tape")
            // The footer's index does not use the prefix; the frame CRC catches the change.
            guard case .checksumMismatch(let what, let at, _, _)? = formatError(tapeError { _ = try CorruptionFixture.readEverything(p, verify: true) }) else {
                Issue.record("field \(field) = \(value): expected a checksum mismatch"); continue
            }
            #expect(what == "chunk frame" && at == c.frameOffset)
            #expect(try CorruptionFixture.readEverything(p, verify: false) == fx.expected)
            // A scan of the frames (recovery, spec §4) bounds the lengths by the file.
            let prefix = Array(bytes[c.frameOffset..<(c.frameOffset + ChunkHeader.prefixSize)])
            #expect(throws: FormatError.self) {
                _ = try FramePrefix(decoding: prefix, offset: c.frameOffset, limit: fx.size - c.frameOffset)
            }
        }
    }

    /// Rewrites the footer with `edit` applied and reseals the file with a correct CRC, so that only
    /// the footer's own consistency checks (not its CRC) stand between the reader and the damage.
    func resealed(_ fx: CorruptionFixture, name: String, _ edit: (inout [UInt8]) -> Void) throws -> String {
        var footerBytes = Array(fx.bytes[fx.footerOffset..<fx.trailerOffset])
        edit(&footerBytes)
        var w = ByteWriter()
        w.writeBytes(fx.bytes[0..<fx.footerOffset])
        w.writeBytes(footerBytes)
        Trailer(footerOffset: UInt64(fx.footerOffset), footerLength: UInt64(footerBytes.count),
                footerCRC: CRC32C.mask(CRC32C.checksum(footerBytes))).encode(into: &w)
        return try fx.write(w.bytes, name: name)
    }

    func encodedFooter(_ footer: Footer) -> [UInt8] {
        var w = ByteWriter()
        footer.encode(into: &w)
        return w.bytes
    }

    @Test("a resealed footer with impossible chunk entries is refused by its own checks")
    func resealedFooter() throws {
        let fx = try CorruptionFixture(); defer { fx.cleanup() }
        // Sanity: resealing the unchanged footer gives a readable file.
        let same = try resealed(fx, name: "same.tape") { _ in }
        #expect(try CorruptionFixture.readEverything(same, verify: true) == fx.expected)

        let p = fx.table("plain"), l = fx.table("lz4"), e = fx.table("empty")
        typealias Edit = (inout Footer) -> Void
        let cases: [(String, Edit)] = [
            ("frame past the footer", { $0.tables[p].chunks[0].frameLength = 1 << 40 }),
            ("frame before the header", { $0.tables[p].chunks[0].frameOffset = 3 }),
            ("body outside its frame", { $0.tables[p].chunks[0].bodyOffset += 1 }),
            ("stored length too large", { $0.tables[l].chunks[0].blocks[1].storedLength += 1 << 30 }),
            ("raw length above the limit", { $0.tables[l].chunks[0].blocks[1].rawLength = (1 << 30) + 1 }),
            ("row gap", { $0.tables[p].chunks[1].rowStart += 1 }),
            ("row count mismatch", { $0.tables[p].rowCount += 1 }),
            ("chunk row count above the limit", { $0.tables[p].chunks[0].rowCount = (1 << 24) + 1 }),
            ("nulls in a non-nullable column", { $0.tables[p].chunks[0].blocks[0].nullCount = 1 }),
            ("duplicate table", { $0.tables[e].name = $0.tables[p].name }),
        ]
        for (label, edit) in cases {
            var footer = fx.footer
            edit(&footer)
            let file = try resealed(fx, name: "r.tape") { $0 = encodedFooter(footer) }
            let e = tapeError { _ = try CorruptionFixture.readEverything(file, verify: true) }
            #expect(formatError(e) != nil, "\(label): \(String(describing: e))")
            #expect(e.map { String(describing: $0).contains("offset") } == true, "\(label)")
        }

        // Huge counts written as raw varints where the footer expects small ones.
        let metadataCount = try resealed(fx, name: "mc.tape") { b in
            b = Array(b[0..<4]) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] + b[5...]
        }
        guard case .outOfBounds(let what, let at, _, _)? = formatError(tapeError { _ = try TapeReader(path: metadataCount) }) else {
            Issue.record("huge metadata count was not refused"); return
        }
        #expect(what == "metadata count" && at == fx.footerOffset + 4)
        let badVarint = try resealed(fx, name: "bv.tape") { b in
            b = Array(b[0..<4]) + [UInt8](repeating: 0xFF, count: 11) + b[5...]
        }
        #expect(formatError(tapeError { _ = try TapeReader(path: badVarint) }) != nil)
        let trailing = try resealed(fx, name: "tr.tape") { $0.append(0) }
        #expect(formatError(tapeError { _ = try TapeReader(path: trailing) }) != nil)
    }

    @Test("resealed block descriptors that lie about a block fail when the block is read")
    func lyingDescriptors() throws {
        let fx = try CorruptionFixture(); defer { fx.cleanup() }
        // Table "lz4": compressed blocks. Table "plain" chunk 0: uncompressed.
        let p = fx.table("plain"), l = fx.table("lz4")
        let lz4 = fx.footer.tables[l]
        let compressed = try #require(lz4.chunks[0].blocks.firstIndex { $0.codec == 1 })
        typealias Edit = (inout Footer) -> Void
        let cases: [(String, Edit)] = [
            ("raw length of a compressed block 1 GiB", { $0.tables[l].chunks[0].blocks[compressed].rawLength = 1 << 30 }),
            ("raw length of a compressed block off by one", { $0.tables[l].chunks[0].blocks[compressed].rawLength += 1 }),
            ("string raw length 1 GiB", { $0.tables[l].chunks[0].blocks[4].rawLength = 1 << 30 }),
            ("codec says zstd for lz4 bytes", { $0.tables[l].chunks[0].blocks[compressed].codec = 2 }),
            ("encoding invalid for the type", { $0.tables[p].chunks[0].blocks[3].encoding = 1 }),
            ("unknown encoding", { $0.tables[p].chunks[0].blocks[2].encoding = 9 }),
            ("null count differs from the bitmap", {
                let b = $0.tables[p].chunks[0].blocks[4]
                $0.tables[p].chunks[0].blocks[4].nullCount = b.nullCount == 0 ? 1 : b.nullCount - 1
            }),
            ("chunk claims many more rows", {
                let n = $0.tables[p].chunks[0].rowCount
                $0.tables[p].chunks[0].rowCount = n * 1000
                $0.tables[p].chunks[1].rowStart = n * 1000
                for k in 2..<$0.tables[p].chunks.count { $0.tables[p].chunks[k].rowStart += n * 999 }
                $0.tables[p].rowCount += n * 999
            }),
        ]
        for (label, edit) in cases {
            var footer = fx.footer
            edit(&footer)
            let file = try resealed(fx, name: "d.tape") { $0 = encodedFooter(footer) }
            for verify in [true, false] {
                let e = tapeError { _ = try CorruptionFixture.readEverything(file, verify: verify) }
                #expect(formatError(e) != nil, "\(label), verify \(verify): \(String(describing: e))")
                #expect(e.map { String(describing: $0).contains("offset") } == true, "\(label)")
            }
        }
    }
}
