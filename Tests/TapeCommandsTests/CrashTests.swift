import Foundation
import Testing
@testable import Tape
@testable import TapeCommands
import TapeTestSupport
#if canImport(Glibc)
import Glibc
#endif

// Crash safety: a demo backtest cut short (by truncating its bytes, or by SIGKILL of a real `tape`
// process) keeps every complete chunk, invents nothing, and once resumed with
// `TapeWriter.resume` + `DemoBacktest.run(into:resumingFrom:)` ends with exactly the rows of an
// uninterrupted run.

/// `data` with the contents of every metadata frame zeroed: they hold `tape.created`, the only
/// bytes in which two runs with the same parameters differ (frames keep their positions, since
/// the time always has the same length). The walk stops at the first incomplete prefix.
private func maskingMetadataFrames(_ data: Data) -> Data {
    var out = [UInt8](data)
    var at = FileHeader.size
    while at + ChunkHeader.prefixSize <= out.count,
          let prefix = try? FramePrefix(decoding: Array(out[at..<(at + ChunkHeader.prefixSize)]), offset: at, limit: Int.max / 2) {
        let end = min(out.count, at + prefix.frameLength)
        if prefix.kind == .metadata { for i in at..<end { out[i] = 0 } }
        at += prefix.frameLength
    }
    return Data(out)
}

/// Footer row count per table.
private func rowCounts(_ path: String) throws -> [String: Int] {
    Dictionary(uniqueKeysWithValues: try TapeReader(path: path).tables.map { ($0.name, $0.rowCount) })
}

/// A finished reference run: its rows, and where each chunk frame ends (per table, in row order)
/// with the rows up to and including that chunk.
private struct Reference {
    var rows: [String: [[Value]]]
    var counts: [String: Int]
    /// The file's bytes before the footer (what an unsealed but complete run leaves).
    var data: Data
    /// (frame end offset, table, rows of that table through this chunk), sorted by offset.
    var chunkEnds: [(end: Int, table: String, rowsThrough: Int)]
    /// The run metrics stored at close.
    var metrics: RunMetrics?

    init(path: String) throws {
        rows = try tableRows(path)
        metrics = try TapeReader(path: path).metrics
        counts = try rowCounts(path)
        let reader = try TapeReader(path: path)
        data = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(reader.footerOffset)
        chunkEnds = reader.tables.flatMap { t in
            t.chunks.map { (end: $0.frameOffset + $0.frameLength, table: t.name, rowsThrough: $0.rowStart + $0.rowCount) }
        }.sorted { $0.end < $1.end }
    }

    /// Rows per table held by the complete chunks within the first `size` bytes.
    func durableRows(within size: Int) -> [String: Int] {
        var out: [String: Int] = [:]
        for c in chunkEnds where c.end <= size { out[c.table] = max(out[c.table] ?? 0, c.rowsThrough) }
        return out
    }

    /// Last equity timestamp among the first `rows` equity rows.
    func lastEquityTimestamp(rows n: Int) -> Int64? {
        guard n > 0, case .timestamp(let ts)? = rows["equity"]?[n - 1].first else { return nil }
        return ts
    }
}

/// Resumes (or starts, when the file is missing) the demo at `path` in-process and finishes it.
private func resumeAndFinish(_ path: String, _ params: DemoBacktest.Parameters, _ options: WriterOptions) throws -> ResumeState? {
    guard FileManager.default.fileExists(atPath: path) else {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let w = try TapeWriter(path: path, options: options)
        try DemoBacktest(params).run(into: w)
        try w.close()
        return nil
    }
    let (w, state) = try TapeWriter.resume(path: path, options: options)
    try DemoBacktest(params).run(into: w, resumingFrom: state)
    try w.close()
    return state
}

@Suite("Crash safety: resume after a cut or a kill ends like an uninterrupted run")
struct CrashTests {
    @Test("resume from ≥ 50 random cuts of an unsealed demo file equals the uninterrupted run")
    func resumeFromCuts() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var params = DemoBacktest.Parameters()
        params.bars = 12_000
        let options = WriterOptions(rowsPerChunk: 500)
        let full = dir.path("full.tape")
        let w = try TapeWriter(path: full, options: options)
        try DemoBacktest(params).run(into: w)
        try w.close()
        let ref = try Reference(path: full)
        #expect(ref.chunkEnds.count >= 40 && (ref.counts["trades"] ?? 0) > 0)
        #expect(ref.metrics?.number("trades") == Double(ref.counts["trades"] ?? 0) && ref.metrics?["sharpe"] != nil)

