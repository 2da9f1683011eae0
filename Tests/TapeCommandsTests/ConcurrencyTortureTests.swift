import Foundation
import Synchronization
import Testing
import Tape
import TapeTestSupport
#if canImport(Glibc)
import Glibc
#endif

// Concurrency torture (TESTING.md): several real `tape` processes at a time, started with random
// delays, run random import-appends, ingests, compactions, recoveries, verifications, queries and
// exports over a few shared files (one of them also reached through a symbolic link). Every
// write that exited 0 is recorded; at the end every file verifies, the link is still a link,
// every acknowledged row is present exactly once and no row of a failed write is, and no
// temporary file is left behind. While it runs, a reader may be told that a file is being written
// ("locked", or "no footer" while an append is under way) but never that it is damaged.

/// Operations of the default suite, and of `TAPE_TORTURE_LONG=1`; `TAPE_TORTURE_OPS=N` overrides both.
private let tortureOperations: Int = {
    let env = ProcessInfo.processInfo.environment
    if let n = env["TAPE_TORTURE_OPS"].flatMap({ Int($0) }), n > 0 { return n }
    return env["TAPE_TORTURE_LONG"] == "1" ? 50_000 : 2_000
}()

/// One finished process of the torture run.
private struct TortureOp: Sendable {
    enum Kind: String, Sendable { case append, ingest, compact, recover, verify, sql, export }
    var kind: Kind
    /// The file operated on, as given on the command line (maybe the link).
    var target: String
    /// Row ids this operation writes (appends and ingests).
    var ids: [Int64]
    var started: Double
    var ended: Double
    var status: Int32
    var output: String
}

/// Runs `tape` with `args`, stdout and stderr merged, no stdin.
private func runMerged(_ exe: String, _ args: [String]) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

private func now() -> Double { Date().timeIntervalSinceReferenceDate }

/// Every `id` of table `t` of the sealed file at `path`.
private func storedIDs(_ path: String) throws -> [Int64] {
    let reader = try TapeReader(path: path, options: ReaderOptions(verifyChecksums: true))
    let scan = try reader.scan("t", columns: ["id"])
    var ids: [Int64] = []
    while let b = try scan.nextBatch() {
        guard case .int64(let v) = b.columns[0].storage else { throw TapeError.invalidArgument("id is not int64") }
        ids.append(contentsOf: v.prefix(b.count))
    }
    return ids
}

/// What a failed operation may say: the file is being written by someone else. Anything else
/// (damage, a stale footer, a missing temporary file) is a defect.
private func isExpectedRefusal(_ op: TortureOp) -> Bool {
    let text = op.output
    if text.contains("locked") { return true }
    switch op.kind {
    case .verify, .sql, .export, .compact:
        // A reader meeting a file in the middle of an append sees no footer yet.
        return text.contains("has no footer") && !text.contains("problem(s)\n  frame")
    case .append, .ingest, .recover:
        return false
    }
}

@Suite("Concurrency torture", .serialized)
struct ConcurrencyTortureTests {
    @Test("random interleavings of append, ingest, compact, recover, verify, sql and export lose and invent nothing")
    func torture() throws {
        let exe = try #require(tapeExecutable())
        // On tmpfs when there is one: the test is about interleavings, not the disk's fsync time.
        let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? TempDir(under: "/dev/shm") : TempDir()
        defer { dir.cleanup() }
        let inputs = dir.path("in"), exports = dir.path("exp")
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
        let a = dir.path("a.tape"), link = dir.path("l.tape")
        let appended = [a, dir.path("b.tape"), dir.path("c.tape")], ingested = [dir.path("i.tape"), dir.path("j.tape")]
        // Every op id owns row ids op*4 ..< op*4+4; op 0 is the setup.
        let setup: [Int64] = [0, 1]
        let csv0 = "\(inputs)/setup.csv"
        try "id,op\n0,0\n1,0\n".write(toFile: csv0, atomically: false, encoding: .utf8)
        for f in appended {
            let (s, out) = try runMerged(exe, ["import", f, "t", "--csv", csv0, "--schema", "id:int64!,op:int64!", "--codec", "lz4"])
            try #require(s == 0, "\(out)")
        }
        let nd0 = "\(inputs)/setup.ndjson"
        try "{\"$schema\":\"t\",\"id\":\"int64!\",\"op\":\"int64!\"}\n{\"$table\":\"t\",\"id\":0,\"op\":0}\n{\"$table\":\"t\",\"id\":1,\"op\":0}\n{\"$close\":true}\n"
            .write(toFile: nd0, atomically: false, encoding: .utf8)
        for f in ingested {
            let (s, out) = try runMerged(exe, ["ingest", f, "--input", nd0, "--codec", "lz4"])
            try #require(s == 0, "\(out)")
        }
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "a.tape")

