import ArgumentParser
import Foundation

/// The first command-line option a subcommand does not have, found by reading the subcommand's
/// own help, so that `tape cat --bogus` says "unknown option '--bogus'" rather than what the
/// parser happened to notice first (a missing argument, or a far-fetched "did you mean").
enum UnknownOptions {
    /// The unknown option in `arguments` (without the program name) with the usage of the
    /// subcommand it was given to, nil when every option is known or no subcommand is named.
    static func find(in arguments: [String], root: ParsableCommand.Type) -> (option: String, command: ParsableCommand.Type)? {
        guard let name = arguments.first,
              let sub = root.configuration.subcommands.first(where: { $0._commandName == name }) else { return nil }
        let help = root.helpMessage(for: sub, includeHidden: true, columns: 100_000)
        let (known, takesValue) = options(inHelp: help)
        var k = 1
        while k < arguments.count {
            let arg = arguments[k]
            k += 1
            if arg == "--" { break }
            guard arg.hasPrefix("-"), arg != "-", Double(arg) == nil else { continue }
            let spelled = String(arg.split(separator: "=", maxSplits: 1)[0])
            if known.contains(spelled) {
                if takesValue.contains(spelled) && !arg.contains("=") { k += 1 }
                continue
            }
            // Combined short flags (-vq).
            if !arg.hasPrefix("--"), arg.count > 2, arg.dropFirst().allSatisfy({ known.contains("-\($0)") }) { continue }
            return (arg, sub)
        }
        return nil
    }

    /// The option spellings in a help text, and those written with a value (`--format <format>`).
    static func options(inHelp help: String) -> (known: Set<String>, takesValue: Set<String>) {
        var known: Set<String> = ["-h", "--help"], takesValue = Set<String>()
        let pattern = try? NSRegularExpression(pattern: "(?<![\\w-])(--?[A-Za-z][A-Za-z0-9-]*)(,? --?[A-Za-z][A-Za-z0-9-]*)*( <[^>]+>)?")
        let ns = help as NSString
        for m in pattern?.matches(in: help, range: NSRange(location: 0, length: ns.length)) ?? [] {
            let text = ns.substring(with: m.range)
            let names = text.split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ",")) }.filter { $0.hasPrefix("-") }
            known.formUnion(names)
            if m.range(at: 3).location != NSNotFound { takesValue.formUnion(names) }
        }
        return (known, takesValue)
    }
}

extension TapeCommand {
    /// The `tape` executable's entry point: argument-parser's `main()`, except that a parse error
    /// caused by an unknown option is reported as that (with the subcommand's usage, exit 64).
    public static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            if let (option, sub) = UnknownOptions.find(in: arguments, root: self) {
                let name = sub._commandName
                printError("Error: unknown option '\(option)' for 'tape \(name)'")
                printError("Usage: \(usageString(for: sub))")
                printError("  See 'tape \(name) --help' for more information.")
                Foundation.exit(ExitCode.validationFailure.rawValue)
            }
            exit(withError: error)
        }
        do {
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
