import ArgumentParser
import Foundation
import Testing
import Tape
@testable import TapeCommands
import TapeTestSupport
#if canImport(Glibc)
import Glibc
#endif

// `tape compact`: rewrite, drop, downsample, dry run, age filter, temp cleanup, damaged input,
// and kill -9 during compaction.

private func compact(_ arguments: [String]) throws {
    var command = try TapeCommand.parseAsRoot(["compact"] + arguments)
    try command.run()
}

private func meta(_ path: String) throws -> [String: String] {
    Dictionary(try TapeReader(path: path).metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
}

private func chunks(_ path: String) throws -> Int {
    try TapeReader(path: path).tables.reduce(0) { $0 + $1.chunks.count }
}

private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

private let minute: Int64 = 60_000_000_000
private let t0: Int64 = 1_704_067_200_000_000_000 // 2024-01-01

/// A run written with tiny chunks: equity (per minute bar, with nulls) and trades (strings).
private func writeSmallChunks(_ path: String, bars: Int = 5_000) throws {
    let w = try TapeWriter(path: path, options: WriterOptions(rowsPerChunk: 100), metadata: ["strategy": "sma", "symbol": "SPY"])
    let eq = try w.declareTable("equity", columns: [
        ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64), ColumnDef("pos", .int64),
    ])
    let tr = try w.declareTable("trades", columns: [
        ColumnDef("ts", .timestamp, nullable: false), ColumnDef("side", .string), ColumnDef("qty", .int64),
    ])
    var g = SplitMix64(seed: 7)
    var equity = 100_000.0
    for i in 0..<bars {
        equity += Double(Int(g.next() % 2001) - 1000) / 100
        try eq.append(values: [.timestamp(t0 + Int64(i) * minute), i % 97 == 0 ? .null : .double(equity), .int(Int64(i % 13))])
        if i % 17 == 0 {
            try tr.append(values: [.timestamp(t0 + Int64(i) * minute), .string(i % 34 == 0 ? "buy" : "sell"), .int(Int64(g.next() % 500))])
        }
    }
    try w.close()
}

@Suite("tape compact")
struct CompactTests {
    @Test("tiny chunks merge: fewer chunks, not larger, identical rows and metadata")
    func merge() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let file = dir.path("run.tape")
        try writeSmallChunks(file)
        let beforeRows = try tableRows(file), beforeMeta = try meta(file), beforeSize = try bytes(file).count
        let beforeChunks = try chunks(file)
        try compact([file])
        #expect(try Verifier.verify(path: file).ok)
        #expect(try chunks(file) < beforeChunks)
        #expect(try bytes(file).count <= beforeSize)
        #expect(try tableRows(file) == beforeRows)
        let after = try meta(file)
        for (k, v) in beforeMeta { #expect(after[k] == v, "\(k)") }
        #expect(after["tape.compacted"] != nil)
        #expect(after["tape.dropped"] == nil && after["tape.downsampled"] == nil)
        // Compacting a compacted file again works and keeps the rows.
        try compact([file])
        #expect(try tableRows(file) == beforeRows)
        // Nothing left behind in the directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["run.tape"])
    }