        var g = SplitMix64(seed: 0x7A9E)
        var cuts = [0, 7, 16, ref.data.count]
        for c in ref.chunkEnds.prefix(6) { cuts += [c.end - 1, c.end, c.end + 1] }
        while cuts.count < 56 { cuts.append(Int(g.next() % UInt64(ref.data.count + 1))) }
        let path = dir.path("cut.tape")
        for (i, cut) in cuts.enumerated() {
            try ref.data.prefix(cut).write(to: URL(fileURLWithPath: path))
            let (w, state) = try TapeWriter.resume(path: path, options: options)
            let durable = ref.durableRows(within: cut)
            for t in ["equity", "decisions", "trades"] {
                #expect(state.rowCount(t) == (durable[t] ?? 0), "cut \(cut), table \(t)")
            }
            #expect(state.lastTimestamp("equity") == ref.lastEquityTimestamp(rows: durable["equity"] ?? 0), "cut \(cut)")
            try DemoBacktest(params).run(into: w, resumingFrom: state)
            try w.close()
            #expect(try rowCounts(path) == ref.counts, "cut \(cut)")
            #expect(try tableRows(path) == ref.rows, "cut \(cut)")
            // Metrics rebuilt from the recovered rows are bit-identical to the uninterrupted run's.
            #expect(try TapeReader(path: path).metrics == ref.metrics, "cut \(cut)")
            if i % 8 == 0 { #expect(try Verifier.verify(path: path).ok, "cut \(cut)") }
        }
    }

    @Test func resumingASealedFileAddsNothingAndWrongParametersAreRefused() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var params = DemoBacktest.Parameters()
        params.bars = 3_000
        let options = WriterOptions(rowsPerChunk: 500)
        let path = dir.path("run.tape")
        let w = try TapeWriter(path: path, options: options)
        try DemoBacktest(params).run(into: w)
        try w.close()
        let ref = try Reference(path: path)
        let state = try resumeAndFinish(path, params, options)
        #expect(state?.recovery.wasSealed == true && state?.rowCount("equity") == 3_000)
        #expect(try tableRows(path) == ref.rows)
        #expect(try TapeReader(path: path).footer.metadataValue("strategy") == "sma_cross")
        #expect(try TapeReader(path: path).metrics == ref.metrics)

        var other = params
        other.bars = 2_000                     // fewer bars than the file already holds
        let (w2, s2) = try TapeWriter.resume(path: path, options: options)
        #expect(throws: TapeError.self) { try DemoBacktest(other).run(into: w2, resumingFrom: s2) }
        try w2.abandon()
        #expect(try tableRows(path) == ref.rows)
        #expect(throws: TapeError.self) { try TapeWriter.resume(path: dir.path("missing.tape")) }
    }

    @Test("SIGKILL of a real `tape demo` process at ≥ 50 random moments, then resume")
    func killDefault() throws {
        try killCycles(kills: 50, seed: 0xC0FFEE)
    }

    @Test("SIGKILL at ≥ 500 random moments (TAPE_CRASH_LONG=1)", .enabled(if: crashTestsLong))
    func killLong() throws {
        try killCycles(kills: 500, seed: 0xBADC0DE)
    }

    /// Kills `tape demo` (and sometimes its `--resume` continuation) `kills` times at seeded
    /// random moments. After each kill of a fresh run: the bytes on disk are a prefix of the
    /// uninterrupted run's, and recovery keeps exactly its complete chunks. After a kill of a
    /// resumed run: every table's rows are a prefix of the uninterrupted run's and never fewer
    /// than before. Finally the run is resumed in-process and must equal the uninterrupted run.
    func killCycles(kills target: Int, seed: UInt64) throws {
        let tape = try #require(tapeExecutable(), "the tape executable next to the test bundle")
        let dir = TempDir(); defer { dir.cleanup() }
        var params = DemoBacktest.Parameters()
        params.bars = 6_000
        let rowsPerChunk = 50
        let options = WriterOptions(rowsPerChunk: rowsPerChunk)
        let args = ["--bars", String(params.bars), "--rows-per-chunk", String(rowsPerChunk), "--durability", "none"]

        // The uninterrupted run, by the same executable; its duration bounds the kill delays.
        let refDir = dir.path("ref")
        let started = Date()
        let status = try runToEnd(tape, ["demo", refDir] + args)
        let wall = Date().timeIntervalSince(started)
        try #require(status == 0)
        let ref = try Reference(path: refDir + "/demo.tape")

        var g = SplitMix64(seed: seed)
        var killed = 0, trials = 0, midWrite = 0
        // Bounded by trials, not by a clock: a loaded machine makes each trial slower, never fewer.
        while killed < target && trials < target * 3 {
            trials += 1
            let runDir = dir.path("run\(trials)")
            let path = runDir + "/demo.tape"
            let delay = wall * Double(g.next() % 1000) / 1000
            if try spawnAndKill(tape, ["demo", runDir] + args, after: delay) { killed += 1 }
            if let bytes = FileManager.default.contents(atPath: path), bytes.count >= FileHeader.size {
                let n = min(bytes.count, ref.data.count)
                #expect(maskingMetadataFrames(bytes.prefix(n)) == maskingMetadataFrames(ref.data.prefix(n)),
                        "trial \(trials): bytes on disk are not a prefix of the run's")
                if bytes.count < ref.data.count { midWrite += 1 }
                let report = try Recovery.recover(path: path)
                let expected = bytes.count >= ref.data.count ? ref.counts : ref.durableRows(within: bytes.count)
                if !report.wasSealed {
                    #expect(report.rowsKept.filter { $0.value > 0 } == expected.filter { $0.value > 0 }, "trial \(trials), \(bytes.count) bytes")
                }
                try expectPrefix(path, of: ref, atLeast: expected, trial: trials)
            }
            // Sometimes kill the resumed run too (a crash while recovering from a crash).
            if g.next() % 3 == 0 && killed < target {
                let before = (try? rowCounts(path)) ?? [:]
                if try spawnAndKill(tape, ["demo", runDir, "--resume"] + args, after: wall * Double(g.next() % 1000) / 1000) {
                    killed += 1
                }
                if let size = FileManager.default.contents(atPath: path)?.count, size >= FileHeader.size {
                    _ = try Recovery.recover(path: path)
                    try expectPrefix(path, of: ref, atLeast: before, trial: trials)
                }
            }
            _ = try resumeAndFinish(path, params, options)
            #expect(try rowCounts(path) == ref.counts, "trial \(trials)")
            #expect(try tableRows(path) == ref.rows, "trial \(trials)")
            #expect(try TapeReader(path: path).metrics == ref.metrics, "trial \(trials): metrics differ from the uninterrupted run's")
            try? FileManager.default.removeItem(atPath: runDir)
        }
        print("CrashTests: \(killed) kills in \(trials) trials, \(midWrite) runs cut while writing chunks, \(String(format: "%.1f", Date().timeIntervalSince(started))) s (uninterrupted run \(String(format: "%.2f", wall)) s)")
        #expect(killed >= target, "only \(killed) kills in \(trials) trials")
        #expect(midWrite >= target / 10, "only \(midWrite) kills landed while chunks were being written")
    }

    /// Checks that every table of the sealed file at `path` holds a prefix of the reference rows,
    /// at least `atLeast` rows.
    fileprivate func expectPrefix(_ path: String, of ref: Reference, atLeast: [String: Int], trial: Int) throws {
        let rows = try tableRows(path)
        for (table, kept) in rows {
            let all = ref.rows[table] ?? []
            #expect(kept.count <= all.count && Array(all.prefix(kept.count)) == kept, "trial \(trial): \(table) invented rows")
        }
        for (table, n) in atLeast {
            #expect((rows[table]?.count ?? 0) >= n, "trial \(trial): \(table) shrank below \(n) rows")
        }
    }
}

