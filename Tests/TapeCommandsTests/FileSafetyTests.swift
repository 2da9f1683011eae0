import Foundation
import Synchronization
import Testing
@testable import Tape
@testable import TapeCommands
import TapeTestSupport
#if canImport(Glibc)
import Glibc
#endif

// File safety of every writer (issue 13): writers of one path serialise on a lock that survives a
// compaction's rename, temporary files are created without following links and cleaned only
// when their owner is gone, exports never overwrite their own output, a compaction through a
// symbolic link keeps the link, and readers read one file through one descriptor.

private func run(_ arguments: [String]) throws {
    var command = try TapeCommand.parseAsRoot(arguments)
    try command.run()
}

/// A sealed file with table `t` (id int64) holding `ids`, in chunks of `rowsPerChunk`.
private func writeIDs(_ path: String, _ ids: [Int64], table: String = "t", rowsPerChunk: Int = 64) throws {
    let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: rowsPerChunk))
    let t = try w.declareTable(table, columns: [ColumnDef("id", .int64, nullable: false)])
    for i in ids { try t.append(values: [.int(i)]) }
    try w.close()
}

private func ids(_ path: String, table: String = "t") throws -> [Int64] {
    try tableRows(path)[table, default: []].map { row in
        if case .int(let v) = row[0] { return v }
        return -1
    }
}

private func inode(_ path: String) -> UInt64 {
    var st = stat()
    return stat(path, &st) == 0 ? UInt64(st.st_ino) : 0
}

@Suite("File safety", .serialized)
struct FileSafetyTests {
    @Test("a second import during an append is told the file is locked")
    func importDuringAppendIsLocked() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let file = dir.path("run.tape"), csv = dir.path("rows.csv")
        try writeIDs(file, [1, 2, 3])
        try "id\n4\n".write(toFile: csv, atomically: false, encoding: .utf8)
        let appending = try TapeWriter(appendingTo: file)
        let r = try runTape(["import", file, "t", "--csv", csv, "--schema", "id:int64!"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("locked"), "\(r.stderr)")
        #expect(!r.stderr.contains("no footer"), "\(r.stderr)")
        try appending.close()
        #expect(try ids(file) == [1, 2, 3])
    }

    @Test("a writer locks the file its path names even when a rename replaced it before the lock")
    func lockFollowsRename() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let file = dir.path("run.tape"), replacement = dir.path("new.tape")
        try writeIDs(file, [1, 2])
        try writeIDs(replacement, [7, 8, 9])
        let newInode = inode(replacement)
        var renamed = false
        let locked = try RawFile.openLocked(file, access: .readWrite, beforeLock: {
            if !renamed { renamed = true; #expect(rename(replacement, file) == 0) }
        })
        var st = stat()
        #expect(fstat(locked.fd, &st) == 0 && UInt64(st.st_ino) == newInode)
        try locked.close()
        // And an append opened through the same race writes to the file the path names.
        let w = try TapeWriter(appendingTo: file)
        let t = try w.declareTable("t", columns: [ColumnDef("id", .int64, nullable: false)])
        try t.append(values: [.int(10)])
        try w.close()
        #expect(try ids(file) == [7, 8, 9, 10])
    }

