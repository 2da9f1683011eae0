import Foundation
import Testing
@testable import Tape
import TapeCodec
import TapeFormat
import TapeTestSupport

/// Page groups (format 1.5, format-spec §5.5): the writer groups pages, compaction rewrites a 1.4
/// file's pages into groups, and `verify` refuses groups in a file older than 1.5.
@Suite struct PageGroupTests {
    static let rows: [[Value]] = (0..<10_000).map { (k: Int) -> [Value] in
        let ts = Value.timestamp(1_700_000_000_000_000_000 + Int64(k) * 60_000_000_000)
        let px: Value = k % 97 == 3 ? .null : .double(Double(10_000 + (k * 37) % 1001) / 100)
        return [ts, px]
    }
    static var cols: [Col] { [Col("ts", .timestamp, nullable: false), Col("px", .float64)] }

    /// The page directory of block `col` of chunk 0 of table `table` in the file at `path`.
    static func directory(_ path: String, table: String = "t", col: Int) throws -> PageDirectory {
        let r = try TapeReader(path: path)
        let t = try r.table(table)
        let c = t.chunks[0], d = c.blocks[col]
        #expect(d.encoding == PageDirectory.encodingID)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        return try bytes.withUnsafeBytes { buf throws(FormatError) in
            try BlockDecoder.pageDirectory(UnsafeRawBufferPointer(rebasing: buf[c.blockOffsets[col]...].prefix(d.storedLength)), descriptor: d,
                                           type: t.schema[col].type, rowCount: c.rowCount, offset: c.blockOffsets[col])
        }
    }

    /// A sealed crafted file of `minor` holding `rows` as one chunk paged by 4,096-row pages.
    static func crafted(minor: UInt16, pagesPerGroup: Int) -> [UInt8] {
        var f = CraftedFile(minor: minor)
        f.chunk("t", cols, [column(.timestamp, rows.map { $0[0] }), column(.float64, rows.map { $0[1] })], codec: .zstd(level: 3),
                rowsPerPage: 4096, pagesPerGroup: pagesPerGroup)
        f.seal(minor: minor)
        return f.bytes
    }

    @Test("compaction rewrites a 1.4 file's independently compressed pages as 1.5 page groups, same rows")
    func compactionWrites1_5Groups() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("old.tape")
        try Data(Self.crafted(minor: 4, pagesPerGroup: 0)).write(to: URL(fileURLWithPath: path))
        #expect(try Self.directory(path, col: 1).pagesPerGroup == 0)
        _ = try Compactor.compact(path: path, options: CompactionOptions(codec: .zstd(level: 3)))
        let r = try TapeReader(path: path, options: ReaderOptions(verifyChecksums: true))
        #expect(r.formatMinorVersion == 5)
        for col in 0..<2 {
            let d = try Self.directory(path, col: col)
            #expect(d.pages.count == 3 && d.pagesPerGroup == 3 && d.groups.count == 1, "\(d.pagesPerGroup) \(d.groups.count)")
        }
        #expect(try r.rows("t").isIdentical(to: Self.rows))
        #expect(try Verifier.verify(path: path).ok)
    }

    @Test("verify accepts page groups in a 1.5 file and reports them in a 1.4 file")
    func verifyChecksTheVersionOfGroups() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try Data(Self.crafted(minor: 5, pagesPerGroup: 2)).write(to: URL(fileURLWithPath: dir.path("new.tape")))
        let good = try Verifier.verify(path: dir.path("new.tape"))
        #expect(good.ok, "\(good.problems)")
        try Data(Self.crafted(minor: 4, pagesPerGroup: 2)).write(to: URL(fileURLWithPath: dir.path("old.tape")))
        let bad = try Verifier.verify(path: dir.path("old.tape"))
        #expect(bad.problems.count == 2 && bad.problems.allSatisfy { $0.contains("page groups (format 1.5) in a format 1.4 file") }, "\(bad.problems)")
    }
}
