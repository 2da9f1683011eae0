import Foundation
import Tape
import TapeCodec
import TapeQuery

/// The CLI's own machinery offered to other front ends (libTapeArrow's C ABI for Python), so that
/// they take run paths and report file facts exactly as the `tape` commands do.
public enum CommandLibrary {
    /// Run arguments (files, directories, globs) expanded into `.tape` paths as every command that
    /// takes runs expands them; throws with the CLI's message when an argument names nothing.
    public static func expandRunPaths(_ arguments: [String]) throws -> [String] {
        try RunPaths.expand(arguments)
    }

    /// What `tape info --json FILE` prints (without the trailing newline).
    public static func infoJSON(path: String, allowUnsealed: Bool = false) throws -> String {
        let reader = try TapeReader(path: path, options: ReaderOptions(allowUnsealed: allowUnsealed))
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(try FileInfo(reader: reader)), as: UTF8.self)
    }
}

extension CommandLibrary {
    /// `tape summary`'s table over `paths` with every column (run, path, status, each stored
    /// metric, each metadata key, typed as `tape summary --where` sees them), keeping the runs that
    /// match `filter` (a SQL condition; a bad one throws `QueryError` rendered with its caret), in
    /// batches of the same schema (at least one), with the runs that could not be read.
    public static func summary(paths: [String], filter: String?) throws
        -> (batches: [RecordBatch], failures: [(path: String, error: Error)]) {
        // The table materializes only the names asked for: a first pass over the footers (cheap
        // with the footer cache) finds every name.
        let paths = RunPathList(paths)
        var names = RunTable(wanted: [])
        _ = RunTableLoader(paths: paths).load(into: &names)
        var table = RunTable(wanted: SummaryTable.defaultNames + names.metricNames.sorted() + names.metadataKeys.sorted(),
                             ignoringCase: filter.map(SummaryFilter.names(in:)) ?? [])
        let failures = RunTableLoader(paths: paths).load(into: &table)
        var view = SummaryView(table: table, paths: paths)
        if let filter {
            do { try SummaryFilter.apply(filter, to: &view) } catch let e as QueryError {
                throw QueryError(e.kind, "where: " + e.render(query: filter))
            }
        }
        var batches: [RecordBatch] = []
        try SummaryTable.batches(view, columns: SummaryFilter.columns(for: view).map(\.name)) { batches.append($0) }
        return (batches, failures)
    }
}
