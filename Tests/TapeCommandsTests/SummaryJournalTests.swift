import Foundation
import Synchronization
import Testing
@testable import Tape
@testable import TapeCommands
import TapeTestSupport

// The summary journal (`SummaryJournal`): writers append their run's record when they seal it,
// `tape summary` answers from it without opening the file when the file is unchanged, and
// never gives a wrong answer when a run changed after its record, was added without one or was
// removed, when the journal is torn, garbage, missing or cannot be written.

private func writeRun(_ path: String, seed: Int, bars: Int = 8, metadata extra: [String: String] = [:]) throws {
    var meta = ["fast": String(seed), "strategy": seed % 2 == 0 ? "a" : "b"]
    meta.merge(extra) { _, b in b }
    let w = try TapeWriter(path: path, options: WriterOptions(durability: .none), metadata: meta)
    let eq = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
    for i in 0..<bars {
        try eq.append(values: [.timestamp(1_704_067_200_000_000_000 + Int64(i) * 86_400_000_000_000), .double(100 + Double((i * (seed + 3)) % 7))])
    }
    let tr = try w.declareTable("trades", columns: [ColumnDef("pnl", .float64)])
    try tr.append(values: [.double(Double(seed % 4) - 1.5)])
    try w.close()
}

/// Every run under `dir` as text lines: `summaryLines` (SummaryCacheTests) on the real clock.
private func summary(_ dir: String, cache: RunTableLoader.CacheMode) throws -> [String] {
    try summaryLines(dir, cache: cache, now: nil)
}

