import Foundation
import Tape
import TapeFormat

/// The runs a query reads: each file's footer (read once, up front), its run id and metadata,
/// and the union schema of a table across runs.
///
/// A run's id is its `run_id` metadata value when present, else the file name without `.tape`.
/// Every run keeps what the reader that read its footer learned, which scans and the `runs` table
/// reuse: each footer is decoded once per query. In a set of at most `keptOpen` runs each run also
/// keeps a duplicate of its descriptor (so a scan reads the very file opened even if a compaction
/// renamed another over it); in a larger set every run is reopened by path
/// (`OpenedTape.detached`), so thousands of runs need one descriptor at a time.
public final class RunSet: Sendable {
    public struct Run: Sendable {
        public let path: String
        public let id: String
        public let metadata: [String: String]
        /// The footer's tables (for an unsealed file: its complete chunks when opened).
        public let tables: [Footer.TableEntry]
        public let isSealed: Bool
        /// The opened state of the reader that read the footer (detached in a set of more than `keptOpen` runs).
        let reader: OpenedTape?
    }

    /// The largest set whose runs keep a duplicate of their file's descriptor.
    static let keptOpen = 64

    public let runs: [Run]

    /// Opens every path's footer, on up to `threads` threads (footers are read side by side; the
    /// runs keep the order of `paths`). Unsealed files are refused with the reader's error
    /// (pointing at `tape recover`) unless `allowUnsealed`; when several paths fail, the error is
    /// the first failing path's, whatever the thread count. `progress` hears of each footer read.
    public convenience init(paths: [String], allowUnsealed: Bool = false, threads: Int = 1, progress: QueryProgress? = nil) throws {
        // A set larger than `keptOpen` holds no descriptors at all: a folder of thousands of runs
        // must work under a low descriptor limit (`ulimit -n 48`), one file open at a time per thread.
        let keep = paths.count <= RunSet.keptOpen
        func open(_ path: String) -> Result<Run, QueryError> {
            let r: TapeReader
            do { r = try TapeReader(path: path, options: ReaderOptions(allowUnsealed: allowUnsealed)) } catch {
                return .failure(QueryError(.execution, "\(error)"))
            }
            var md: [String: String] = [:]
            for (k, v) in r.metadata { md[k] = v }
            progress?.opened(of: paths.count)
            return .success(Run(path: path, id: md["run_id"] ?? RunSet.fileStem(path), metadata: md, tables: r.tables, isSealed: r.isSealed,
                                reader: keep ? r.opened : r.opened.detached))
        }
        let workers = min(max(1, threads), paths.count / Self.pathsPerThread)
        let opened: [Run]
        if workers > 1 {
            opened = try paths.parallelMap(workers: workers, minimumStride: Self.pathsPerThread / 4, open).map { try $0.get() }
        } else {
            opened = try paths.map { try open($0).get() }   // stops at the first failing path
        }
        self.init(opened)
    }

    /// The set of `runs`, with the names and types the binder asks for worked out once (binding
    /// a query over thousands of runs asks for them per column, per table).
    private init(_ runs: [Run]) {
        self.runs = runs
        // One pass over the runs: table names, and per metadata key its values in run order.
        var names = Set<String>()
        var values: [String: [String]] = [:]
        for i in runs.indices {
            for t in runs[i].tables { names.insert(t.name) }
            for (k, v) in runs[i].metadata { values[k, default: []].append(v) }
        }
        tableNames = names.sorted()
        metadataKeys = values.keys.sorted()
        metadataTypes = values.mapValues { Self.inferredType(of: $0) }
    }

