import ArgumentParser
import Foundation
import Tape

/// `tape verify`: check every checksum and the footer's consistency.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check files' chunk and footer checksums and the footer's consistency.",
        discussion: """
            For each file: the footer checksum and structure, every chunk frame's checksum, that each \
            footer entry matches its chunk's header, that chunks exactly fill the data region, \
            that every block decodes, and that every block's statistics (min, max, NaN flag, null \
            count) are those of its rows. Decodes one block at a time. Prints OK or each problem with its byte offset. Exits 1 when \
            any file has a problem. Directories are searched recursively for *.tape files.
            """)

    @Argument(help: "Files, directories (every *.tape below them) or quoted globs.") var paths: [String]
    @Flag(name: .shortAndLong, help: "Print only files with problems.") var quiet = false

    func run() throws {
        var bad = 0
        for path in try RunPaths.expand(paths) {
            let report: Verifier.Report
            do { report = try Verifier.verify(path: path) } catch {
                print("\(path): ERROR \(error)")
                bad += 1
                continue
            }
            if report.ok {
                if !quiet { print("\(path): OK (\(report.tables) tables, \(report.chunks) chunks, \(report.rows) rows, \(report.blocks) blocks)") }
            } else {
                bad += 1
                print("\(path): \(report.problemCount) problem(s)")
                for p in report.problems { print("  \(p)") }
                if report.problemCount > report.problems.count { print("  … and \(report.problemCount - report.problems.count) more") }
            }
        }
        flushStandardOutput()
        if bad > 0 { throw ExitCode.failure }
    }
}
