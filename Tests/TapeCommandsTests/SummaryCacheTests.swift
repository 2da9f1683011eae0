import Foundation
import Synchronization
import Testing
import Tape
@testable import TapeCommands
import TapeTestSupport

// `tape summary`'s footer cache: it never changes an answer — runs added, changed, removed,
// a cache damaged or crafted — and it is used (not rewritten) when nothing changed.

/// A run with a daily equity curve `equity` and a `trades` table of `trades`.
private func writeRun(_ path: String, equity: [Double], trades: [Double], metadata: [String: String]) throws {
    let w = try TapeWriter(path: path, metadata: metadata)
    let eq = try w.declareTable("equity", columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64)])
    for (i, v) in equity.enumerated() {
        try eq.append(values: [.timestamp(1_704_067_200_000_000_000 + Int64(i) * 86_400_000_000_000), .double(v)])
    }
    let tr = try w.declareTable("trades", columns: [ColumnDef("pnl", .float64)])
    for p in trades { try tr.append(values: [.double(p)]) }
    try w.close()
}

/// Far enough in the future that no test file counts as recently changed ("racy").
private let later = Int64(Date().timeIntervalSince1970 * 1e9) + 3_600_000_000_000

/// Every run under `dir` as text lines (path order): run, status, a few metrics and metadata, then
/// the failures. `now` is the instant files are judged racy against (nil: the real clock).
func summaryLines(_ dir: String, cache: RunTableLoader.CacheMode, now: Int64?) throws -> [String] {
    let paths = try RunPaths.expand([dir])
    let names = ["sharpe", "trades", "start", "fast", "strategy", "bars"]
    var table = RunTable(wanted: names)
    let failures = RunTableLoader(paths: paths, cache: cache, workers: 2, now: now).load(into: &table)
    let view = SummaryView(table: table, paths: paths)
    return view.rows.map { r in
        (["run", "status", "path"] + names).map { name -> String in
            let d = view.datum(view.source(name), Int(r))
            if case .string(let s) = d { return s }
            return d.description
        }.joined(separator: "|")
    } + failures.map { "failed: \($0.path)" }
}

private func modified(_ path: String) -> Date? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
}

@Suite("tape summary footer cache", .serialized)
struct SummaryCacheTests {
    private func makeRuns(_ dir: TempDir, count: Int = 40) throws -> String {
        let runs = dir.path("runs")
        try FileManager.default.createDirectory(atPath: runs + "/sub", withIntermediateDirectories: true)
        for i in 0..<count {
            let eq = (0..<8).map { 100 + Double(($0 * (i + 3)) % 7) }
            try writeRun(runs + (i % 5 == 0 ? "/sub" : "") + "/run\(i).tape", equity: eq, trades: [Double(i % 4) - 1.5],
                         metadata: ["fast": String(i), "strategy": i % 2 == 0 ? "a" : "b"])
        }
        return runs
    }