    /// The file name of `path` without its extension, as `NSString`'s `lastPathComponent` then
    /// `deletingPathExtension` give it. The usual name (`dir/run.tape`: no trailing slash, not
    /// starting with a dot, with a dot) is cut on the UTF-8 bytes, without Foundation (a run id
    /// per path of thousands); any other form goes through Foundation.
    static func fileStem(_ path: String) -> String {
        var utf8 = path.utf8[...]
        if let slash = utf8.lastIndex(of: UInt8(ascii: "/")) { utf8 = utf8[utf8.index(after: slash)...] }
        if let first = utf8.first, first != UInt8(ascii: "."), let dot = utf8.lastIndex(of: UInt8(ascii: ".")) {
            return String(decoding: utf8[..<dot], as: UTF8.self)
        }
        return ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// Footers read per thread at least before a second thread is used.
    static let pathsPerThread = 32


    /// No runs (for binding expressions that read no files).
    static let empty = RunSet([])

    /// One column of a table's union schema.
    struct UnionColumn {
        let name: String
        let type: SQLType
    }

    /// The columns of `table` across all runs, in order of first appearance. A column stored as
    /// int64 in one run and float64 in another reads as DOUBLE; other conflicts are errors.
    func unionSchema(of table: String, at position: Int) throws(QueryError) -> [UnionColumn] {
        var cols: [UnionColumn] = []
        var index: [String: Int] = [:]
        var origin: [String: String] = [:]
        for run in runs {
            guard let t = run.tables.first(where: { $0.name == table }) else { continue }
            for c in t.schema.columns {
                let type = SQLType(c.type)
                if let i = index[c.name] {
                    let prev = cols[i].type
                    guard prev != type else { continue }
                    guard let common = SQLType.common(prev, type) else {
                        throw QueryError(.binding, "column '\(c.name)' of table '\(table)' is \(prev) in \(origin[c.name] ?? "?") but \(type) in \(run.path)", at: position)
                    }
                    cols[i] = UnionColumn(name: c.name, type: common)
                } else {
                    index[c.name] = cols.count
                    origin[c.name] = run.path
                    cols.append(UnionColumn(name: c.name, type: type))
                }
            }
        }
        return cols
    }

    /// Every table name in any run, sorted.
    let tableNames: [String]

    /// Metadata keys of any run, sorted.
    let metadataKeys: [String]

    /// Each metadata key's type (see `inferredType(of:)`).
    private let metadataTypes: [String: SQLType]

    /// The type a metadata key reads as (see `inferredType(of:)`; VARCHAR for a key no run has).
    func metadataType(_ key: String) -> SQLType { metadataTypes[key] ?? .string }

    /// The type metadata values read as in SQL: BIGINT when every value is an integer, DOUBLE when
    /// every value is a number, BOOLEAN for true/false, TIMESTAMP for ISO timestamps, else VARCHAR
    /// (also for no values). `tape summary` types its metadata columns the same way.
    public static func inferredType(of values: some Collection<String>) -> SQLType {
        guard !values.isEmpty else { return .string }
        if values.allSatisfy({ Int64($0) != nil }) { return .int }
        if values.allSatisfy({ Double($0) != nil }) { return .double }
        if values.allSatisfy({ $0 == "true" || $0 == "false" }) { return .bool }
        if values.allSatisfy({ $0.count >= 10 && Timestamps.parse($0) != nil }) { return .timestamp }
        return .string
    }

    /// A run's metadata value for `key` as a datum of `type` (NULL when the run lacks the key).
    static func metadataValue(_ metadata: [String: String], _ key: String, _ type: SQLType) -> Datum {
        guard let v = metadata[key] else { return .null }
        return Self.datum(v, as: type)
    }

    /// A metadata value as a datum of `type` (from `inferredType(of:)`; NULL if it does not parse).
    public static func datum(_ v: String, as type: SQLType) -> Datum {
        switch type {
        case .int: return Int64(v).map(Datum.int) ?? .null
        case .double: return Double(v).map(Datum.double) ?? .null
        case .bool: return .bool(v == "true")
        case .timestamp: return Timestamps.parse(v).map(Datum.timestamp) ?? .null
        default: return .string(v)
        }
    }

    /// Whether `name` is the virtual `runs` table (no run stores a table of that name).
    func isVirtualRunsTable(_ name: String) -> Bool {
        name.lowercased() == "runs" && !tableNames.contains { $0.lowercased() == "runs" }
    }

    /// Each run's stored metrics (nil for a run without them), decoded from the footer read when
    /// the set was opened (only the `runs` table needs them, so opening a run set does not).
    func storedMetrics() throws(QueryError) -> [RunMetrics?] {
        var out: [RunMetrics?] = []
        for run in runs {
            do {
                if let footer = run.reader?.footer {
                    do { out.append(try RunMetrics(footer: footer)) } catch { throw TapeError.corrupt(path: run.path, error) }
                } else {
                    out.append(try TapeReader(path: run.path, options: ReaderOptions(allowUnsealed: !run.isSealed)).metrics)
                }
            } catch {
                throw QueryError(.execution, "\(error)")
            }
        }
        return out
    }

    /// Metric names stored by any run, in the order the runs list them, with their SQL types
    /// (BIGINT for counts, TIMESTAMP for start/end, DOUBLE otherwise; DOUBLE when runs disagree).
    static func metricColumns(_ metrics: [RunMetrics?]) -> [(name: String, type: SQLType)] {
        var out: [(String, SQLType)] = []
        var index: [String: Int] = [:]
        for m in metrics {
            for (name, value) in m?.entries ?? [] {
                let t: SQLType
                switch value {
                case .int: t = .int
                case .double: t = .double
                case .timestamp: t = .timestamp
                }
                if let i = index[name] {
                    if out[i].1 != t { out[i].1 = SQLType.common(out[i].1, t) ?? .double }
                } else {
                    index[name] = out.count
                    out.append((name, t))
                }
            }
        }
        return out
    }
}
