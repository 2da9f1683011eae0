import Foundation
import Testing
import Tape
import TapeTestSupport

/// Every command over crafted files (bombs, lies, version disagreements) ends with the outcome the
/// spec requires and within 512 MB peak RSS, measured by running the `tape` executable under
/// `/usr/bin/time -f %M` (format-spec §7: readers bound allocations before making them).
@Suite(.serialized) struct CraftedFileMemoryTests {
    static let limitKB = 512 * 1024

    /// Runs `tape args` under /usr/bin/time; returns exit status, stdout+stderr, and peak RSS in KB.
    func measured(_ args: [String]) throws -> (status: Int32, output: String, peakKB: Int) {
        let exe = try #require(tapeExecutable())
        let out = try runProcess("/usr/bin/time", ["-f", "PEAK_KB=%M", exe] + args)
        let line = try #require(out.stderr.split(separator: "\n").last { $0.hasPrefix("PEAK_KB=") }, "no /usr/bin/time output")
        let kb = try #require(Int(line.dropFirst("PEAK_KB=".count)))
        return (out.status, out.stdout + out.stderr, kb)
    }

    /// The commands a user may run on a file with a table `table`.
    func commands(_ path: String, table: String, out: String) -> [[String]] {
        [["verify", path], ["cat", path, table, "--limit", "1"], ["info", path],
         ["sql", "SELECT count(*) FROM \(table)", path], ["sql", "SELECT * FROM \(table) LIMIT 1", path],
         ["export", "-f", "parquet", "--out", out, path]]
    }

