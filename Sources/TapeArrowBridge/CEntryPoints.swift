import CArrowABI
import Foundation
import TapeCodec
import TapeCommands
import TapeQuery
#if canImport(Glibc)
import Glibc
#endif

// The C functions of libTapeArrow, declared in Sources/CArrowABI/include/arrow_c_abi.h. None of
// them traps on bad input: failures return an errno-style code with the message in
// tape_last_error().

/// Runs `body`, turning any error into a code and the thread's last error message.
func guarded(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return 0
    } catch {
        LastError.set("\(error)")
        return ErrorCodes.code(for: error)
    }
}

/// `count` C strings (none may be NULL).
func strings(_ p: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int64, what: String) throws(BridgeError) -> [String] {
    guard count >= 0 else { throw .invalid("\(what): negative count \(count)") }
    guard count > 0 else { return [] }
    guard let p else { throw .invalid("\(what): NULL array") }
    var out: [String] = []
    for i in 0..<Int(count) {
        guard let s = p[i] else { throw .invalid("\(what): entry \(i) is NULL") }
        out.append(String(cString: s))
    }
    return out
}

/// Opens `sql` over `paths` (expanded as the CLI expands them) and exports its result stream;
/// INTERVAL columns stream as `duration[ns]` (see `Query.runWithDurations`); with
/// `stringsAsDictionaries`, every string column streams as an Arrow dictionary array. A query that
/// does not parse or bind fails with `locate`'s text for its error (default: the message with the
/// query's line and a caret under the place).
private func exportQuery(sql: String, runArguments: [String], runs: RunSet? = nil, stringsAsDictionaries: Bool = false,
                         locate: (QueryError) -> String = { _ in "" },
                         into out: UnsafeMutablePointer<ArrowArrayStream>) throws {
    let paths = try runs.map { $0.runs.map(\.path) } ?? CommandLibrary.expandRunPaths(runArguments)
    let query: Query
    do {
        query = try ErrorCodes.classifyingFileErrors(paths) { try Query(sql: sql, paths: paths) }
    } catch let e as QueryError {
        let located = locate(e)
        throw BridgeError(code: ErrorCodes.code(for: e), message: located.isEmpty ? e.render(query: sql) : located)
    }
    guard !query.isExplain else { throw BridgeError.invalid("EXPLAIN has no rows to stream") }
    let box = QueryBox(query)
    let schema = try query.durationSchema()
    let dictionaries = stringsAsDictionaries ? Set(schema.columns.indices.filter { schema[$0].type == .string }) : []
    let state = StreamState(schema: schema, dictionaryColumns: dictionaries) { put in
        try box.query.runWithDurations { batch in put(batch) }
    }
    ArrowStreamExport.export(state, into: out)
}

/// Hands a `Query` to the one producer thread that runs it (never used by two threads at once).
private final class QueryBox: @unchecked Sendable {
    let query: Query
    init(_ query: Query) { self.query = query }
}

@_cdecl("tape_last_error")
public func tape_last_error() -> UnsafePointer<CChar>? {
    LastError.get()
}

@_cdecl("tape_scan")
public func tape_scan(_ paths: UnsafePointer<UnsafePointer<CChar>?>?, _ nPaths: Int64, _ table: UnsafePointer<CChar>?,
                      _ columns: UnsafePointer<UnsafePointer<CChar>?>?, _ nColumns: Int64, _ timeColumn: UnsafePointer<CChar>?,
                      _ startNs: Int64, _ endNs: Int64, _ flags: Int32, _ filter: UnsafePointer<CChar>?,
                      _ out: UnsafeMutablePointer<ArrowArrayStream>?) -> Int32 {
    guarded {
        guard let out else { throw BridgeError.invalid("out: NULL stream") }
        guard let table else { throw BridgeError.invalid("table: NULL") }
        let runArguments = try strings(paths, nPaths, what: "paths")
        guard !runArguments.isEmpty else { throw BridgeError.invalid("no run files given") }
        var request = ScanRequest(
            table: String(cString: table),
            columns: columns == nil ? nil : try strings(columns, nColumns, what: "columns"),
            timeColumn: timeColumn.map { String(cString: $0) },
            start: flags & 1 != 0 ? startNs : nil, end: flags & 2 != 0 ? endNs : nil,
            filter: filter.map { String(cString: $0) })
        let files = try CommandLibrary.expandRunPaths(runArguments)
        let runs = try ErrorCodes.classifyingFileErrors(files) { try RunSet(paths: files) }
        let sql = try request.sql(runs: runs)
        try exportQuery(sql: sql, runArguments: runArguments, runs: runs, stringsAsDictionaries: flags & 4 != 0,
                        locate: request.locate, into: out)
    }
}

@_cdecl("tape_sql")
public func tape_sql(_ query: UnsafePointer<CChar>?, _ paths: UnsafePointer<UnsafePointer<CChar>?>?, _ nPaths: Int64,
                     _ out: UnsafeMutablePointer<ArrowArrayStream>?) -> Int32 {
    guarded {
        guard let out else { throw BridgeError.invalid("out: NULL stream") }
        guard let query else { throw BridgeError.invalid("query: NULL") }
        try exportQuery(sql: String(cString: query), runArguments: try strings(paths, nPaths, what: "paths"), into: out)
    }
}

@_cdecl("tape_info")
public func tape_info(_ path: UnsafePointer<CChar>?, _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    guarded {
        guard let path, let outJSON else { throw BridgeError.invalid("path or out: NULL") }
        outJSON.pointee = strdup(try CommandLibrary.infoJSON(path: String(cString: path)))
    }
}

@_cdecl("tape_string_free")
public func tape_string_free(_ s: UnsafeMutablePointer<CChar>?) {
    free(s)
}

/// The `.tape` files `paths` name (files, directories, globs), expanded as the CLI expands them, as a
/// JSON array of strings (malloc'ed, freed with tape_string_free).
@_cdecl("tape_expand_paths")
public func tape_expand_paths(_ paths: UnsafePointer<UnsafePointer<CChar>?>?, _ nPaths: Int64,
                              _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    guarded {
        guard let outJSON else { throw BridgeError.invalid("out: NULL") }
        let files = try CommandLibrary.expandRunPaths(try strings(paths, nPaths, what: "paths"))
        outJSON.pointee = strdup(String(decoding: try JSONEncoder().encode(files), as: UTF8.self))
    }
}
