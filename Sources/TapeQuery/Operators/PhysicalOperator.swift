/// # Tape's physical operators
///
/// A query runs as a tree of physical operators. Every operator is one class in
/// `Sources/TapeQuery/Operators/`, conforming to `PhysicalOperator`:
///
/// - **Schema.** `columns` lists the output columns, in order: name, SQL type and qualifier (the
///   FROM item a column belongs to, so `t.col` resolves above a join; nil for computed columns).
///   It is fixed when the operator is built.
/// - **Data.** `run(emit)` produces the output as `Batch`es: one `Vector` per output column, all
///   `count` rows long, columns in `columns` order, types as declared (a `.constant` vector may
///   stand for a column whose every row has one value, e.g. NULL for an unused column).
///   Operators avoid emitting empty batches but must accept them. Each call to
///   `emit` hands over one batch; `emit` returns false when the consumer needs no more rows (LIMIT
///   reached), and the operator then stops producing and returns promptly. `run` may be called
///   again to run the operator again from the start (each run keeps its state local).
/// - **Model.** Produce/consume (push): a parent's `run` calls its child's `run` with a closure
///   that transforms each batch and passes it on. Pipeline breakers (hash aggregate, sort, hash
///   join build, set operations, materialised CTEs) consume their whole input first, then emit.
///   This is DuckDB's source → operators → sink pipeline with the pipeline written as nested
///   closures: a streaming operator (Filter, Project, Limit) is ~40 lines.
/// - **Threading.** `emit` is always called on the thread that called `run`. An operator may use
///   worker threads inside `run` (the `TapeScan` leaf decodes and filters chunks on
///   `QueryOptions.threads` workers and hands batches over in storage order), but everything
///   above the leaf runs on the consumer thread, so results are identical at any thread count.
///   Operators are not `Sendable` and are not shared between concurrently running queries.
/// - **Errors.** Failures are `QueryError`s with the position in the query text they concern.
/// - **Memory.** Operators that hold their input (sort, hash join build, distinct, aggregation,
///   window) count approximate bytes; beyond `--memory-limit` they spill to a temporary file
///   (`Operators/Spill/`: external merge sort, hash partitions) or, where that is not done, fail
///   with a message naming the operator and `--memory-limit`.
/// - **EXPLAIN.** `explain(analyzed:)` returns the operator's own lines (the first names it and
///   what it does; optimizer decisions such as pushed-down predicates go on it); `Explain.tree`
///   indents children below their parent.
///
/// ## Adding an operator (e.g. Window)
/// 1. New file `Operators/WindowOperator.swift`: `final class WindowOperator: PhysicalOperator`
///    holding its child (`let input: any PhysicalOperator`) and its bound expressions
///    (`BoundExpr`s whose `.column(slot:)` index the child's `columns`).
/// 2. `columns`: the child's columns followed by one `OutputColumn(name:type:)` per window
///    expression.
/// 3. `run(emit)`: `try input.run { batch in …; return true }` to consume (buffer partitions, or
///    stream when the input order already matches), then `try emit(Batch(columns: …, count: …))`
///    in pieces of at most ~64K rows; stop when `emit` returns false. Evaluate expressions with
///    `Evaluator.evaluate(expr, batch)`; sort with `Sorter`; gather rows with `Batch.gather`.
/// 4. Planning: `SelectPlanner.build` stacks the generic operators of one SELECT over its
///    input (Filter → HashAggregate → Filter(HAVING) → Project → Distinct → Sort/TopN →
///    Limit); a window operator goes between the aggregate/HAVING step and the final Project,
///    with the binder pointing window expressions at the window operator's extra columns.
/// 5. `explain(analyzed:)`: one line, e.g. `WINDOW row_number() OVER (PARTITION BY run …)`.
protocol PhysicalOperator: AnyObject {
    /// The output columns, in batch order.
    var columns: [OutputColumn] { get }
    /// Inputs, for EXPLAIN (leaves have none).
    var children: [any PhysicalOperator] { get }
    /// Runs the operator, handing each output batch to `emit` until it returns false or the
    /// output ends.
    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError)
    /// EXPLAIN's lines for this operator alone (children are printed by `Explain.tree`); with
    /// `analyzed`, also what the last run read or skipped.
    func explain(analyzed: Bool) -> [String]
}

/// One output column of an operator.
struct OutputColumn {
    var name: String
    var type: SQLType
    /// The FROM item (table name or alias) the column belongs to; nil for computed columns.
    var qualifier: String?
    /// Left out of `SELECT *` (a run's metadata keys as columns of a table).
    var hiddenFromStar = false
}

extension PhysicalOperator {
    /// The whole output as one batch (for build sides), failing with `tooBig` (which should name
    /// the operator) once it holds more than `memoryLimit` bytes.
    func materialize(memoryLimit: Int, tooBig: @autoclosure () -> String) throws(QueryError) -> Batch {
        var batches: [Batch] = []
        var bytes = 0
        var failed = false
        try run { b throws(QueryError) in
            batches.append(b)
            bytes += b.approximateBytes
            failed = bytes > memoryLimit
            return !failed
        }
        if failed { throw QueryError(.execution, tooBig()) }
        return try Batch.concatenate(batches, types: columns.map(\.type), label: explain(analyzed: false).first ?? "an operator")
    }
}
