import ArgumentParser
import Tape
import TapeIO
#if canImport(Glibc)
import Glibc
#endif

/// The output formats of commands that print rows (`cat`, `sql`, `trades`, `summary`, `export`):
/// the one registry `--format` takes its values from. A new format is one case here plus its
/// formatter below.
public enum RowFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, csv, jsonl, json
    /// An Arrow IPC stream (binary; TapeIO/Arrow).
    case arrow
}

extension RowFormat {
    /// A formatter of this format for `schema`.
    func formatter(schema: Schema, sink: ByteSink) -> RecordFormatter {
        switch self {
        case .table: return TableFormatter(schema: schema, sink: sink)
        case .csv: return CSVFormatter(schema: schema, sink: sink)
        case .jsonl: return JSONLFormatter(schema: schema, sink: sink)
        case .json: return JSONFormatter(schema: schema, sink: sink)
        case .arrow: return ArrowIPCFormatter(schema: schema, sink: sink)
        }
    }

    /// The help text of a `--format` option offering `formats`.
    static func help(_ formats: [String]) -> ArgumentHelp {
        ArgumentHelp("Output format: \(formats.joined(separator: ", ")).", valueName: "format")
    }
}

/// `--format` and `-o/--output`, shared by every command that prints rows.
public struct RowOutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: RowFormat.help(RowFormat.allCases.map(\.rawValue)))
    public var format: RowFormat = .table

    @Option(name: .shortAndLong, help: "Write to this file (atomically: complete or untouched) instead of standard output.")
    public var output: String?

    public init() {}

    /// The destination: standard output, or the `-o` file written atomically (`OutputTarget`).
    func makeTarget() throws -> OutputTarget { try OutputTarget(path: output) }

    /// A formatter of the chosen format for `schema`.
    func makeFormatter(schema: Schema, sink: ByteSink) -> RecordFormatter { format.formatter(schema: schema, sink: sink) }
}

/// Runs `body`, turning a closed output pipe (`tape cat | head`) into a quiet success.
func quietOnBrokenPipe(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch OutputError.brokenPipe {
        throw ExitCode.success
    }
}

/// Parses a command-line timestamp: ISO-8601 forms (`2024-03-01`, `2024-03-01T09:30:00Z`,
/// `2024-03-01 09:30:00`, with fractions or offsets) or an integer of nanoseconds since the epoch.
func parseTimestampArgument(_ text: String, option: String) throws -> Int64 {
    if let ns = Timestamps.parse(Substring(text)) { return ns }
    if let ns = Int64(text) { return ns }
    throw ValidationError("\(option): cannot read '\(text)' as a timestamp (use e.g. 2024-03-01 or 2024-03-01T09:30:00Z)")
}

/// Writes a line to standard error.
func printError(_ text: String) {
    writeError(text + "\n")
}

/// Writes `text` to standard error as is (unbuffered, like C's `stderr`).
func writeError(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// Flushes what `print` buffered for standard output. (C's `stdout` is a mutable global that
/// Swift 6 refuses to touch; `fflush(NULL)` flushes every output stream, stdout included.)
func flushStandardOutput() {
    fflush(nil)
}

/// True when standard error is a terminal (progress is drawn only then).
var stderrIsTerminal: Bool { isatty(2) != 0 }