    @Test func sameAnswerWithAndWithoutTheCacheAndNoRewriteWhenUnchanged() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir)
        let reference = try summaryLines(runs, cache: .off, now: later)
        #expect(reference.count == 40 && !FileManager.default.fileExists(atPath: runs + "/.tape-summary.cache"))
        #expect(try summaryLines(runs, cache: .on, now: later) == reference)
        let cacheFile = runs + "/.tape-summary.cache"
        #expect(FileManager.default.fileExists(atPath: cacheFile) && FileManager.default.fileExists(atPath: runs + "/sub/.tape-summary.cache"))
        let written = try Data(contentsOf: URL(fileURLWithPath: cacheFile))
        let inode = try FileManager.default.attributesOfItem(atPath: cacheFile)[.systemFileNumber] as? Int
        #expect(try summaryLines(runs, cache: .on, now: later) == reference)
        #expect(try summaryLines(runs, cache: .auto, now: later) == reference)     // below 256 runs: the cache is not used
        // Unchanged runs: the cache was read, not rewritten (same inode, same bytes).
        #expect(try FileManager.default.attributesOfItem(atPath: cacheFile)[.systemFileNumber] as? Int == inode)
        #expect(try Data(contentsOf: URL(fileURLWithPath: cacheFile)) == written)
        // The cache does not show up as a run, and temporary files are gone.
        let names = try FileManager.default.contentsOfDirectory(atPath: runs).filter { $0.hasPrefix(".") }
        #expect(names == [".tape-summary.cache", ".tape-summary.journal"])
    }

    @Test func theCacheIsWhatAnsweredWhenFilesAreUnchanged() throws {
        // Plant a cache whose record for run3 carries different metrics but run3's true identity:
        // the answer then comes from the cache, proving hits are served from it (this is also
        // the documented limit: a cache forged with matching identities is believed).
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir, count: 6)
        _ = try summaryLines(runs, cache: .on, now: later)
        let path = runs + "/run3.tape"
        let id = try #require(FileIdentity(path: path))
        let writer = SummaryCacheWriter(directory: runs, names: [])
        var facts = try RunFacts(path: path)
        facts.metrics = RunMetrics(entries: [("trades", .int(99))])
        try writer.append(name: Array("run3.tape".utf8), identity: id, facts: facts)
        try writer.commit()
        let rows = try summaryLines(runs, cache: .on, now: later)
        #expect(rows.first { $0.hasPrefix("run3|") }?.contains("|99|") == true, "\(rows.joined(separator: "\n"))")
        // The forged cache lacked the other runs: they were read and the cache rewritten with them.
        #expect(try summaryLines(runs, cache: .off, now: later).filter { !$0.hasPrefix("run3|") } == rows.filter { !$0.hasPrefix("run3|") })
    }

    @Test func runsAddedChangedAndRemovedAreSeen() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir)
        _ = try summaryLines(runs, cache: .on, now: later)
        // Changed: run7 rewritten under the same name with other data and metadata.
        try writeRun(runs + "/run7.tape", equity: [100, 50, 75, 80], trades: [9, 9, 9], metadata: ["fast": "777", "strategy": "z"])
        // Changed in place with the same size and the old mtime put back: ctime still moves.
        let same = runs + "/run8.tape"
        let mtime = try #require(modified(same))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: same))
        try writeRun(runs + "/tmp.tape.x", equity: (0..<8).map { 100 + Double(($0 * 11) % 7) }, trades: [0.5],
                     metadata: ["fast": "8", "strategy": "a"])
        let other = try Data(contentsOf: URL(fileURLWithPath: runs + "/tmp.tape.x"))
        try FileManager.default.removeItem(atPath: runs + "/tmp.tape.x")
        if other.count == bytes.count {
            bytes = other
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: same))
            try h.write(contentsOf: bytes)
            try h.close()
            try FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: same)
        }
        // Added and removed.
        try writeRun(runs + "/run99.tape", equity: [100, 110], trades: [], metadata: ["fast": "99"])
        try FileManager.default.removeItem(atPath: runs + "/run12.tape")
        let reference = try summaryLines(runs, cache: .off, now: later)
        #expect(try summaryLines(runs, cache: .on, now: later) == reference)
        #expect(reference.contains { $0.hasPrefix("run7|complete|") && $0.contains("|777|") })
        #expect(reference.contains { $0.hasPrefix("run99|") } && !reference.contains { $0.hasPrefix("run12|") })
        #expect(try summaryLines(runs, cache: .on, now: later) == reference)   // and from the rewritten cache
        // A file that became unreadable is reported, not served from the cache.
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: runs + "/run6.tape"))
        let failed = try summaryLines(runs, cache: .on, now: later)
        #expect(failed.contains { $0.hasSuffix("/run6.tape") && $0.hasPrefix("failed: ") } && !failed.contains { $0.hasPrefix("run6|") })
    }

    @Test func aRunReplacedByRenameWithTheSameSizeAndMtimeIsSeen() throws {
        // The usual way to publish a file (write a temporary, rename it over the old one), with the
        // new file the same size as the old and its mtime set to the old one's: the inode (and
        // ctime) differ, so the cached record is not believed.
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir)
        _ = try summaryLines(runs, cache: .on, now: later)
        let files = try FileManager.default.contentsOfDirectory(atPath: runs).filter { $0.hasSuffix(".tape") }.sorted()
        let sizes = try files.map { try Data(contentsOf: URL(fileURLWithPath: runs + "/" + $0)) }
        var pair: (Int, Int)?
        for a in files.indices where pair == nil {
            for b in files.indices where a != b && sizes[a].count == sizes[b].count && sizes[a] != sizes[b] {
                pair = (a, b)
                break
            }
        }
        let (a, b) = try #require(pair, "two runs of equal size")
        let target = runs + "/" + files[a]
        var old = stat()
        #expect(stat(target, &old) == 0)
        try sizes[b].write(to: URL(fileURLWithPath: runs + "/replacement.tmp"))
        var times = [old.st_atim, old.st_mtim]
        #expect(utimensat(AT_FDCWD, runs + "/replacement.tmp", &times, 0) == 0)
        #expect(rename(runs + "/replacement.tmp", target) == 0)
        var new = stat()
        #expect(stat(target, &new) == 0)
        #expect(new.st_size == old.st_size)
        #expect(new.st_mtim.tv_sec == old.st_mtim.tv_sec)
        #expect(new.st_mtim.tv_nsec == old.st_mtim.tv_nsec)
        let reference = try summaryLines(runs, cache: .off, now: later)
        #expect(try summaryLines(runs, cache: .on, now: later) == reference)
        #expect(try summaryLines(runs, cache: .on, now: later) == reference)
    }

    @Test func recentlyChangedFilesAreNotCached() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir, count: 3)
        // Without their writers' journal records (SummaryJournalTests: those are cached at once).
        try FileManager.default.removeItem(atPath: runs + "/" + SummaryJournal.fileName)
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        let reference = try summaryLines(runs, cache: .off, now: later)
        #expect(try summaryLines(runs, cache: .on, now: now) == reference)
        // Every file changed within the last second: none recorded (no cache written at all).
        if let reader = SummaryCacheReader(path: runs + "/.tape-summary.cache") { #expect(reader.next() == nil) }
        // A second later they are.
        #expect(try summaryLines(runs, cache: .on, now: now + 2_000_000_000) == reference)
        let reader = try #require(SummaryCacheReader(path: runs + "/.tape-summary.cache"))
        #expect(reader.next() != nil && !reader.damaged)
    }

    @Test func aCacheTemporaryFileOfADeadWriterIsRemovedAndALiveOnesIsKept() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir, count: 6)
        // A process that has exited, and this one.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        let dead = runs + "/..tape-summary.cache.cache-\(p.processIdentifier)-1a2b.tmp"
        let live = runs + "/..tape-summary.cache.cache-\(getpid())-3c4d.tmp"
        let unrelated = runs + "/..tape-summary.cache.export-\(p.processIdentifier)-1a2b.tmp"
        for f in [dead, live, unrelated] { #expect(FileManager.default.createFile(atPath: f, contents: Data([1, 2, 3]))) }
        let reference = try summaryLines(runs, cache: .off, now: later)
        #expect(try summaryLines(runs, cache: .on, now: later) == reference)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live) && FileManager.default.fileExists(atPath: unrelated))
        #expect(FileManager.default.fileExists(atPath: runs + "/.tape-summary.cache"))
    }

    @Test("SIGKILL of `tape summary` while it writes its cache: the next run removes the temporary file and answers right")
    func killedWhileWritingTheCache() throws {
        let tape = try #require(tapeExecutable())
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir, count: 300)
        usleep(1_100_000)   // older than the racy-file window, so the runs are cached
        let reference = try runTape(["summary", runs, "--cache", "off", "-f", "csv"]).stdout
        var g = SplitMix64(seed: 0xCAC4E)
        var killed = 0, leftovers = 0
        // One uninterrupted run (caches written) bounds the kill delays; the write is at its end.
        let started = Date()
        #expect(try runTape(["summary", runs, "--cache", "on", "-o", dir.path("out.csv")]).status == 0)
        var wall = max(0.02, Date().timeIntervalSince(started))
        // 20 trials; under a heavily loaded machine runs vary in length, so up to 20 more with
        // earlier kills while none has landed yet.
        var trials = 0
        for trial in 0..<40 where trial < 20 || killed == 0 {
            trials += 1
            for sub in ["", "/sub"] { try? FileManager.default.removeItem(atPath: runs + sub + "/.tape-summary.cache") }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tape)
            p.arguments = ["summary", runs, "--cache", "on", "-o", dir.path("out.csv")]
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            let spawned = Date()
            try p.run()
            let share = trial < 20 ? 0.3 + 0.9 * Double(g.next() % 1000) / 1000 : 0.05 + 0.5 * Double(g.next() % 1000) / 1000
            let until = spawned.addingTimeInterval(wall * share)
            while p.isRunning && Date() < until { usleep(100) }
            if p.isRunning, kill(p.processIdentifier, SIGKILL) == 0 { killed += 1 } else { wall = max(wall, Date().timeIntervalSince(spawned)) }
            p.waitUntilExit()
            leftovers += try FileManager.default.contentsOfDirectory(atPath: runs).filter { $0.hasSuffix(".tmp") }.count
            let next = try runTape(["summary", runs, "--cache", "on", "-f", "csv"])
            #expect(next.stdout == reference, "trial \(trial)")
            for sub in ["", "/sub"] {
                let temps = try FileManager.default.contentsOfDirectory(atPath: runs + sub).filter { $0.hasSuffix(".tmp") }
                #expect(temps.isEmpty, "trial \(trial): \(temps)")
            }
        }
        print("summary cache kill test: \(trials) trials, \(killed) killed, \(leftovers) temporary files left by a kill and removed")
        #expect(killed > 0)
    }

    @Test func aDamagedOrCraftedCacheNeverChangesTheAnswer() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir, count: 30)
        let reference = try summaryLines(runs, cache: .off, now: later)
        _ = try summaryLines(runs, cache: .on, now: later)
        let cacheFile = runs + "/.tape-summary.cache"
        let good = try Data(contentsOf: URL(fileURLWithPath: cacheFile))
        var g = SplitMix64(seed: 12)
        var variants: [Data] = [Data(), Data("TAPESUMC".utf8), good.prefix(good.count / 2), good + Data([0]), Data(count: 4096)]
        for _ in 0..<60 {
            var d = good
            let flips = 1 + Int(g.next() % 4)
            for _ in 0..<flips { d[Int(g.next() % UInt64(d.count))] ^= UInt8(1 << (g.next() % 8)) }
            variants.append(d)
        }
        // Lengths that lie: a record claiming 4 GB, a names offset past the end.
        var lie = good
        lie.replaceSubrange(9..<13, with: [0xFF, 0xFF, 0xFF, 0xFF])
        variants.append(lie)
        var offset = good
        offset.replaceSubrange((good.count - 16)..<(good.count - 8), with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        variants.append(offset)
        for (k, v) in variants.enumerated() {
            try v.write(to: URL(fileURLWithPath: cacheFile))
            #expect(try summaryLines(runs, cache: .on, now: later) == reference, "variant \(k)")
            // ...and the cache was repaired.
            #expect(try summaryLines(runs, cache: .on, now: later) == reference, "variant \(k), second run")
        }
        // A cache that is a directory or a symbolic link to elsewhere is not followed into a wrong answer.
        try FileManager.default.removeItem(atPath: cacheFile)
        try FileManager.default.createSymbolicLink(atPath: cacheFile, withDestinationPath: "/dev/zero")
        #expect(try summaryLines(runs, cache: .on, now: later) == reference)
    }

    @Test func aCacheThatCannotBeWrittenLeavesTheAnswerRightAndUncached() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir, count: 12)
        let reference = try summaryLines(runs, cache: .off, now: later)
        // A directory where the cache should be: it cannot be read as one nor renamed over
        // (what a read-only directory does for a user without root, which tests run as).
        let cacheFile = runs + "/.tape-summary.cache"
        try FileManager.default.createDirectory(atPath: cacheFile, withIntermediateDirectories: false)
        for _ in 0..<2 { #expect(try summaryLines(runs, cache: .on, now: later) == reference) }
        var isDir: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: cacheFile, isDirectory: &isDir) && isDir.boolValue)
        #expect(try FileManager.default.contentsOfDirectory(atPath: runs).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func concurrentSummariesAllAnswerRightAndLeaveAGoodCache() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let runs = try makeRuns(dir, count: 60)
        let reference = try summaryLines(runs, cache: .off, now: later)
        // Four at once with no cache (all write one), then four at once while a run changes.
        let answers = Mutex([[String]]())
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let rows = (try? summaryLines(runs, cache: .on, now: later)) ?? []
            answers.withLock { $0.append(rows) }
        }
        #expect(answers.withLock { $0 }.allSatisfy { $0 == reference })
        try writeRun(runs + "/run9.tape", equity: [100, 90, 95, 97, 99], trades: [1, 2], metadata: ["fast": "909", "strategy": "c"])
        let changed = try summaryLines(runs, cache: .off, now: later)
        #expect(changed != reference)
        answers.withLock { $0.removeAll() }
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let rows = (try? summaryLines(runs, cache: .on, now: later)) ?? []
            answers.withLock { $0.append(rows) }
        }
        #expect(answers.withLock { $0 }.allSatisfy { $0 == changed })
        let reader = try #require(SummaryCacheReader(path: runs + "/.tape-summary.cache"))
        var n = 0
        while reader.next() != nil { n += 1 }
        #expect(!reader.damaged && n > 0)
        #expect(try summaryLines(runs, cache: .on, now: later) == changed)
        #expect(try FileManager.default.contentsOfDirectory(atPath: runs).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }
}
