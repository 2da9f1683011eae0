import ArgumentParser
import Foundation
import Testing
import Tape
@testable import TapeCommands
import TapeTestSupport

// `tape compact --drop/--downsample` naming a table the run lacks: an error naming the table and
// the run, listing the run's tables (at most 20), with the file left byte for byte as it was.

private func writeRun(_ path: String, tables: [String]) throws {
    let w = try TapeWriter(path: path)
    for name in tables {
        let t = try w.declareTable(name, columns: [ColumnDef("ts", .timestamp, nullable: false), ColumnDef("x", .float64)])
        for i in 0..<10 { try t.append(values: [.timestamp(Int64(i) * 60_000_000_000), .double(Double(i))]) }
    }
    try w.close()
}

@Suite("tape compact: --drop/--downsample of a missing table")
struct CompactTableNameTests {
    @Test(arguments: [(["--drop", "trade"], "trade"), (["--downsample", "equty=1h"], "equty"),
                      (["--drop", "equity", "trade"], "trade")])
    func missingTableIsAnError(flags: [String], missing: String) throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let file = dir.path("run.tape")
        try writeRun(file, tables: ["equity", "trades"])
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        var options = CompactionOptions()
        if flags[0] == "--drop" { options.drop = Set(flags.dropFirst()) } else { options.downsample = [missing: 3_600_000_000_000] }
        #expect {
            try Compactor.compact(path: file, options: options)
        } throws: { error in
            let text = "\(error)"
            return text.contains(file) && text.contains("'\(missing)'") && text.contains(flags[0])
                && text.contains("'equity', 'trades'")
        }
        var command = try TapeCommand.parseAsRoot(["compact", file] + flags)
        #expect(throws: ExitCode.failure) { try command.run() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
    }

    @Test("the list of available tables is bounded")
    func boundedList() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let file = dir.path("run.tape")
        try writeRun(file, tables: (0..<30).map { "t\($0)" })
        #expect {
            try Compactor.compact(path: file, options: CompactionOptions(drop: ["nope"]))
        } throws: { error in
            let text = "\(error)"
            return text.contains("'t19'") && !text.contains("'t20'") && text.contains("and 10 more")
        }
    }
}
