import Tape
import TapeCodec
import TapeFormat

/// A SQL query over one or many runs, parsed and bound, ready to run.
///
/// ```swift
/// let q = try Query(sql: "SELECT count(*) FROM trades WHERE pnl < 0", paths: ["run.tape"])
/// try q.run { batch in print(batch.count); return true }
/// ```
///
/// Tables are the tables in the files; several files are queried as one union with a virtual
/// column `run` and the runs' metadata keys as columns. Result batches are `RecordBatch`es whose
/// schema is `schema` (TIMESTAMP as timestamp, INTERVAL as string).
public final class Query {
    public let sql: String
    /// Result column names (unique: repeated names get `_1`, `_2` suffixes) and types.
    public let columns: [(name: String, type: SQLType)]
    /// The result schema handed to formatters.
    public let schema: Schema
    /// Whether the statement was `EXPLAIN SELECT …`.
    public let isExplain: Bool
    /// The operator tree that produces the result.
    let root: any PhysicalOperator
    let runs: RunSet
    let options: QueryOptions
    /// What the last `run` read and skipped (the first Tape scan's counts; EXPLAIN ANALYZE lists
    /// every scan's).
    public var stats: ScanStats { Query.scans(root).first?.stats ?? ScanStats(table: "(none)") }

    private static func scans(_ op: any PhysicalOperator) -> [TapeScanOperator] {
        ((op as? TapeScanOperator).map { [$0] } ?? []) + op.children.flatMap(scans)
    }

    public init(sql: String, paths: [String], options: QueryOptions = QueryOptions()) throws(QueryError) {
        self.sql = sql
        self.options = options
        let statement = try Parser.parse(sql)
        isExplain = statement.explain
        do { runs = try RunSet(paths: paths, allowUnsealed: options.allowUnsealed, threads: options.threads, progress: options.progress) } catch let e as QueryError {
            throw e
        } catch {
            throw QueryError(.execution, "\(error)")
        }
        root = try Binder.plan(statement.query, runs: runs, options: options)
        var used = Set<String>()
        var cols: [(String, SQLType)] = []
        for c in root.columns {
            let e = c
            var n = Query.clean(c.name)
            if used.contains(n) {
                var k = 1
                while used.contains("\(n)_\(k)") { k += 1 }
                n = "\(n)_\(k)"
            }
            used.insert(n)
            cols.append((n, e.type))
        }
        columns = cols
        do { schema = try Schema(cols.map { ColumnDef($0.0, $0.1.columnType) }) } catch {
            throw QueryError(.binding, "bad result columns: \(error)")
        }
    }

    /// A usable column name: not empty, at most `Schema.maxNameBytes` bytes.
    private static func clean(_ name: String) -> String {
        var n = name.isEmpty ? "column" : name
        while n.utf8.count > Schema.maxNameBytes { n.removeLast() }
        return n
    }

    /// Runs the query, calling `body` with each result batch until it returns false. For an
    /// EXPLAIN statement the query runs with its rows discarded (see `explain()`).
    public func run(_ body: @escaping (RecordBatch) throws -> Bool) throws(QueryError) {
        try deliver(schema: schema, body) { v, _ throws(QueryError) in try v.columnData() }
    }

    /// Runs the query, turning each result batch's vectors into `schema`'s columns with `column`
    /// (given the vector and its index) and handing `body` the batch until it returns false; an
    /// error thrown by `body` becomes an execution error. EXPLAIN's rows are discarded.
    func deliver(schema: Schema, _ body: @escaping (RecordBatch) throws -> Bool,
                 column: @escaping (Vector, Int) throws(QueryError) -> ColumnData) throws(QueryError) {
        let discard = isExplain
        try root.run { b throws(QueryError) in
            if discard { return true }
            var data: [ColumnData] = []
            data.reserveCapacity(b.columns.count)
            for (i, v) in b.columns.enumerated() { data.append(try column(v, i)) }
            let batch = RecordBatch(schema: schema, columns: data, count: b.count)
            do { return try body(batch) } catch let e as QueryError { throw e } catch { throw QueryError(.execution, "\(error)") }
        }
    }

    /// Every result row as `Value`s (convenience for tests and small results).
    public func rows() throws(QueryError) -> [[Value]] {
        var out: [[Value]] = []
        try run { b in
            for r in 0..<b.count { out.append((0..<b.schema.count).map { b.value(row: r, column: $0) }) }
            return true
        }
        return out
    }

    /// The plan as text: one line per stage, with the pushed-down predicates and columns read.
    public func explain() -> String { Explain.tree(root, analyzed: false) }

    /// The plan plus what the last run read and skipped.
    public func explainAnalyzed() -> String { Explain.tree(root, analyzed: true) }
}
