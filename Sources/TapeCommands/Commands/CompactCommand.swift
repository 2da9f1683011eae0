#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import Tape

/// `tape compact`: rewrite runs into fewer, more compressed chunks, atomically.
struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Rewrite runs with full chunks and stronger compression, atomically.",
        discussion: """
            Each file is streamed table by table into a temporary file in the same directory \
            (.NAME.compact-PID-RANDOM.tmp), with full 65,536-row chunks and the chosen codec (default zstd \
            level 19); --drop leaves tables out and --downsample keeps only the last row of each \
            time bucket of a table (floor(ts / interval) on its first timestamp column). The new \
            file is fsynced, verified (checksums, row counts, and every value of each kept table \
            that was not downsampled compared with the original), renamed over the original, and \
            the directory fsynced: a crash leaves the old or the new file, never neither. Metadata \
            is kept and tape.compacted, tape.dropped and tape.downsampled record what was done. \
            Leftover temporary files of interrupted compactions (whose process is gone) are removed \
            first. A symbolic link is kept and its target compacted. A file another writer holds \
            (an import, another compaction) is reported as locked. A damaged or unsealed file is \
            reported and left untouched (exit 1), as is a file that lacks a table named by --drop \
            or --downsample. Directories are searched \
            recursively for *.tape files. Prints bytes before and after in total, and per file with \
            --verbose or --dry-run; a file that fails is reported on standard error.
            """)

    @Argument(help: "Files, directories (every *.tape below them) or quoted globs.") var paths: [String]
    @Option(name: .customLong("older-than"), help: "Only files last modified longer ago than this, e.g. 30d (units s, m, h, d).")
    var olderThan: String?
    @Option(help: "zstd level 1...22 (default 19).") var level: Int32?
    @Option(help: "Codec: zstd, lz4 or none (default zstd).") var codec: String = "zstd"
    @Option(name: .customLong("drop"), parsing: .upToNextOption, help: "Tables to leave out.")
    var drop: [String] = []
    @Option(name: .customLong("downsample"), help: "TABLE=INTERVAL: keep the last row of each INTERVAL (s, m, h, d) bucket of TABLE (repeatable).")
    var downsample: [String] = []
    @Flag(help: "Print what would be done and change nothing.") var dryRun = false
    @OptionGroup var messages: MessageOptions
    @OptionGroup var progressOptions: ProgressOptions

    func run() throws {
        var options = CompactionOptions(dryRun: dryRun)
        switch codec.lowercased() {
        case "zstd": options.codec = .zstd(level: level ?? 19)
        case "lz4", "none":
            if level != nil { throw ValidationError("--level applies only to --codec zstd") }
            options.codec = codec.lowercased() == "lz4" ? .lz4 : .none
        default: throw ValidationError("--codec must be zstd, lz4 or none, got '\(codec)'")
        }
        if let l = level, !(1...22).contains(l) { throw ValidationError("--level must be 1...22, got \(l)") }
        options.drop = Set(drop)
        for d in downsample {
            guard let eq = d.firstIndex(of: "="), eq != d.startIndex else {
                throw ValidationError("--downsample expects TABLE=INTERVAL, got '\(d)'")
            }
            let table = String(d[..<eq]), text = String(d[d.index(after: eq)...])
            guard let seconds = parseDuration(text), seconds > 0 else {
                throw ValidationError("--downsample \(d): interval must be a positive number with unit s, m, h or d")
            }
            options.downsample[table] = seconds * 1_000_000_000
            options.downsampleLabels[table] = text
        }
        var cutoff: Date?
        if let o = olderThan {
            guard let seconds = parseDuration(o) else {
                throw ValidationError("--older-than must be a number with unit s, m, h or d, e.g. 30d; got '\(o)'")
            }
            cutoff = Date().addingTimeInterval(-Double(seconds))
        }

        let all = try RunPaths.expand(paths).filter { !Compactor.isTempName(($0 as NSString).lastPathComponent) }
        // Leftover temporary files of interrupted compactions in the directories concerned.
        // (A link's temporary files are beside its target.)
        var dirs = Set(all.flatMap { [($0 as NSString).deletingLastPathComponent,
                                      (URL(fileURLWithPath: $0).resolvingSymlinksInPath().path as NSString).deletingLastPathComponent] })
        for p in paths {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue { dirs.insert(p) }
        }
        for d in dirs.sorted() {
            let dirPath = d.isEmpty ? "." : d
            for t in try Compactor.removeLeftoverTemps(inDirectory: dirPath, dryRun: dryRun) {
                print("\(t): \(dryRun ? "would remove" : "removed") leftover temporary file")
            }
        }

        let progress = progressOptions.reporter("compact", unit: "files", total: all.count)
        var bad = 0, totalBefore = 0, totalAfter = 0, done = 0
        for path in all {
            defer { progress.advance() }
            if let cutoff {
                let attrs = try? FileManager.default.attributesOfItem(atPath: path)
                if let m = attrs?[.modificationDate] as? Date, m > cutoff {
                    if messages.verbose || dryRun { print("\(path): skipped (modified \(Int(Date().timeIntervalSince(m)))s ago)") }
                    continue
                }
            }
            do {
                let r = try Compactor.compact(path: path, options: options)
                var notes: [String] = []
                if !r.dropped.isEmpty { notes.append("dropped \(r.dropped.joined(separator: ","))") }
                if !r.downsampled.isEmpty { notes.append("downsampled \(r.downsampled.joined(separator: ","))") }
                let extra = notes.isEmpty ? "" : "; " + notes.joined(separator: "; ")
                if let after = r.bytesAfter {
                    totalBefore += r.bytesBefore; totalAfter += after; done += 1
                    if messages.verbose { print("\(path): \(r.bytesBefore) -> \(after) bytes (\(percent(after, r.bytesBefore))), \(r.chunksBefore) -> \(r.chunksAfter ?? 0) chunks\(extra)") }
                } else {
                    totalBefore += r.bytesBefore; done += 1
                    print("\(path): would compact \(r.bytesBefore) bytes, \(r.chunksBefore) chunks, tables \(r.rows.map { "\($0.table) (\($0.rows) rows)" }.joined(separator: ", "))\(extra)")
                }
            } catch {
                bad += 1
                flushStandardOutput()
                printError("\(path): ERROR \(error)")
            }
        }
        progress.finish()
        if dryRun {
            print("total: would compact \(done) file(s), \(totalBefore) bytes")
        } else {
            print("total: \(done) file(s), \(totalBefore) -> \(totalAfter) bytes\(done > 0 ? " (\(percent(totalAfter, totalBefore)))" : "")")
        }
        flushStandardOutput()
        if bad > 0 { throw ExitCode.failure }
    }
}

private func percent(_ a: Int, _ b: Int) -> String {
    guard b > 0 else { return "n/a" }
    return String(format: "%.1f%%", Double(a) * 100 / Double(b))
}

/// Seconds in text like `30d`, `12h`, `15m`, `90s`; nil when malformed.
func parseDuration(_ text: String) -> Int64? {
    guard let unit = text.last, let n = Int64(text.dropLast()), n >= 0 else { return nil }
    let scale: Int64
    switch unit {
    case "s": scale = 1
    case "m": scale = 60
    case "h": scale = 3600
    case "d": scale = 86_400
    default: return nil
    }
    let (v, overflow) = n.multipliedReportingOverflow(by: scale)
    guard !overflow, v <= Int64.max / 1_000_000_000 else { return nil }
    return v
}
