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
    public var isExplain: Bool { plan.explain }
    let plan: QueryPlan
    let runs: RunSet
    let options: QueryOptions
    private let executor: Executor
    /// What the last `run` read and skipped.
    public var stats: ScanStats { executor.stats }

    public init(sql: String, paths: [String], options: QueryOptions = QueryOptions()) throws(QueryError) {
        self.sql = sql
        self.options = options
        let statement = try Parser.parse(sql)
        if statement.from != nil && paths.isEmpty {
            throw QueryError(.execution, "no run files given to query")
        }
        do { runs = try RunSet(paths: paths, allowUnsealed: options.allowUnsealed) } catch let e as QueryError {
            throw e
        } catch {
            throw QueryError(.execution, "\(error)")
        }
        plan = try Binder.bind(statement, runs: runs)
        var used = Set<String>()
        var cols: [(String, SQLType)] = []
        for (name, e) in zip(plan.outputNames, plan.outputs) {
            var n = Query.clean(name)
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
        executor = try Executor(plan: plan, runs: runs, options: options)
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
        let schema = self.schema
        let discard = plan.explain
        try executor.run { b in
            if discard { return true }
            let batch = RecordBatch(schema: schema, columns: b.columns.map { $0.columnData() }, count: b.count)
            return try body(batch)
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
    public func explain() -> String { Explain.text(plan, runs: runs, stats: nil) }

    /// The plan plus what the last run read and skipped.
    public func explainAnalyzed() -> String { Explain.text(plan, runs: runs, stats: stats) }
}
