import Foundation
import Testing
@testable import Tape
import TapeFormat
import TapeTestSupport

/// An unsealed file (as a killed writer leaves it) with table `a` in 5 chunks of 100 rows and
/// table `b` in one chunk after a's second, plus the offsets of a's chunk frames.
private struct DeadRun {
    let bytes: [UInt8]
    let rows: [[Value]]
    let bRows: [[Value]]
    let aChunks: [Footer.ChunkEntry]

    init(_ dir: TempDir) throws {
        let path = dir.path("live.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 100, maxChunkLag: 0))
        let a = try w.declareTable("a", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("x", .float64)])
        let b = try w.declareTable("b", columns: [ColumnDef("s", .string)])
        var rows: [[Value]] = [], bRows: [[Value]] = []
        for i in 0..<500 {
            let row: [Value] = [.timestamp(Int64(i)), i % 9 == 0 ? .null : .double(Double(i) / 8)]
            try a.append(values: row)
            rows.append(row)
            if i == 250 {
                for k in 0..<100 { bRows.append([.string("s\(k)")]); try b.append(values: bRows[k]) }
            }
        }
        bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        try w.close()
        aChunks = try TapeReader(path: path).table("a").chunks
        self.rows = rows
        self.bRows = bRows
        #expect(aChunks.count == 5)
    }
}

@Suite("tape recover --salvage: intact chunks after damage in the middle")
struct SalvageRecoveryTests {
    enum Damage: String, CaseIterable {
        /// A byte of the chunk body: the frame's prefix holds, its CRC does not.
        case body
        /// The header_length field: the frame's extent is unknown, the next frame must be searched.
        case prefixLength
    }

    @Test(arguments: Damage.allCases)
    func damagedMiddleChunk(damage: Damage) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let run = try DeadRun(dir)
        var bytes = run.bytes
        let victim = run.aChunks[2]   // rows 200..<300
        let at = damage == .body ? victim.bodyOffset + 3 : victim.frameOffset + 6
        bytes[at] ^= 0x40
        let path = dir.path("dead.tape"), salvaged = dir.path("salvaged.tape")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try Data(bytes).write(to: URL(fileURLWithPath: salvaged))

        // Default: the safe prefix, up to the damaged chunk.
        let safe = try Recovery.recover(path: path)
        #expect(safe.rowsKept == ["a": 200, "b": 100])
        #expect(safe.stopReason?.contains("offset \(victim.frameOffset)") == true)
        // It counts the intact chunks it leaves when the damaged frame's length is still known.
        #expect(safe.chunksDropped == (damage == .body ? 2 : 0) && safe.gaps.isEmpty)
        #expect(try TapeReader(path: path).rows("a") == Array(run.rows[0..<200]))
        #expect(try TapeReader(path: path).rows("b") == run.bRows)
        #expect(try Verifier.verify(path: path).ok)