    @Test("--drop removes a table and records it")
    func drop() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let file = dir.path("run.tape")
        try writeSmallChunks(file, bars: 1_000)
        let before = try tableRows(file)
        try compact([file, "--drop", "trades", "--codec", "lz4"])
        let after = try tableRows(file)
        #expect(Array(after.keys) == ["equity"])
        #expect(after["equity"] == before["equity"])
        #expect(try meta(file)["tape.dropped"] == "trades")
    }

    @Test("--downsample keeps the last row of each time bucket")
    func downsample() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let file = dir.path("run.tape")
        try writeSmallChunks(file, bars: 3_000)
        let before = try tableRows(file)
        let metricsBefore = try #require(try TapeReader(path: file).metrics)
        try compact([file, "--downsample", "equity=1h"])
        let after = try tableRows(file)
        // Brute force: the last row of each floor(ts / 1h) bucket.
        let hour = 60 * minute
        var expected: [[Value]] = []
        var lastBucket: Int64?
        for r in before["equity"] ?? [] {
            guard case .timestamp(let ts) = r[0] else { Issue.record("ts not a timestamp"); return }
            let b = ts / hour
            if b == lastBucket { expected[expected.count - 1] = r } else { expected.append(r) }
            lastBucket = b
        }
        #expect(expected.count == 50)
        #expect(after["equity"] == expected)
        #expect(after["trades"] == before["trades"])
        #expect(try meta(file)["tape.downsampled"] == "equity=1h")
        #expect(try Verifier.verify(path: file).ok)
        // The stored metrics describe the 3,000 source bars, and the file says so.
        let metrics = try #require(try TapeReader(path: file).metrics)
        #expect(metrics == metricsBefore && metrics["bars"] == .int(2_969))   // 3,000 bars, 31 with a null equity
        let note = try #require(try meta(file)[MetricConventions.sourceKey])
        #expect(note.hasPrefix("3000 source rows of equity (before tape compact --downsample equity=1h left 50)"), "\(note)")
        let info = try FileInfo(reader: TapeReader(path: file)).text
        #expect(info.contains("resolution: 3000 source rows of equity") && info.contains("metric conventions:"), "\(info)")
        // A second downsampling keeps the note about the source rows.
        try compact([file, "--downsample", "equity=1d"])
        #expect(try meta(file)[MetricConventions.sourceKey] == note)
        #expect(try TapeReader(path: file).tables.first { $0.name == "equity" }?.rowCount == 3)
    }

    @Test("--dry-run changes nothing")
    func dryRun() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let file = dir.path("run.tape"), tmp = dir.path(".run.tape.compact-999999.tmp")
        try writeSmallChunks(file, bars: 1_000)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: tmp))
        let before = try bytes(file)
        try compact([dir.url.path, "--dry-run", "--drop", "trades"])
        #expect(try bytes(file) == before)
        #expect(FileManager.default.fileExists(atPath: tmp))
    }

    @Test("--older-than skips fresh files and compacts old ones")
    func olderThan() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let fresh = dir.path("fresh.tape"), old = dir.path("old.tape")
        try writeSmallChunks(fresh, bars: 1_000)
        try writeSmallChunks(old, bars: 1_000)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-40 * 86_400)], ofItemAtPath: old)
        let freshBytes = try bytes(fresh), oldChunks = try chunks(old)
        try compact([dir.url.path, "--older-than", "30d"])
        #expect(try bytes(fresh) == freshBytes)
        #expect(try chunks(old) < oldChunks)
        #expect(try meta(old)["tape.compacted"] != nil)
        #expect(throws: (any Error).self) { try compact([dir.url.path, "--older-than", "30x"]) }
    }

    @Test("leftover temporary files are removed")
    func leftovers() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let file = dir.path("run.tape")
        try writeSmallChunks(file, bars: 500)
        let stale = [dir.path(".run.tape.compact-999999.tmp"), dir.path(".other.tape.compact-12.tmp")]
        for s in stale { try Data(repeating: 7, count: 100).write(to: URL(fileURLWithPath: s)) }
        try compact([file])
        for s in stale { #expect(!FileManager.default.fileExists(atPath: s), "\(s)") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["run.tape"])
    }

    @Test("a damaged file is reported and left untouched")
    func damaged() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let file = dir.path("run.tape"), good = dir.path("good.tape")
        try writeSmallChunks(file, bars: 1_000)
        try writeSmallChunks(good, bars: 1_000)
        var data = try bytes(file)
        data[200] ^= 0x40
        try data.write(to: URL(fileURLWithPath: file))
        var failed = false
        do { try compact([dir.url.path]) } catch {
            failed = true
            #expect(TapeCommand.exitCode(for: error).rawValue == 1)
        }
        #expect(failed)
        #expect(try bytes(file) == data)
        #expect(try meta(good)["tape.compacted"] != nil)  // the other file is still compacted
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.url.path)) == ["run.tape", "good.tape"])
        // The library names the file.
        #expect { try Compactor.compact(path: file) } throws: { "\($0)".contains(file) }
    }

    @Test("kill -9 at ≥ 50 moments of a compaction leaves the original or a valid compacted file")
    func killDuringCompaction() throws {
        try compactionKillCycles(kills: 50, seed: 2026)
    }

    @Test("kill -9 at ≥ 500 moments of a compaction (TAPE_CRASH_LONG=1)", .enabled(if: crashTestsLong))
    func killDuringCompactionLong() throws {
        try compactionKillCycles(kills: 500, seed: 0x5EED_C0DE)
    }

    /// Runs `tape compact` on a copy of a small demo run and SIGKILLs it at seeded random moments
    /// until `target` kills landed. After each: the file is byte-identical to the original, or it
    /// verifies and holds the original rows and metadata plus `tape.compacted`; only the run and
    /// at most one leftover temp file are in the directory. Every tenth trial (and the last) a
    /// final compaction must remove the temp file and succeed. Kills are cheap: a 5,000-bar run
    /// compacted at zstd level 3 (the atomic-replace path is the same at every level), delays
    /// spread over 1.2× the duration of a compaction — re-estimated from every run that finished
    /// before its kill, since other tests share the cores — so that they land before, during and
    /// after the rename.
    func compactionKillCycles(kills target: Int, seed: UInt64) throws {
        let tape = try #require(tapeExecutable(), "the tape executable next to the test bundle")
        let dir = TempDir(); defer { dir.cleanup() }
        let src = dir.path("src")
        try #require(try run(tape, ["demo", src, "--bars", "5000", "--rows-per-chunk", "100", "--durability", "none"]) == 0)
        let original = try bytes(src + "/demo.tape")
        let originalRows = try tableRows(src + "/demo.tape")
        let originalMeta = try meta(src + "/demo.tape")
        let compactArgs = ["--level", "3"]
        // Duration of one uninterrupted compaction bounds the kill delays.
        let ref = dir.path("ref"); try FileManager.default.createDirectory(atPath: ref, withIntermediateDirectories: true)
        try original.write(to: URL(fileURLWithPath: ref + "/demo.tape"))
        let started = Date()
        try #require(try run(tape, ["compact", ref + "/demo.tape"] + compactArgs) == 0)
        var wall = max(0.02, Date().timeIntervalSince(started))

        var g = SplitMix64(seed: seed)
        var killed = 0, sawOld = 0, sawNew = 0, leftovers = 0, trials = 0, killedAfterRename = 0
        let deadline = Date().addingTimeInterval(Double(target) * 2 + 30)
        let runDir = dir.path("run")
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let path = runDir + "/demo.tape"
        while killed < target && trials < target * 3 && Date() < deadline {
            trials += 1
            try original.write(to: URL(fileURLWithPath: path))
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tape)
            p.arguments = ["compact", path] + compactArgs
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            let spawned = Date()
            try p.run()
            // Half the kills anywhere, half near the end, where the rename and directory fsync are.
            let u = Double(g.next() % 1000) / 1000
            let delay = wall * (g.next() % 2 == 0 ? 1.2 * u : 0.85 + 0.3 * u)
            let until = spawned.addingTimeInterval(delay)
            while p.isRunning && Date() < until { usleep(200) }
            var hit = false
            if p.isRunning, kill(p.processIdentifier, SIGKILL) == 0 {
                killed += 1
                hit = true
            } else {
                wall = 0.7 * wall + 0.3 * max(0.02, Date().timeIntervalSince(spawned))
            }
            p.waitUntilExit()
            let now = try bytes(path)
            if now == original {
                sawOld += 1
            } else {
                sawNew += 1
                if hit { killedAfterRename += 1 }
                #expect(try Verifier.verify(path: path).ok, "trial \(trials)")
                #expect(try tableRows(path) == originalRows, "trial \(trials)")
                let m = try meta(path)
                #expect(m["tape.compacted"] != nil && originalMeta.allSatisfy { m[$0.key] == $0.value }, "trial \(trials)")
            }
            let others = try FileManager.default.contentsOfDirectory(atPath: runDir).filter { $0 != "demo.tape" }
            #expect(others.count <= 1 && others.allSatisfy { $0.hasPrefix(".demo.tape.compact-") }, "trial \(trials): \(others)")
            leftovers += others.count
            if trials % 10 == 0 || killed >= target {
                // A final compaction cleans any temp file and succeeds.
                #expect(try run(tape, ["compact", path] + compactArgs) == 0)
                #expect(try FileManager.default.contentsOfDirectory(atPath: runDir) == ["demo.tape"], "trial \(trials)")
                #expect(try tableRows(path) == originalRows)
            } else {
                for o in others { try FileManager.default.removeItem(atPath: runDir + "/" + o) }
            }
        }
        print("compact kill test: \(trials) trials, \(killed) killed, \(sawOld) left the original, \(sawNew) the compacted file (\(killedAfterRename) killed after the rename), "
              + "\(leftovers) temp files left, \(String(format: "%.1f", Date().timeIntervalSince(started))) s (last estimate of one compaction \(String(format: "%.2f", wall)) s)")
        #expect(killed >= target, "killed \(killed) of \(trials)")
        #expect(sawOld > 0 && leftovers > 0, "kills should land before and during the rewrite")
    }
}

private func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
    try p.run()
    let deadline = Date().addingTimeInterval(120)
    while p.isRunning && Date() < deadline { usleep(1_000) }
    if p.isRunning { kill(p.processIdentifier, SIGKILL) }
    p.waitUntilExit()
    return p.terminationReason == .exit ? p.terminationStatus : -1
}