    @Test("tape compact through a symbolic link compacts its target and keeps the link")
    func compactSymlink() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let target = dir.path("real.tape"), link = dir.path("link.tape")
        try writeIDs(target, Array(0..<1_000), rowsPerChunk: 10)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real.tape")
        try run(["compact", link, "--codec", "lz4"])
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == "real.tape")
        let reader = try TapeReader(path: target)
        #expect(reader.metadata.contains { $0.key == "tape.compacted" })
        #expect(reader.tables[0].chunks.count == 1)
        #expect(try ids(link) == Array(0..<1_000))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == ["link.tape", "real.tape"])
    }

    @Test("leftover cleanup keeps the temporary file of a live compaction and removes a dead one's")
    func tempCleanupKeepsLiveOwners() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        // A process that has exited: its pid names no live owner.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        let live = dir.path(".run.tape.compact-\(getpid()).tmp")
        let dead = dir.path(".run.tape.compact-\(p.processIdentifier).tmp")
        for f in [live, dead] { try Data([1, 2, 3]).write(to: URL(fileURLWithPath: f)) }
        let removed = try Compactor.removeLeftoverTemps(inDirectory: dir.url.path)
        #expect(removed == [dead])
        #expect(FileManager.default.fileExists(atPath: live))
        #expect(!FileManager.default.fileExists(atPath: dead))
    }

    @Test("parallel compactions in one directory all succeed")
    func parallelCompactions() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let files = (0..<4).map { dir.path("r\($0).tape") }
        for (i, f) in files.enumerated() { try writeIDs(f, Array(Int64(i * 1000)..<Int64(i * 1000 + 3000)), rowsPerChunk: 7) }
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do {
                for _ in 0..<3 {
                    let r = try runTape(["compact", files[i % 4], "--codec", "none"])
                    if r.status != 0 && !r.stdout.contains("locked") { failures.withLock { $0.append(r.stdout + r.stderr) } }
                }
            } catch { failures.withLock { $0.append("\(error)") } }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 }.prefix(2))")
        for (i, f) in files.enumerated() {
            #expect(try Verifier.verify(path: f).ok)
            #expect(try ids(f) == Array(Int64(i * 1000)..<Int64(i * 1000 + 3000)))
        }
    }

    @Test("tape verify never reports damage while the file is being compacted")
    func verifyDuringCompaction() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let file = dir.path("run.tape")
        try writeIDs(file, Array(0..<2_000), rowsPerChunk: 9)
        final class Flag: Sendable { let raised = Atomic<Bool>(false) }
        let stop = Flag()
        let problems = Mutex<[String]>([])
        let verifies = Atomic<Int>(0)
        // The compactions run on a thread of their own (not `concurrentPerform`, which may run both
        // halves one after the other on one busy thread); verification runs here meanwhile.
        let done = DispatchSemaphore(value: 0)
        let compactor = Thread {
            // Alternate chunk sizes so that every compaction changes the layout.
            for k in 0..<40 {
                _ = try? Compactor.compact(path: file, options: CompactionOptions(codec: .none, rowsPerChunk: k % 2 == 0 ? 13 : 29))
            }
            stop.raised.store(true, ordering: .relaxed)
            done.signal()
        }
        compactor.start()
        repeat {
            do {
                let r = try Verifier.verify(path: file)
                if !r.ok { problems.withLock { $0.append(contentsOf: r.problems) } }
            } catch { problems.withLock { $0.append("\(error)") } }
            verifies.add(1, ordering: .relaxed)
        } while !stop.raised.load(ordering: .relaxed)
        done.wait()
        #expect(verifies.load(ordering: .relaxed) > 0)
        let found = problems.withLock { $0 }
        #expect(found.count == 0, "false report(s), e.g. \(found.prefix(2))")
    }

    @Test("a reader reopened for another thread reads the same file even after a rename replaced the path")
    func reopeningReadsTheSameFile() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let file = dir.path("run.tape"), other = dir.path("other.tape")
        try writeIDs(file, Array(0..<500), rowsPerChunk: 10)
        try writeIDs(other, Array(1000..<1100), rowsPerChunk: 100)
        let first = try TapeReader(path: file)
        #expect(rename(other, file) == 0)
        let second = try TapeReader(reopening: first)
        let scan = try second.scan("t")
        var got: [Int64] = []
        while let b = try scan.nextBatch() {
            if case .int64(let v) = b.columns[0].storage { got.append(contentsOf: v.prefix(b.count)) }
        }
        #expect(got == Array(0..<500))
    }

    @Test("a planted symbolic link at an export's temporary name is never followed")
    func exportTempIgnoresPlantedLink() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let file = dir.path("run.tape"), out = dir.path("out"), victim = dir.path("victim.txt")
        try writeIDs(file, [1, 2, 3])
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try "precious".write(toFile: victim, atomically: false, encoding: .utf8)
        // The name an export in this process used for its temporary file.
        let planted = "\(out)/.run.t.parquet.tmp-\(getpid())"
        try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: victim)
        try run(["export", file, "--format", "parquet", "--out", out])
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
        #expect(FileManager.default.fileExists(atPath: "\(out)/run.t.parquet"))
    }

    @Test("the shared temporary-file helper refuses to follow a link and replaces atomically")
    func atomicReplacementHelper() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let victim = dir.path("victim"), link = dir.path("link"), target = dir.path("target")
        try "precious".write(toFile: victim, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
        #expect(throws: TapeError.self) { _ = try RawFile.createExclusive(link) }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
        try "old".write(toFile: target, atomically: false, encoding: .utf8)
        let r = try AtomicReplacement(replacing: target, purpose: "test")
        #expect(r.temporaryPath.hasPrefix(dir.path(".target.test-\(getpid())-")))
        try r.file.write(Array("new".utf8))
        try r.commit()
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == ["link", "target", "victim"])
        let abandoned = try AtomicReplacement(replacing: target, purpose: "test")
        abandoned.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == ["link", "target", "victim"])
    }

    @Test("parquet export refuses two inputs that would write the same path, before writing anything")
    func exportCollisions() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try FileManager.default.createDirectory(atPath: dir.path("2024"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.path("2025"), withIntermediateDirectories: true)
        let x = dir.path("2024/sma.tape"), y = dir.path("2025/sma.tape")
        try writeIDs(x, [1]); try writeIDs(y, [2])
        let out = dir.path("lake")
        let r = try runTape(["export", x, y, "--format", "parquet", "--out", out, "--partitioned"])
        #expect(r.status != 0)
        #expect(r.stderr.contains(x) && r.stderr.contains(y), "\(r.stderr)")
        let written = (FileManager.default.enumerator(atPath: out)?.allObjects ?? []).compactMap { $0 as? String }
        #expect(!written.contains { $0.hasSuffix(".parquet") })

        // Flat names: a.b.tape + table c and a.tape + table b.c both give a.b.c.parquet.
        let ab = dir.path("a.b.tape"), a = dir.path("a.tape")
        try writeIDs(ab, [1], table: "c"); try writeIDs(a, [2], table: "b.c")
        let flat = dir.path("flat")
        let r2 = try runTape(["export", ab, a, "--format", "parquet", "--out", flat])
        #expect(r2.status != 0)
        #expect(r2.stderr.contains(ab) && r2.stderr.contains(a) && r2.stderr.contains("a.b.c.parquet"), "\(r2.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(flat)/a.b.c.parquet"))
        // The same file given twice is one input, not a collision.
        let r3 = try runTape(["export", a, a, "--format", "parquet", "--out", flat])
        #expect(r3.status == 0, "\(r3.stderr)")
    }
}