    @Test func decompressionBombIsRefusedByEveryCommand() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("bomb.tape")
        let bytes = try CraftedFile.nullBomb(columns: 64, rows: 1 << 24)
        #expect(bytes.count < 16_384)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        for args in commands(path, table: "bomb", out: dir.path("pq")) {
            let r = try measured(args)
            #expect(r.status != 0, "\(args[0]) accepted a bomb")
            #expect(r.output.contains("decoded size"), "\(args[0]): \(r.output)")
            #expect(r.peakKB < Self.limitKB, "\(args): peak \(r.peakKB) KB")
        }
    }

    /// Chunks at the decoded-size limit (64 MiB), wide (64 columns × 131,072 rows, one chunk) and
    /// tall (1 column × 8,388,608 rows, two chunks): every command succeeds within memory.
    @Test(arguments: [(64, 1 << 17, 1), (1, 1 << 23, 2)])
    func largestLegalChunksStayWithinMemory(columns: Int, rows: Int, chunks: Int) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("big.tape")
        try Data(try CraftedFile.nullBomb(columns: columns, rows: rows, chunkCount: chunks)).write(to: URL(fileURLWithPath: path))
        // Parquet export of the tall file takes long in debug builds and adds nothing the wide one does not.
        for args in commands(path, table: "bomb", out: dir.path("pq")) where columns > 1 || args[0] != "export" {
            let r = try measured(args)
            #expect(r.status == 0, "\(args): \(r.output)")
            #expect(r.peakKB < Self.limitKB, "\(args): peak \(r.peakKB) KB")
            print("peak RSS of tape \(args.dropLast().joined(separator: " ")) over \(chunks) × \(columns) × \(rows): \(r.peakKB) KB")
        }
    }

    /// `recover --salvage` of a file with 300,000 fake chunk magics between two real chunks, each
    /// prefix claiming a frame up to the end of the file (reading each candidate would read ~3·10^5 ×
    /// 3 MB): one pass over the file (format-spec §4.1), every real chunk kept, bounded memory.
    @Test func salvageThroughManyFakeFramesIsOnePass() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("run.tape"), hostile = dir.path("hostile.tape")
        let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 100, maxChunkLag: 0))
        let t = try w.declareTable("t", columns: [ColumnDef("x", .int64)])
        for i in 0..<300 { try t.append(values: [.int(Int64(i))]) }
        let live = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        try w.close()
        let cut = try TapeReader(path: path).table("t").chunks[1].frameOffset
        let fakes = 300_000, fakeSize = 20
        let total = live.count + fakes * fakeSize
        var bytes = Array(live[0..<cut])
        bytes.reserveCapacity(total)
        for k in 0..<fakes {
            var f = ByteWriter()
            f.writeBytes(ChunkHeader.magic)
            f.writeU32(0)
            f.writeU64(UInt64(total - (cut + k * fakeSize) - ChunkHeader.prefixSize - ChunkHeader.suffixSize))
            f.writeU32(0)
            bytes += f.bytes
        }
        bytes += live[cut...]
        try Data(bytes).write(to: URL(fileURLWithPath: hostile))
        let r = try measured(["recover", "--salvage", hostile])
        #expect(r.status == 0 && r.output.contains("kept 3 chunk(s)") && r.output.contains("skipped \(fakes * fakeSize) damaged byte(s)"), "\(r.output)")
        #expect(r.peakKB < Self.limitKB, "peak \(r.peakKB) KB")
        #expect(try TapeReader(path: hostile).rows("t") == (0..<300).map { [Value.int(Int64($0))] })
        print("peak RSS of tape recover --salvage through \(fakes) fake frames (\(total) bytes): \(r.peakKB) KB")
    }

    /// A sparse 3 GiB file whose only chunk frame claims a 3 GiB body: scanning it (an unsealed
    /// read, recovery) must refuse the length (§7) instead of reading 3 GiB into memory.
    @Test func sparseFileWithAHugeFrameIsNotRead() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("sparse.tape")
        var w = ByteWriter()
        w.writeBytes(FileHeader.magic)
        w.writeU16(1); w.writeU16(1); w.writeU32(0)
        w.writeBytes(ChunkHeader.magic)
        w.writeU32(16)
        w.writeU64(3 << 30)
        try Data(w.bytes).write(to: URL(fileURLWithPath: path))
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.truncate(atOffset: (3 << 30) + 64)
        try h.close()
        for args in [["cat", path, "t", "--unsealed"], ["recover", "--dry-run", path], ["sql", "SELECT count(*) FROM t", path, "--unsealed"]] {
            let r = try measured(args)
            #expect(r.peakKB < Self.limitKB, "\(args): peak \(r.peakKB) KB")
            #expect(r.output.contains("chunk body length") || r.status != 0, "\(args): \(r.output)")
        }
    }

    /// Footers at the index limits (format-spec §7), each the cheapest on disk for what it decodes
    /// to: a narrow and a wide table whose entries all index one small chunk frame, and metadata of
    /// 65,536 tiny pairs. Every command reads them within memory (`verify` reports the entries
    /// that do not match their frame).
    @Test(arguments: [(1, (IndexLimits.maxEntries - 2) / 2, 0), (4096, IndexLimits.maxEntries / 4097 - 1, 0),
                      (1, 1, IndexLimits.maxMetadataPairs)])
    func footersAtTheIndexLimitsStayWithinMemory(columns: Int, entries: Int, metadataPairs: Int) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("footer.tape")
        try Data(CraftedFile.footerBomb(columns: columns, entries: entries, metadataPairs: metadataPairs)).write(to: URL(fileURLWithPath: path))
        // Parquet export of the wide file takes minutes in debug builds and adds nothing the narrow one does not.
        for args in commands(path, table: "t", out: dir.path("pq")) + [["summary", path]] where columns == 1 || args[0] != "export" {
            let r = try measured(args)
            #expect(r.status == 0 || args[0] == "verify", "\(args): \(r.output.prefix(300))")
            #expect(!r.output.contains("out of bounds"), "\(args): \(r.output.prefix(300))")
            #expect(r.peakKB < Self.limitKB, "\(args): peak \(r.peakKB) KB")
            print("peak RSS of tape \(args[0]) over a footer of \(entries) entries × \(columns) columns + \(metadataPairs) metadata pairs: \(r.peakKB) KB")
        }
    }

    /// One entry, table or metadata pair past the limits, and a trailer claiming a footer longer
    /// than 64 MiB (a sparse file): every command refuses the file, naming the limit.
    @Test(arguments: [(1, IndexLimits.maxEntries / 2, 0), (4096, IndexLimits.maxEntries / 4097, 0),
                      (1, 1, IndexLimits.maxMetadataPairs + 1), (0, 0, 0)])
    func footersPastTheIndexLimitsAreRefused(columns: Int, entries: Int, metadataPairs: Int) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("footer.tape")
        if columns > 0 {
            try Data(CraftedFile.footerBomb(columns: columns, entries: entries, metadataPairs: metadataPairs)).write(to: URL(fileURLWithPath: path))
        } else {
            let size = FileHeader.size + IndexLimits.maxFooterLength + 1 + Trailer.size
            var f = CraftedFile()
            f.bytes += [UInt8](repeating: 0, count: size - FileHeader.size - Trailer.size)
            var t = ByteWriter()
            Trailer(footerOffset: UInt64(FileHeader.size), footerLength: UInt64(IndexLimits.maxFooterLength + 1), footerCRC: 0).encode(into: &t)
            f.bytes += t.bytes
            try Data(f.bytes).write(to: URL(fileURLWithPath: path))
        }
        for args in commands(path, table: "t", out: dir.path("pq")) + [["summary", path]] {
            let r = try measured(args)
            #expect(r.output.contains("out of bounds"), "\(args): \(r.output.prefix(300))")
            #expect(r.peakKB < Self.limitKB, "\(args): peak \(r.peakKB) KB")
        }
    }

    /// An unsealed file whose frames describe more index entries than a footer may hold (129 chunk
    /// frames of 4,096 columns): reading it and recovering it keep the frames within the limit,
    /// and the recovered file reads.
    @Test func unsealedFramesPastTheIndexLimitAreCut() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("frames.tape")
        var f = CraftedFile()
        let cols = (0..<4096).map { CraftedFile.Column("c\($0)", .int64) }
        let data = (0..<4096).map { _ in ColumnData(type: .int64, storage: .int64([1])) }
        let frames = IndexLimits.maxEntries / 4097 + 1
        for _ in 0..<frames { f.chunk("t", cols, data, encodings: Array(repeating: .plain, count: 4096), checksums: false) }
        try Data(f.bytes).write(to: URL(fileURLWithPath: path))
        let kept = IndexLimits.maxEntries / 4097 - 1   // the table's definition counts as one more
        let count = try measured(["sql", "SELECT count(*) FROM t", path, "--unsealed"])
        #expect(count.status == 0 && count.output.contains("\(kept)"), "\(count.output.prefix(300))")
        #expect(count.peakKB < Self.limitKB)
        let recovered = try measured(["recover", path])
        #expect(recovered.status == 0 && recovered.peakKB < Self.limitKB, "\(recovered.output.prefix(300))")
        let verified = try measured(["verify", path])
        #expect(verified.status == 0, "\(verified.output.prefix(300))")
    }

    @Test func lyingStatisticsFailVerify() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("lie.tape")
        var f = CraftedFile()
        let x = ColumnData(type: .int64, storage: .int64([-50, 2000]))
        f.chunk("t", [.init("x", .int64)], [x]) { $0[0].stats.min = .int(1000) }
        f.seal()
        try Data(f.bytes).write(to: URL(fileURLWithPath: path))
        let r = try measured(["verify", path])
        #expect(r.status == 1)
        #expect(r.output.contains("statistics say min 1000, max 2000 but the data has min -50, max 2000"), "\(r.output)")
    }

    @Test func trailerOfAnUnknownMajorVersionIsRefused() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("v2.tape")
        var f = CraftedFile()
        f.chunk("t", [.init("x", .int64)], [ColumnData(type: .int64, storage: .int64([1, 2]))])
        f.seal(major: 2)
        try Data(f.bytes).write(to: URL(fileURLWithPath: path))
        for args in [["verify", path], ["cat", path, "t"], ["recover", path]] {
            let r = try measured(args)
            #expect(r.status != 0 && r.output.contains("unsupported format version 2"), "\(args): \(r.output)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(f.bytes), "recover changed a file it cannot read")
    }
}

/// Runs `executable` with `args`; captures stdout and stderr (through files: no pipe to drain).
func runProcess(_ executable: String, _ args: [String]) throws -> TapeOutcome {
    let dir = TempDir()
    defer { dir.cleanup() }
    _ = FileManager.default.createFile(atPath: dir.path("out"), contents: nil)
    _ = FileManager.default.createFile(atPath: dir.path("err"), contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.path("out")))
    p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.path("err")))
    p.standardInput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    let read = { (name: String) in String(decoding: FileManager.default.contents(atPath: dir.path(name)) ?? Data(), as: UTF8.self) }
    return TapeOutcome(status: p.terminationStatus, stdout: read("out"), stderr: read("err"))
}