        let total = tortureOperations
        let workers = 6
        let nextOp = Atomic<Int>(1)
        let log = Mutex<[TortureOp]>([])
        let clock = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var rng = SplitMix64(seed: UInt64(0x7A9E_0000 + w))
            while true {
                let n = nextOp.wrappingAdd(1, ordering: .relaxed).oldValue
                if n > total { return }
                let roll = Int(rng.next() % 100)
                let appendTargets = appended + [link], all = appended + [link] + ingested
                let pick = { (xs: [String]) in xs[Int(rng.next() % UInt64(xs.count))] }
                let kind: TortureOp.Kind
                switch roll {
                case ..<34: kind = .append
                case ..<44: kind = .ingest
                case ..<60: kind = .compact
                case ..<68: kind = .recover
                case ..<80: kind = .verify
                case ..<92: kind = .sql
                default: kind = .export
                }
                let target = kind == .append ? pick(appendTargets) : kind == .ingest ? pick(ingested) : pick(all)
                let rows = kind == .append || kind == .ingest ? 1 + Int(rng.next() % 3) : 0
                let ids = (0..<rows).map { Int64(n * 4 + $0) }
                var args: [String]
                switch kind {
                case .append:
                    let path = "\(inputs)/op-\(n).csv"
                    let text = "id,op\n" + ids.map { "\($0),\(n)\n" }.joined()
                    try? text.write(toFile: path, atomically: false, encoding: .utf8)
                    args = ["import", target, "t", "--csv", path, "--schema", "id:int64!,op:int64!", "--codec", "lz4"]
                case .ingest:
                    let path = "\(inputs)/op-\(n).ndjson"
                    let text = "{\"$schema\":\"t\",\"id\":\"int64!\",\"op\":\"int64!\"}\n"
                        + ids.map { "{\"$table\":\"t\",\"id\":\($0),\"op\":\(n)}\n" }.joined() + "{\"$close\":true}\n"
                    try? text.write(toFile: path, atomically: false, encoding: .utf8)
                    args = ["ingest", target, "--force", "--input", path, "--codec", "lz4"]
                case .compact: args = ["compact", target, "--codec", "lz4"]
                case .recover: args = ["recover", target]
                case .verify: args = ["verify", target]
                case .sql: args = ["sql", "SELECT count(*), sum(id) FROM t", target]
                case .export: args = ["export", target, "--format", "parquet", "--out", exports, "--table", "t"]
                }
                usleep(UInt32(rng.next() % 3_000))
                let started = now()
                let (status, output) = (try? runMerged(exe, args)) ?? (-1, "could not start tape")
                let op = TortureOp(kind: kind, target: target, ids: ids, started: started, ended: now(),
                                   status: status, output: output)
                log.withLock { $0.append(op) }
            }
        }
        let elapsed = ContinuousClock.now - clock
        let ops = log.withLock { $0 }
        #expect(ops.count == total)

        // While running: no damage reported, no unexplained failure.
        let unexpected = ops.filter { $0.status != 0 && !isExpectedRefusal($0) }
        for op in unexpected.prefix(8) {
            Issue.record("\(op.kind.rawValue) \((op.target as NSString).lastPathComponent) exited \(op.status): \(op.output.prefix(600))")
        }
        #expect(unexpected.isEmpty, "\(unexpected.count) unexpected failure(s)")

        // At the end: every file verifies and the link is still a link to a.tape.
        for f in appended + ingested {
            let report = try Verifier.verify(path: f)
            #expect(report.ok, "\(f): \(report.problems.prefix(3))")
        }
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == "a.tape")

        // Appended files: exactly the acknowledged rows, each once.
        for f in appended {
            let acknowledged = Set(setup + ops.filter {
                $0.kind == .append && $0.status == 0 && ($0.target == f || ($0.target == link && f == a))
            }.flatMap(\.ids))
            let stored = try storedIDs(f)
            #expect(stored.count == Set(stored).count, "\(f): a row is stored twice")
            let missing = acknowledged.subtracting(stored), invented = Set(stored).subtracting(acknowledged)
            #expect(missing.isEmpty, "\(f): \(missing.count) acknowledged row(s) missing, e.g. \(missing.sorted().prefix(5))")
            #expect(invented.isEmpty, "\(f): \(invented.count) row(s) of failed writes present, e.g. \(invented.sorted().prefix(5))")
        }
        // Each ingested file: exactly the rows of one acknowledged ingest, not one replaced later.
        for f in ingested {
            let stored = try storedIDs(f)
            let ingests = ops.filter { $0.kind == .ingest && $0.status == 0 && $0.target == f }
            let candidates = [TortureOp(kind: .ingest, target: f, ids: setup, started: 0, ended: 0, status: 0, output: "")] + ingests
            let winner = candidates.first { $0.ids == stored }
            #expect(winner != nil, "\(f) holds ids \(stored.prefix(8)), which no acknowledged ingest wrote")
            if let winner {
                let later = ingests.filter { $0.started > winner.ended }
                #expect(later.isEmpty, "\(f) holds an ingest that \(later.count) later acknowledged ingest(s) replaced")
            }
        }
        // Nothing left behind: no temporary file of a compaction or an export.
        let leftovers = (FileManager.default.enumerator(atPath: dir.url.path)?.allObjects as? [String] ?? [])
            .filter { ($0 as NSString).lastPathComponent.hasPrefix(".") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers.prefix(5))")

        let failed = Dictionary(grouping: ops.filter { $0.status != 0 }, by: \.kind.rawValue).mapValues(\.count)
        let writes = ops.filter { [.append, .ingest, .compact, .recover].contains($0.kind) && $0.status == 0 }.count
        print("torture: \(ops.count) operations by \(workers) workers in \(elapsed); \(writes) acknowledged writes; refused/failed by kind: \(failed); unexpected: \(unexpected.count)")
    }
}