/// `TAPE_CRASH_LONG=1` enables the long (≥ 500 kills) variants of the kill tests.
let crashTestsLong = ProcessInfo.processInfo.environment["TAPE_CRASH_LONG"] == "1"

/// The `tape` executable built next to the running test bundle, or nil.
func tapeExecutable() -> String? {
    var dirs: [URL] = []
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        dirs.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
    }
    dirs.append(Bundle.main.bundleURL)
    dirs.append(Bundle.main.bundleURL.deletingLastPathComponent())
    for d in dirs {
        let candidate = d.appendingPathComponent("tape").path
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir), !isDir.boolValue,
           FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
    }
    return nil
}

private func makeProcess(_ executable: String, _ arguments: [String]) -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    p.standardInput = FileHandle.nullDevice
    return p
}

/// Waits at most `seconds` for `p` to exit; kills it if it does not. True if it exited in time.
private func waitBounded(_ p: Process, seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while p.isRunning && Date() < deadline { usleep(1_000) }
    if p.isRunning {
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        return false
    }
    p.waitUntilExit()
    return true
}

/// Runs `executable arguments` to its end (at most 60 s) and returns its exit status.
private func runToEnd(_ executable: String, _ arguments: [String]) throws -> Int32 {
    let p = makeProcess(executable, arguments)
    try p.run()
    #expect(waitBounded(p, seconds: 60), "\(arguments) did not finish in 60 s")
    return p.terminationStatus
}

/// Runs `executable arguments` and sends it SIGKILL after `delay` seconds; true if the kill hit
/// the running process (false if it had already exited).
private func spawnAndKill(_ executable: String, _ arguments: [String], after delay: Double) throws -> Bool {
    let p = makeProcess(executable, arguments)
    try p.run()
    let deadline = Date().addingTimeInterval(delay)
    while p.isRunning && Date() < deadline { usleep(500) }
    var sent = false
    if p.isRunning {
        sent = kill(p.processIdentifier, SIGKILL) == 0
    }
    #expect(waitBounded(p, seconds: 30), "\(arguments) did not exit")
    if sent && p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL { return true }
    #expect(p.terminationReason == .exit && p.terminationStatus == 0, "\(arguments) failed: \(p.terminationStatus)")
    return false
}