        // Salvage: the prefix and every intact later chunk, rows renumbered, the gap reported.
        let report = try Recovery.recover(path: salvaged, salvage: true)
        #expect(report.rowsKept == ["a": 400, "b": 100])
        #expect(report.gaps == [Recovery.Gap(table: "a", firstMissingRow: 200, missingRows: 100, renumberedFrom: 200)])
        #expect(report.bytesSkipped == victim.frameLength && report.bytesDropped == 0)
        let r = try TapeReader(path: salvaged, options: ReaderOptions(verifyChecksums: true))
        #expect(try r.rows("a") == Array(run.rows[0..<200] + run.rows[300..<500]))
        #expect(try r.rows("b") == run.bRows)
        #expect(try r.table("a").chunks.map(\.rowStart) == [0, 100, 200, 300])
        let gaps = try #require(r.footer.metadataValue(Recovery.gapsMetadataKey))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(gaps.utf8)) as? [[String: Any]])
        #expect(json.count == 1 && json[0]["table"] as? String == "a" && json[0]["first_missing_row"] as? Int == 200
                && json[0]["missing_rows"] as? Int == 100 && json[0]["renumbered_from"] as? Int == 200)
        #expect(r.footer.metadataValue("tape.recovered") == "true")
        #expect(try Verifier.verify(path: salvaged).ok)
        // Nothing left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == ["dead.tape", "live.tape", "salvaged.tape"])
    }

    /// A sealed file (valid trailer and footer) whose middle chunk is damaged on disk: the default
    /// recovery leaves it alone (it is sealed), salvage keeps every intact chunk, rebuilds the
    /// footer with the old one's metadata and reports the missing rows, as for an unsealed file.
    @Test(arguments: Damage.allCases)
    func sealedFileWithDamagedMiddleChunk(damage: Damage) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let run = try DeadRun(dir)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: dir.path("live.tape"))))
        let victim = run.aChunks[2]   // rows 200..<300
        bytes[damage == .body ? victim.bodyOffset + 3 : victim.frameOffset + 6] ^= 0x40
        let path = dir.path("sealed.tape")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let before = try TapeReader(path: path)
        #expect(try Recovery.recover(path: path).wasSealed)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
        let dry = try Recovery.recover(path: path, dryRun: true, salvage: true)
        #expect(!dry.wasSealed && dry.rowsKept == ["a": 400, "b": 100])
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == bytes)

        let report = try Recovery.recover(path: path, salvage: true)
        #expect(!report.wasSealed && report.wasSealedAndDamaged && report.metadataRestored)
        #expect(report.rowsKept == ["a": 400, "b": 100])
        #expect(report.gaps == [Recovery.Gap(table: "a", firstMissingRow: 200, missingRows: 100, renumberedFrom: 200)])
        #expect(report.bytesSkipped == victim.frameLength)
        let r = try TapeReader(path: path, options: ReaderOptions(verifyChecksums: true))
        #expect(try r.rows("a") == Array(run.rows[0..<200] + run.rows[300..<500]))
        #expect(try r.rows("b") == run.bRows)
        #expect(r.footer.metadataValue("tape.writer") == before.footer.metadataValue("tape.writer"))
        #expect(r.footer.metadataValue("tape.recovered") == "true" && r.footer.metadataValue(Recovery.gapsMetadataKey) != nil)
        #expect(try Verifier.verify(path: path).ok)
        // Salvaged once, the file is sealed and intact: salvage again changes nothing.
        let after = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(try Recovery.recover(path: path, salvage: true).wasSealed)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == after)
    }

    @Test("salvage of an intact sealed file changes nothing")
    func intactSealedFileIsLeftAlone() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        _ = try DeadRun(dir)
        let path = dir.path("live.tape")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try Recovery.recover(path: path, salvage: true).wasSealed)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    /// A hostile stretch of 100,000 fake chunk magics, each with a prefix claiming a frame up to
    /// the end of the file: checking each by reading it would read ~10^5 × 2 MB. The search reads
    /// and checksums every byte once and decodes only the real frame it finds.
    @Test func manyFakeMarkersAreSearchedInOnePass() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let run = try DeadRun(dir)
        let cut = run.aChunks[2].frameOffset
        let fakes = 100_000, fakeSize = 20
        let total = run.bytes.count + fakes * fakeSize
        var bytes = Array(run.bytes[0..<cut])
        for k in 0..<fakes {
            let at = cut + k * fakeSize
            var w = ByteWriter()
            w.writeBytes(ChunkHeader.magic)
            w.writeU32(0)   // header length
            w.writeU64(UInt64(total - at - ChunkHeader.prefixSize - ChunkHeader.suffixSize))   // body: to the end of the file
            w.writeU32(0)
            bytes += w.bytes
        }
        bytes += run.bytes[cut...]
        #expect(bytes.count == total)
        let path = dir.path("hostile.tape")
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let file = try RawFile.openForReading(path)
        let scanned = try FrameScanner(file: file).scan(limit: total, resync: .search)
        #expect(scanned.chunks.count == 6 && scanned.skipped.count == 1 && scanned.end == .limit)
        let skipped = try #require(scanned.skipped.first)
        #expect(skipped.offset == cut && skipped.length == fakes * fakeSize)
        let work = scanned.searchWork
        #expect(work.candidates >= fakes && work.bytesChecksummed <= total && work.framesDecoded == 1)

        let report = try Recovery.recover(path: path, salvage: true)
        #expect(report.rowsKept == ["a": 500, "b": 100] && report.gaps.isEmpty && report.bytesSkipped == fakes * fakeSize)
        #expect(try TapeReader(path: path).rows("a") == run.rows)
    }

    /// Fake frames between real ones, each claiming the rest of the file: the walk meets each
    /// damaged frame itself (not only the search). The pass tells their CRCs fail without reading
    /// them: every byte is checksummed once by the pass, and only real frames are read whole.
    @Test func fakeFramesBetweenRealOnesAreNotReadWhole() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let run = try DeadRun(dir)
        let real = run.aChunks[2]
        let frame = Array(run.bytes[real.frameOffset..<(real.frameOffset + real.frameLength)])
        let pairs = 2_000, fakeSize = 20
        let total = run.bytes.count + pairs * (fakeSize + frame.count)
        var bytes = Array(run.bytes[0..<real.frameOffset])
        for _ in 0..<pairs {
            var w = ByteWriter()
            w.writeBytes(ChunkHeader.magic)
            w.writeU32(0)
            w.writeU64(UInt64(total - bytes.count - ChunkHeader.prefixSize - ChunkHeader.suffixSize))
            w.writeU32(0)
            bytes += w.bytes + frame   // a fake claiming the rest of the file, then a copy of chunk 2
        }
        bytes += run.bytes[real.frameOffset...]
        #expect(bytes.count == total)
        let path = dir.path("hostile.tape")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let scanned = try FrameScanner(file: try RawFile.openForReading(path)).scan(limit: total, resync: .search)
        #expect(scanned.skipped.count == pairs && scanned.chunks.count == 3 + pairs + 3)
        #expect(scanned.searchWork.bytesChecksummed <= total, "\(scanned.searchWork)")
        // Real frames are read twice (to accept one after damage, then by the walk); reading each
        // fake whole would be ~2,000 × 150 KB.
        #expect(scanned.frameBytesRead <= 2 * total, "\(scanned.frameBytesRead) bytes of frames read")
        let report = try Recovery.recover(path: path, salvage: true)
        #expect(report.rowsKept == ["a": 500, "b": 100] && report.gaps.isEmpty && report.chunksDropped == pairs)
        #expect(try TapeReader(path: path).rows("a") == run.rows)
    }

    @Test("salvage of a file with only a torn tail is the default recovery")
    func tornTailOnly() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let run = try DeadRun(dir)
        let path = dir.path("dead.tape")
        try Data(run.bytes.prefix(run.aChunks[4].frameOffset + 10)).write(to: URL(fileURLWithPath: path))
        let report = try Recovery.recover(path: path, salvage: true)
        #expect(report.rowsKept == ["a": 400, "b": 100] && report.gaps.isEmpty && report.bytesSkipped == 0)
        #expect(try TapeReader(path: path).footer.metadataValue(Recovery.gapsMetadataKey) == nil)
    }
}

