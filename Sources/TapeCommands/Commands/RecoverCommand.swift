import ArgumentParser
import Foundation
import Tape

/// `tape recover`: seal a file whose writer died.
struct RecoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Rebuild the footer of a file whose writer died, keeping every complete chunk.",
        discussion: """
            Scans the self-describing chunks from the start of the file, keeps the longest prefix \
            whose checksums hold (and whose rows continue each table), cuts the torn tail, and \
            writes a new footer (point-in-time recovery: it stops at the first inconsistency). \
            Tables declared but still without rows are kept with their schema (format 1.2 schema \
            frames). The run metadata is that of the last complete metadata frame (format 1.1 \
            writers write one at open and after each change; 1.0 files have none), then \
            tape.recovered=true, then any --metadata given. A sealed file is left as is; a file \
            of a newer format version is refused and left as is.

            --salvage also keeps every intact chunk after damage in the middle of the file: the \
            damaged bytes are skipped, the file is rewritten beside itself and renamed over it, \
            the rows after each gap are renumbered so that every table stays contiguous, and the \
            missing row ranges are printed on stderr and recorded as JSON in metadata \
            tape.salvage.gaps. With --salvage a sealed file is checked too: if a chunk before its \
            footer is damaged, it is salvaged the same way, keeping its footer's metadata.
            """)

    @Argument(help: "The .tape file (or a directory or quoted glob naming exactly one).") var file: String
    @Flag(help: "Report what would be kept and dropped without changing the file.") var dryRun = false
    @Flag(help: "Keep intact chunks after damaged ones too (rows after a gap are renumbered; gaps are reported).")
    var salvage = false
    @Option(name: .customLong("metadata"), help: "key=value to record in the recovered footer (repeatable).")
    var metadata: [String] = []
    @OptionGroup var progressOptions: ProgressOptions

    func run() throws {
        var meta: [String: String] = [:]
        for kv in metadata {
            guard let eq = kv.firstIndex(of: "="), eq != kv.startIndex else {
                throw ValidationError("--metadata expects key=value, got '\(kv)'")
            }
            meta[String(kv[..<eq])] = String(kv[kv.index(after: eq)...])
        }
        let file = try RunPaths.single(self.file)
        // One report per phase: the scan (bytes checked of the file), then a salvage's rewrite.
        let progress = PhasedProgress<Recovery.Phase>(progressOptions) { ($0 == .scanning ? "recover scan" : "recover rewrite", "bytes") }
        let r = try Recovery.recover(path: file, dryRun: dryRun, metadata: meta, salvage: salvage) { phase, done, total in
            progress.update(phase, done: done, total: total)
        }
        progress.finish()
        if r.wasSealed {
            print("\(file): sealed (its trailer and footer are valid), nothing to recover; `tape verify \(file)` checks its chunks")
            return
        }
        let verb = dryRun ? "would keep" : "kept"
        var dropped = "dropped \(r.bytesDropped) byte(s) at the end"
        if r.bytesSkipped > 0 { dropped += " and skipped \(r.bytesSkipped) damaged byte(s)" }
        if r.chunksDropped > 0 {
            dropped += salvage ? " and \(r.chunksDropped) chunk(s) that repeat rows or change their table's schema"
                               : " and \(r.chunksDropped) later intact chunk(s) (--salvage keeps those that continue their table)"
        }
        print("\(file): \(verb) \(r.chunksKept) chunk(s), \(dropped)")
        for (t, rows) in r.rowsKept.sorted(by: { $0.key < $1.key }) { print("  \(t): \(rows) rows") }
        if let why = r.stopReason { print("  \(salvage ? "first damage" : "scan stopped") at \(why)") }
        let restored = r.wasSealedAndDamaged ? "kept from the footer" : "restored from the last metadata frame"
        print("  run metadata: \(r.metadataRestored ? restored : "none found (only tape.recovered and --metadata)")")
        if r.metricsRecomputed { print("  run metrics: recomputed from the kept rows") }
        flushStandardOutput()
        for gap in r.gaps { printError("\(file): \(gap)") }
    }
}