private func journalBytes(_ dir: String) -> [UInt8] {
    (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/" + SummaryJournal.fileName)))) ?? []
}

private func recordCount(_ dir: String) -> Int {
    journalBytes(dir).withUnsafeBytes { SummaryJournal.payloads($0).count }
}

/// Appends `record` to the journal of `dir` as a writer would.
private func append(_ record: [UInt8], to dir: String) throws {
    let h = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/" + SummaryJournal.fileName))
    try h.seekToEnd()
    try h.write(contentsOf: Data(record))
    try h.close()
}

/// A journal record for run `name` of `dir` with its file's true identity and `facts`' metadata
/// and metrics (a forgery the journal cannot tell from the truth: proves who answered).
private func forgedRecord(_ dir: String, _ name: String, metadata: [(key: String, value: String)], metrics: RunMetrics) throws -> [UInt8] {
    let id = try #require(FileIdentity(path: dir + "/" + name))
    return SummaryJournal.encode(name: Array(name.utf8), size: id.size, mtime: id.mtime, ctime: id.ctime, inode: id.inode,
                                 device: id.device, metadata: metadata, metrics: metrics.sectionBytes())
}

@Suite("tape summary journal", .serialized)
struct SummaryJournalTests {
    private func makeRuns(_ dir: TempDir, count: Int = 30) throws -> String {
        let runs = dir.path("runs")
        try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
        for i in 0..<count { try writeRun(runs + "/run\(i).tape", seed: i) }
        return runs
    }

    @Test func compactionAndRecoveryRecordTheRunsTheyRewrite() throws {
        // Compaction and salvage seal a temporary file and rename it over the run; sealing in
        // place (a torn run) seals the run itself. Each leaves a record under the run's own name
        // with the file's final identity, which the summary uses, and answers stay right.
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir, count: 4)
        _ = try summary(runs, cache: .on)
        #expect(recordCount(runs) == 0)
        func record(_ name: String) throws -> ScannedFooter? {
            let bytes = journalBytes(runs)
            return try bytes.withUnsafeBytes { SummaryJournal.payloads($0) }.compactMap { p in
                try SummaryJournalReader.decode(bytes, p)
            }.last { String(decoding: bytes[$0.0], as: UTF8.self) == name }?.1
        }
        func metadata(_ s: ScannedFooter) -> [String] {
            var keys: [String] = []
            s.forEachMetadata { k, _ in keys.append(String(decoding: k, as: UTF8.self)) }
            return keys
        }

        _ = try Compactor.compact(path: runs + "/run1.tape")
        let compacted = try #require(try record("run1.tape"))
        #expect(compacted.identity == FileIdentity(path: runs + "/run1.tape"))
        #expect(metadata(compacted).contains("tape.compacted"))
        #expect(recordCount(runs) == 1)   // none under the temporary name

        // A torn run (its footer cut off) is sealed in place.
        let torn = runs + "/run2.tape"
        let size = try #require(FileIdentity(path: torn)).size
        #expect(truncate(torn, off_t(size) - 20) == 0)
        _ = try Recovery.recover(path: torn)
        let resealed = try #require(try record("run2.tape"))
        #expect(resealed.identity == FileIdentity(path: torn))
        #expect(metadata(resealed).contains("tape.recovered"))

        // Salvage of a sealed run with a damaged chunk rewrites it under a temporary name.
        let damaged = runs + "/run3.tape"
        let h = try FileHandle(forUpdating: URL(fileURLWithPath: damaged))
        try h.seek(toOffset: 40)
        let byte = try #require(try h.read(upToCount: 1)).first ?? 0
        try h.seek(toOffset: 40)
        try h.write(contentsOf: Data([byte ^ 0xFF]))
        try h.close()
        _ = try Recovery.recover(path: damaged, salvage: true)
        let salvaged = try #require(try record("run3.tape"))
        #expect(salvaged.identity == FileIdentity(path: damaged))
        #expect(recordCount(runs) == 3)

        // The summary takes them (and empties the journal), and answers as reading every file.
        let reference = try summary(runs, cache: .off)
        #expect(try summary(runs, cache: .on) == reference)
        #expect(recordCount(runs) == 0)
        #expect(try summary(runs, cache: .on) == reference)
    }

    @Test func runsWrittenByIngestAreRecorded() throws {
        // `tape ingest` (any language's writer) seals through the same writer: one record.
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path("ingested.tape")
        let lines = [#"{"$schema":"equity","ts":"timestamp!","equity":"float64"}"#]
            + (0..<50).map { #"{"$table":"equity","ts":"2024-01-\#(String(format: "%02d", $0 % 28 + 1))T\#(String(format: "%02d", $0 / 28)):00:00Z","equity":\#(100 + Double($0 % 9))}"# }
            + [#"{"$close":true}"#]
        let r = try runTape(["ingest", path, "--metadata", "strategy=ing"], stdin: lines.joined(separator: "\n") + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        let journal = try #require(SummaryJournalReader(dir: dir.url.path))
        let record = try #require(journal.records[ArraySlice("ingested.tape".utf8)])
        #expect(record.identity == FileIdentity(path: path))
    }

    @Test func writersRecordTheirRunsAndSummaryAnswersFromTheJournalThenEmptiesIt() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir)
        #expect(recordCount(runs) == 30)
        // The record's identity is the file's: its mtime is the writer's stamp, kept to the ns.
        let bytes = journalBytes(runs)
        let first = try #require(bytes.withUnsafeBytes { SummaryJournal.payloads($0) }.first)
        let (name, scanned) = try #require(try SummaryJournalReader.decode(bytes, first))
        #expect(String(decoding: bytes[name], as: UTF8.self) == "run0.tape")
        #expect(scanned.identity == FileIdentity(path: runs + "/run0.tape"))
        let reference = try summary(runs, cache: .off)
        #expect(recordCount(runs) == 30)   // --cache off touches nothing
        // Below 256 runs (auto) the journal answers but no cache is kept and the journal stays.
        #expect(try summary(runs, cache: .auto) == reference)
        #expect(recordCount(runs) == 30 && !FileManager.default.fileExists(atPath: runs + "/.tape-summary.cache"))
        #expect(try summary(runs, cache: .on) == reference)
        #expect(recordCount(runs) == 0 && journalBytes(runs).isEmpty)
        // An empty journal is left alone (truncating it again would cost a file system
        // transaction per directory on every summary): its times do not move.
        let emptied = try #require(FileIdentity(path: runs + "/" + SummaryJournal.fileName))
        usleep(30_000)   // past the file system's timestamp tick, so a truncation would show
        #expect(try summary(runs, cache: .on) == reference)
        #expect(FileIdentity(path: runs + "/" + SummaryJournal.fileName) == emptied)
        // The runs were written just now, yet their records went into the cache: a writer's
        // record is not "racy" (its identity was taken after the stamp, SummaryJournal).
        let reader = try #require(SummaryCacheReader(path: runs + "/.tape-summary.cache"))
        var n = 0
        while reader.next() != nil { n += 1 }
        #expect(n == 30 && !reader.damaged)
    }

    @Test func theJournalIsWhatAnsweredWhenTheFileIsUnchanged() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir, count: 5)
        try append(try forgedRecord(runs, "run3.tape", metadata: [("fast", "4242")], metrics: RunMetrics(entries: [("trades", .int(99))])),
                   to: runs)
        let rows = try summary(runs, cache: .on)
        #expect(rows.first { $0.hasPrefix("run3|") }?.contains("|99|") == true, "\(rows)")
        #expect(rows.first { $0.hasPrefix("run3|") }?.contains("|4242|") == true)
        // The last record of a name wins; the others came from their writers' records.
        #expect(try summary(runs, cache: .off).filter { !$0.hasPrefix("run3|") } == rows.filter { !$0.hasPrefix("run3|") })
    }

    @Test func aRunChangedAfterItsRecordIsAnsweredFromTheFile() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir, count: 12)
        let fm = FileManager.default
        // Size differs: run1 rewritten by a writer that does not journal (its record would win).
        let other = dir.path("elsewhere")
        try fm.createDirectory(atPath: other, withIntermediateDirectories: true)
        try writeRun(other + "/x.tape", seed: 77, bars: 20, metadata: ["fast": "7777"])
        let bigger = try Data(contentsOf: URL(fileURLWithPath: other + "/x.tape"))
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: runs + "/run1.tape"))
        try h.truncate(atOffset: 0)
        try h.write(contentsOf: bigger)
        try h.close()
        // Same size, rewritten in place, mtime set back to the stamped nanosecond: ctime moved.
        let target = runs + "/run2.tape"
        let before = try #require(FileIdentity(path: target))
        try writeRun(other + "/y.tape", seed: 2, metadata: ["fast": "9"])
        let same = try Data(contentsOf: URL(fileURLWithPath: other + "/y.tape"))
        #expect(same.count == Int(before.size))
        let g = try FileHandle(forWritingTo: URL(fileURLWithPath: target))
        try g.write(contentsOf: same)
        try g.close()
        var times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2),
                     timespec(tv_sec: Int(before.mtime / 1_000_000_000), tv_nsec: Int(before.mtime % 1_000_000_000))]
        #expect(utimensat(AT_FDCWD, target, &times, 0) == 0)
        #expect(FileIdentity(path: target)?.mtime == before.mtime && FileIdentity(path: target)?.size == before.size)
        // Other inode: run3 replaced by rename with a copy of another run of the same size.
        try writeRun(other + "/z.tape", seed: 3, metadata: ["fast": "3333"])
        #expect(rename(other + "/z.tape", runs + "/run3.tape") == 0)
        // Removed: run4; added without a record (copied in): run50; broken: run5.
        try fm.removeItem(atPath: runs + "/run4.tape")
        try fm.copyItem(atPath: other + "/x.tape", toPath: runs + "/run50.tape")
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: runs + "/run5.tape"))
        let reference = try summary(runs, cache: .off)
        #expect(reference.contains { $0.hasPrefix("run1|") && $0.contains("|7777|") })
        #expect(reference.contains { $0.hasPrefix("run2|") && $0.contains("|9|") })
        #expect(reference.contains { $0.hasPrefix("run3|") && $0.contains("|3333|") })
        #expect(!reference.contains { $0.hasPrefix("run4|") } && reference.contains { $0.hasPrefix("run50|") })
        #expect(reference.contains { $0.hasPrefix("failed: ") && $0.hasSuffix("/run5.tape") })
        #expect(try summary(runs, cache: .on) == reference)
        #expect(try summary(runs, cache: .on) == reference)   // from the cache the journal went into
    }

    @Test func manyWritersAtOnceLeaveEveryRecordIntact() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = dir.path("runs")
        try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
        let failed = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { w in
            for k in 0..<25 {
                do { try writeRun(runs + "/w\(w)-\(k).tape", seed: w * 100 + k) } catch { failed.add(1, ordering: .relaxed) }
            }
        }
        #expect(failed.load(ordering: .relaxed) == 0)
        #expect(recordCount(runs) == 200)
        #expect(SummaryJournalReader(dir: runs)?.records.count == 200)
        let reference = try summary(runs, cache: .off)
        #expect(try summary(runs, cache: .on) == reference)
    }

    @Test func aTornGarbageOrMissingJournalNeverChangesTheAnswer() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir, count: 10)
        let reference = try summary(runs, cache: .off)
        let whole = journalBytes(runs)
        let path = runs + "/" + SummaryJournal.fileName
        let cache = runs + "/.tape-summary.cache"
        let records = whole.withUnsafeBytes { SummaryJournal.payloads($0) }
        // A torn last record (a writer died mid-write): the records before it still answer.
        let torn = Array(whole[..<(records[9].lowerBound + 5)])
        try Data(torn).write(to: URL(fileURLWithPath: path))
        #expect(SummaryJournalReader(dir: runs)?.records.count == 9)
        #expect(try summary(runs, cache: .on) == reference)
        // A record with one byte flipped, then random garbage, then none at all.
        var flipped = whole
        flipped[records[4].lowerBound + 3] ^= 0x40
        var g = SystemRandomNumberGenerator()
        for bytes in [flipped, (0..<4096).map { _ in UInt8.random(in: 0...255, using: &g) }, [UInt8]()] {
            try? FileManager.default.removeItem(atPath: cache)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(try summary(runs, cache: .on) == reference)
        }
        // Consumed: empty, which reads as no journal.
        #expect(SummaryJournalReader(dir: runs) == nil)
        try? FileManager.default.removeItem(atPath: cache)
        try FileManager.default.removeItem(atPath: path)
        #expect(try summary(runs, cache: .on) == reference)
        // Records of every kind of lie a crafted journal can tell about names and lengths.
        try? FileManager.default.removeItem(atPath: cache)
        var crafted: [UInt8] = []
        for (name, meta) in [("../run1.tape", [("fast", "1")]), ("", [("fast", "1")]), ("run1.tape", [("k", "v"), ("k", "w")])] {
            crafted += SummaryJournal.encode(name: Array(name.utf8), size: 1, mtime: 0, ctime: 0, inode: 0, device: 0,
                                             metadata: meta, metrics: [1, 0])
        }
        crafted += [0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]
        try Data(crafted).write(to: URL(fileURLWithPath: path))
        #expect(SummaryJournalReader(dir: runs).map { $0.records.count } == 0)
        #expect(try summary(runs, cache: .on) == reference)
    }

    @Test func aJournalOrCacheThatCannotBeWrittenNeverFailsTheRunNorTheAnswer() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = dir.path("runs")
        try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
        // Directories where the journal and the cache should be: neither can be opened as a file
        // (what a read-only directory does for a user without root; tests run as root).
        try FileManager.default.createDirectory(atPath: runs + "/" + SummaryJournal.fileName, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: runs + "/.tape-summary.cache", withIntermediateDirectories: false)
        for i in 0..<6 { try writeRun(runs + "/run\(i).tape", seed: i) }
        let reference = try summary(runs, cache: .off)
        #expect(reference.count == 6 && !reference.contains { $0.hasPrefix("failed") })
        #expect(try summary(runs, cache: .on) == reference)
        #expect(try summary(runs, cache: .auto) == reference)
        #expect(SummaryJournalReader(dir: runs + "/run0.tape") == nil)
    }

    @Test func aFifoInTheJournalsPlaceDoesNotHangTheWriter() throws {
        // Opening a FIFO for writing blocks until a reader comes; the journal is opened
        // non-blocking, so the writer's close returns at once and the run is intact.
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = dir.path("runs")
        try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
        #expect(mkfifo(runs + "/" + SummaryJournal.fileName, 0o644) == 0)
        for i in 0..<3 { try writeRun(runs + "/run\(i).tape", seed: i) }
        let reference = try summary(runs, cache: .off)
        #expect(reference.count == 3 && !reference.contains { $0.hasPrefix("failed") })
        #expect(try summary(runs, cache: .on) == reference)
        // And in the cache's place: ignored, the answer still right.
        try FileManager.default.removeItem(atPath: runs + "/" + SummaryJournal.fileName)
        #expect(mkfifo(runs + "/.tape-summary.cache", 0o644) == 0)
        #expect(try summary(runs, cache: .on) == reference)
    }
}
