import CArrowABI
import TapeCommands
import TapeQuery

// tape_summary: `tape summary` as an Arrow stream of one batch, every column (run, path, each
// metric typed as a number or timestamp, each metadata key as a string).

@_cdecl("tape_summary")
public func tape_summary(_ paths: UnsafePointer<UnsafePointer<CChar>?>?, _ nPaths: Int64, _ filter: UnsafePointer<CChar>?,
                         _ skipUnreadable: Int32, _ out: UnsafeMutablePointer<ArrowArrayStream>?) -> Int32 {
    guarded {
        guard let out else { throw BridgeError.invalid("out: NULL stream") }
        let files = try CommandLibrary.expandRunPaths(try strings(paths, nPaths, what: "paths"))
        var (records, failures) = RunRecord.load(files)
        if let first = failures.first, skipUnreadable == 0 {
            throw SummaryFailure(path: first.path, error: first.error, others: failures.count - 1)
        }
        if let filter {
            let condition = String(cString: filter)
            do { records = try SummaryFilter.apply(condition, to: records) } catch let e as QueryError {
                throw QueryError(e.kind, "where: " + e.render(query: condition))
            }
        }
        let columns = SummaryFilter.columns(for: records).map(\.name)
        let batch = try SummaryTable.batch(records, columns: columns)
        let state = StreamState(schema: batch.schema) { put in _ = put(batch) }
        ArrowStreamExport.export(state, into: out)
    }
}

/// A run `tape_summary` could not read: its error (so its code: damaged, missing) with the path.
struct SummaryFailure: Error, CustomStringConvertible {
    let path: String
    let error: Error
    let others: Int
    var description: String {
        "cannot read \(path): \(error)" + (others > 0 ? " (and \(others) more unreadable runs; skip_unreadable=True skips them)" : "")
    }
}
