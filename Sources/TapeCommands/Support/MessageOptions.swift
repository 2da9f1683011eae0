import ArgumentParser

/// `--verbose` and `--quiet`: what a command says on standard error besides errors, the same in
/// every command. By default a command that succeeds prints its data (or nothing) and warnings;
/// `--verbose` adds a line per file processed; `--quiet` drops warnings. Errors are always printed.
struct MessageOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Also print a line per file processed (on standard error).") var verbose = false
    @Flag(name: .shortAndLong, help: "Print no warnings (errors are still printed).") var quiet = false

    func validate() throws {
        if verbose && quiet { throw ValidationError("--verbose and --quiet exclude each other") }
    }

    /// Prints `text` as a warning on standard error unless `--quiet`.
    func warn(_ text: String) {
        if !quiet { printError("warning: " + text) }
    }

    /// Prints a per-file line on standard error with `--verbose`.
    func note(_ text: String) {
        if verbose { printError(text) }
    }
}

/// A command's failure whose message is complete as is (argument-parser prints it after
/// `Error: ` and exits 1), e.g. a query error with its caret line.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
