import ArgumentParser
import Foundation
import Tape

/// `tape-bench verify`: reads a `.tape` file written by `tape-bench write` back (with chunk CRCs
/// checked) and compares every value and null with the raw input files, so that the sizes the
/// benchmark reports are those of a lossless copy. Prints one JSON line; exits non-zero on the
/// first difference.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check a .tape file against the data set it was written from.")

    @Option(help: "Data set directory (benchmarks/data/<rows>).")
    var data: String

    @Option(help: "The .tape file to check.")
    var file: String

    func run() throws {
        let dataSet = try DataSet(directory: data)
        let reader = try TapeReader(path: file, options: ReaderOptions(verifyChecksums: true))
        var checked: [String: Int] = [:]
        for table in dataSet.tables {
            let entry = try reader.table(table.name)
            guard entry.schema == table.schema else { throw BenchError("\(table.name): schema differs") }
            guard entry.rowCount == table.rows else {
                throw BenchError("\(table.name): \(entry.rowCount) rows in the file, \(table.rows) in the data set")
            }
            let source = try TableSource(table)
            let all = Array(0..<table.schema.count)
            for chunk in 0..<entry.chunks.count {
                let got = try reader.readColumns(entry, chunk: chunk, columns: all)
                let want = try source.next(entry.chunks[chunk].rowCount)
                for c in all {
                    if let row = firstDifference(got[c], want[c]) {
                        throw BenchError("\(table.name).\(table.schema[c].name): row \(entry.chunks[chunk].rowStart + row) differs")
                    }
                }
            }
            checked[table.name] = entry.rowCount
        }
        let json = try JSONSerialization.data(withJSONObject: ["ok": true, "rows": checked], options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    /// First row where `a` and `b` differ in nullness or (for non-null rows) value; doubles compare
    /// bit for bit.
    func firstDifference(_ a: ColumnData, _ b: ColumnData) -> Int? {
        guard a.count == b.count else { return 0 }
        for r in 0..<a.count {
            let nullA = a.isNull(r), nullB = b.isNull(r)
            if nullA != nullB { return r }
            if nullA { continue }
            switch (a.storage, b.storage) {
            case (.int64(let x), .int64(let y)): if x[r] != y[r] { return r }
            case (.float64(let x), .float64(let y)): if x[r].bitPattern != y[r].bitPattern { return r }
            case (.bool(let x), .bool(let y)): if x[r] != y[r] { return r }
            default:
                if a.type != .string || b.type != .string || a.string(at: r) != b.string(at: r) { return r }
            }
        }
        return nil
    }
}
