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
        let (batches, failures) = try CommandLibrary.summary(paths: files, filter: filter.map { String(cString: $0) })
        if let first = failures.first, skipUnreadable == 0 {
            throw SummaryFailure(path: first.path, error: first.error, others: failures.count - 1)
        }
        guard let schema = batches.first?.schema else { throw BridgeError.invalid("summary: no batch") }
        let state = StreamState(schema: schema) { put in
            for b in batches { guard put(b) else { return } }
        }
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