@Suite("Recovery keeps declared tables without chunks (schema frames, format 1.2)")
struct DeclaredTableRecoveryTests {
    @Test func killedWriterKeepsDeclaredEmptyTables() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("live.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 50, maxChunkLag: 0))
        let equity = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
        let tradesSchema = try Schema([ColumnDef("entry_ts", .timestamp), ColumnDef("pnl", .float64, nullable: false)])
        _ = try w.declareTable("trades", schema: tradesSchema)
        for i in 0..<120 { try equity.append(values: [.timestamp(Int64(i)), .double(Double(i))]) }
        let dead = try Data(contentsOf: URL(fileURLWithPath: path))
        try w.close()
        let copy = dir.path("dead.tape")
        try dead.write(to: URL(fileURLWithPath: copy))
        let report = try Recovery.recover(path: copy)
        #expect(report.rowsKept == ["equity": 100, "trades": 0])
        let r = try TapeReader(path: copy)
        #expect(r.tables.map(\.name) == ["equity", "trades"])
        #expect(try r.table("trades").schema == tradesSchema && r.table("trades").rowCount == 0)
        #expect(try Verifier.verify(path: copy).ok)
    }

    @Test("a killed append keeps the file's declared empty tables")
    func killedAppendKeepsEmptyTables() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        let w = try TapeWriter(path: path)
        _ = try w.declareTable("later", columns: [ColumnDef("x", .int64)])
        try w.close()
        let a = try TapeWriter(appendingTo: path, options: WriterOptions(rowsPerChunk: 10, maxChunkLag: 0))
        let t = try a.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false)])
        for i in 0..<25 { try t.append(values: [.timestamp(Int64(i))]) }
        let dead = try Data(contentsOf: URL(fileURLWithPath: path))
        try a.close()
        try dead.write(to: URL(fileURLWithPath: path))
        let report = try Recovery.recover(path: path)
        #expect(report.rowsKept == ["later": 0, "equity": 20])
        #expect(try TapeReader(path: path).tables.map(\.name) == ["later", "equity"])
    }

    @Test("a reader of a live file sees declared tables")
    func liveReaderSeesDeclaredTables() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("live.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 10, maxChunkLag: 0))
        let t = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false)])
        _ = try w.declareTable("trades", columns: [ColumnDef("pnl", .float64)])
        for i in 0..<10 { try t.append(values: [.timestamp(Int64(i))]) }
        let live = try TapeReader(path: path, options: ReaderOptions(allowUnsealed: true))
        #expect(live.tables.map(\.name) == ["equity", "trades"])
        try w.close()
    }
}

@Suite("Recovery refuses files of a newer format version")
struct RecoveryVersionTests {
    private func sealedRun(_ path: String) throws {
        let w = try TapeWriter(path: path)
        let t = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false)])
        for i in 0..<10 { try t.append(values: [.timestamp(Int64(i))]) }
        try w.close()
    }

    @Test func trailerWithNewerMajorIsRejectedNotRecovered() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        try sealedRun(path)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - Trailer.size + 20] = 2   // trailer major version 2
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect {
            try Recovery.recover(path: path)
        } throws: { e in
            guard case TapeError.corrupt(_, .unsupportedVersion(let major, _)) = e else { return false }
            return major == 2
        }
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
    }

    @Test func headerWithNewerMinorIsRejectedNotCut() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("run.tape")
        try sealedRun(path)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[10] = 9   // header minor version 9: frames this Tape may not know
        bytes.removeLast(Trailer.size)   // and no trailer: looks like a dead writer
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect {
            try Recovery.recover(path: path)
        } throws: { e in "\(e)".contains("format 1.9") }
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
    }
}
