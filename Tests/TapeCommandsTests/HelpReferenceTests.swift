import ArgumentParser
import Foundation
@testable import TapeCommands
import Testing

/// `--help` of every command is snapshot-tested, and README's command reference is checked
/// against it: a test fails when an option is added, removed or renamed in one but not the other.
/// `TAPE_UPDATE_SNAPSHOTS=1 swift test --filter HelpReferenceTests` rewrites the snapshots.
@Suite("help and README reference")
struct HelpReferenceTests {
    static let snapshotDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md")
    /// Options every command shares, documented once in README rather than on each command's line.
    static let shared: Set<String> = ["--help", "-h", "--verbose", "-v", "--quiet", "-q", "--version", "--progress", "--no-progress"]

    /// (name, help text at 100 columns) of the root command and every subcommand.
    static func helps() -> [(name: String, text: String)] {
        [("tape", TapeCommand.helpMessage(columns: 100))]
            + TapeCommand.configuration.subcommands.map { ($0._commandName, TapeCommand.helpMessage(for: $0, columns: 100)) }
    }

    @Test("every command's --help matches its snapshot")
    func snapshots() throws {
        let update = ProcessInfo.processInfo.environment["TAPE_UPDATE_SNAPSHOTS"] == "1"
        for (name, text) in Self.helps() {
            let file = Self.snapshotDir.appendingPathComponent("help-\(name).txt")
            if update {
                try FileManager.default.createDirectory(at: Self.snapshotDir, withIntermediateDirectories: true)
                try text.write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            let stored = try? String(contentsOf: file, encoding: .utf8)
            #expect(stored == text, "help of \(name) changed; rerun with TAPE_UPDATE_SNAPSHOTS=1 and update README")
        }
    }

    /// README's reference block: each entry starts with `tape NAME` at the start of a line; the
    /// indented lines after it continue it.
    static func readmeEntries() throws -> [String: String] {
        let text = try String(contentsOf: readme, encoding: .utf8)
        let start = try #require(text.range(of: "<!-- tape-reference:begin -->"))
        let end = try #require(text.range(of: "<!-- tape-reference:end -->"))
        var entries: [String: String] = [:]
        var current: String?
        for line in text[start.upperBound..<end.lowerBound].split(separator: "\n") {
            if line.hasPrefix("tape ") {
                let name = String(line.dropFirst(5).prefix { $0 != " " })
                current = name
                entries[name, default: ""] += line + "\n"
            } else if line.hasPrefix(" "), let current {
                entries[current, default: ""] += line + "\n"
            }
        }
        return entries
    }

    /// The long and short option names in `text`.
    static func options(in text: String) -> Set<String> {
        UnknownOptions.options(inHelp: text).known.subtracting(shared)
    }

    @Test("README's command reference names exactly the options of each command's --help")
    func readmeMatchesHelp() throws {
        let entries = try Self.readmeEntries()
        let subcommands = TapeCommand.configuration.subcommands
        let listed: [String] = entries.keys.sorted()
        let commands: [String] = subcommands.map { $0._commandName }.sorted()
        #expect(listed == commands)
        for sub in subcommands {
            let name = sub._commandName
            // The OPTIONS section only: the discussion may mention other commands' options.
            let help = TapeCommand.helpMessage(for: sub, columns: 10_000)
            let optionsSection = help.range(of: "\nOPTIONS:").map { String(help[$0.lowerBound...]) } ?? ""
            // Each option's line starts with its names, then two spaces and its description.
            let declared = optionsSection.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.hasPrefix("-") }.map { $0.components(separatedBy: "  ")[0] }
            // One group of spellings per option (-f, --format): README must name one of each.
            let groups = declared.map { Self.options(in: $0) }.filter { !$0.isEmpty }
            let fromReadme = Self.options(in: entries[name] ?? "")
            let missing: [String] = groups.filter { $0.isDisjoint(with: fromReadme) }.map { $0.sorted().joined(separator: "/") }.sorted()
            let unknown: [String] = fromReadme.subtracting(groups.reduce(Set<String>()) { $0.union($1) }).sorted()
            #expect(missing == [], "README's `tape \(name)` lacks these options")
            #expect(unknown == [], "README's `tape \(name)` names options it does not have")
        }
        let readme = try String(contentsOf: Self.readme, encoding: .utf8)
        #expect(readme.contains("--generate-completion-script"))
    }
}
