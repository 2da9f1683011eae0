import ArgumentParser
import Tape
import TapeFormat

/// The `tape` command-line tool: query and manage `.tape` runs from the shell.
public struct TapeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tape",
        abstract: "Store and query trading-backtest runs in compressed columnar .tape files.",
        discussion: """
            A .tape file holds one run: its equity curve, trades, per-bar decisions and any other \
            tables, chunked and compressed, with a footer index. Commands read only the chunks and \
            columns they need.
            """,
        version: TapeCommand.versionText,
        subcommands: [DemoCommand.self, InfoCommand.self, CatCommand.self, ImportCommand.self, VerifyCommand.self, RecoverCommand.self, CompactCommand.self, SQLCommand.self, TradesCommand.self, SummaryCommand.self, PlotCommand.self, ReportCommand.self,
                      IngestCommand.self, ExportCommand.self, TopCommand.self]
    )

    public init() {}

    /// What `tape --version` prints: the tool's version and the format versions it reads and writes.
    static var versionText: String {
        let major = FileHeader.majorVersion, minor = FileHeader.minorVersion
        return "tape \(TapeVersion.string)\nformat: writes \(major).\(minor), reads \(major).0 to \(major).\(minor) "
            + "(a newer \(major).x file too, unless it uses a part this version does not know)"
    }
}
