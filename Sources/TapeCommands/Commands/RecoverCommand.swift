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
            writes a new footer. The run metadata is that of the last complete metadata frame \
            (format 1.1 writers write one at open and after each change; 1.0 files have none), \
            then tape.recovered=true, then any --metadata given. A sealed file is left as is.
            """)

    @Argument(help: "The .tape file.") var file: String
    @Flag(help: "Report what would be kept and dropped without changing the file.") var dryRun = false
    @Option(name: .customLong("metadata"), help: "key=value to record in the recovered footer (repeatable).")
    var metadata: [String] = []

    func run() throws {
        var meta: [String: String] = [:]
        for kv in metadata {
            guard let eq = kv.firstIndex(of: "="), eq != kv.startIndex else {
                throw ValidationError("--metadata expects key=value, got '\(kv)'")
            }
            meta[String(kv[..<eq])] = String(kv[kv.index(after: eq)...])
        }
        let r = try Recovery.recover(path: file, dryRun: dryRun, metadata: meta)
        if r.wasSealed {
            print("\(file): already sealed, nothing to recover")
            return
        }
        let verb = dryRun ? "would keep" : "kept"
        print("\(file): \(verb) \(r.chunksKept) chunk(s), dropped \(r.bytesDropped) byte(s) at the end\(r.chunksDropped > 0 ? " and \(r.chunksDropped) chunk(s) that do not continue their table" : "")")
        for (t, rows) in r.rowsKept.sorted(by: { $0.key < $1.key }) { print("  \(t): \(rows) rows") }
        if let why = r.stopReason { print("  scan stopped at \(why)") }
        print("  run metadata: \(r.metadataRestored ? "restored from the last metadata frame" : "none found (only tape.recovered and --metadata)")")
        if r.metricsRecomputed { print("  run metrics: recomputed from the kept rows") }
    }
}
