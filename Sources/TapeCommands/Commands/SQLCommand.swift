import ArgumentParser
import Foundation
import TapeQuery

struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run a SQL query over one run or thousands.",
        discussion: """
            Tables are the tables in the files (FROM trades). Several files are queried as one \
            union with a virtual column `run` (the run_id metadata value, else the file name) and \
            every metadata key as a column (WHERE strategy = 'sma'); a column missing from a run \
            reads as NULL and a table missing from a run contributes no rows. Arguments may be \
            files, directories (every *.tape below them) or quoted globs ('runs/2024-*.tape').

            Supported: SELECT [DISTINCT] expressions and aliases, *; WHERE with comparisons, AND/OR/NOT, \
            BETWEEN, IN, LIKE/ILIKE, IS [NOT] NULL, arithmetic, CASE, CAST/::; TIMESTAMP '…' and \
            INTERVAL '…' literals; GROUP BY (expressions, positions, aliases, ALL), HAVING; ORDER BY \
            (ASC/DESC, NULLS FIRST/LAST); LIMIT/OFFSET; joins (INNER/LEFT/RIGHT/FULL/SEMI/ANTI/CROSS \
            with ON or USING, NATURAL [LEFT/RIGHT/FULL], LATERAL, ASOF [LEFT] JOIN), WITH, subqueries (FROM, \
            scalar, IN, EXISTS; correlated ones too), UNION [ALL] [BY NAME]/INTERSECT/EXCEPT [ALL], the \
            virtual table runs (one row per run: metadata and stored metrics), aggregate FILTER (WHERE \
            …); window functions f(…) OVER ([PARTITION BY …] [ORDER BY …] [ROWS|RANGE|GROUPS frame \
            [EXCLUDE …]]), OVER w with WINDOW w AS (…), QUALIFY, IGNORE NULLS, DISTINCT and FILTER \
            in window aggregates. Window functions: \(FunctionDocs.windowNames) and the aggregates \
            (e.g. equity / max(equity) OVER (ORDER BY ts) - 1). Aggregates (count also as \
            count(*) and count(DISTINCT x)): \(FunctionDocs.aggregateNames). \
            Functions: \(FunctionDocs.scalarNames); extract(part FROM ts). \
            tape sql --functions prints every function with its arguments and meaning. \
            Semantics follow DuckDB (integer / is DOUBLE division, // integer division, NULLS LAST).

            Only referenced columns are read; chunks whose zone maps rule out a WHERE condition \
            (on any column with statistics) and runs ruled out by conditions on run/metadata \
            columns are skipped; LIMIT without ORDER BY stops reading early; ORDER BY … LIMIT \
            keeps a bounded top-N buffer. EXPLAIN SELECT … prints the plan and what was read and \
            skipped per table; --explain prints the same to stderr after the results.

            Examples:
              tape sql "SELECT * FROM trades WHERE pnl < 0 ORDER BY pnl LIMIT 20" run.tape
              tape sql "SELECT date_trunc('day', ts) AS day, arg_max(equity, ts) AS close FROM equity GROUP BY 1 ORDER BY 1" run.tape
              tape sql "SELECT run, strategy, sum(pnl) FROM trades GROUP BY ALL ORDER BY 3 DESC" runs/
            """)

    @Argument(help: "The SQL query (quote it).") var query: String?
    @Argument(help: "Run files, directories or globs.") var paths: [String] = []
    @OptionGroup var output: RowOutputOptions
    @Flag(help: "After the results, print the plan and what was read/skipped to stderr.") var explain = false
    @Option(help: "Worker threads (default: all cores; 1 = single-threaded).") var threads: Int?
    @Option(help: "Memory beyond which a sort, GROUP BY, DISTINCT, hash join or window spills to a temporary file in TMPDIR (other operators fail), e.g. 512MiB, 4GiB (default 2GiB).") var memoryLimit: String?
    @Flag(help: "Check each chunk's checksum before using it.") var verify = false
    @Flag(help: "Also read files still being written (their complete chunks).") var unsealed = false
    @OptionGroup var progressOptions: ProgressOptions
    @Flag(help: "Print every SQL function (arguments, meaning, aliases) and exit.") var functions = false

    func validate() throws {
        if !functions && query == nil { throw ValidationError("Missing expected argument '<query>'") }
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1") }
        if let memoryLimit, parseByteSize(memoryLimit) == nil {
            throw ValidationError("--memory-limit: cannot read '\(memoryLimit)' (use e.g. 512MiB or 4GiB)")
        }
    }

    func run() throws {
        if functions {
            print(FunctionDocs.text(), terminator: "")
            return
        }
        guard let query else { return }
        var options = QueryOptions(verifyChecksums: verify, allowUnsealed: unsealed)
        if let threads { options.threads = threads }
        if let memoryLimit, let n = parseByteSize(memoryLimit) { options.memoryLimit = n }
        // Footers read of the runs named, then chunks done of those planned after pruning.
        let progress = PhasedProgress<QueryProgress.Phase>(progressOptions) { $0 == .opening ? ("sql open", "runs") : ("sql scan", "chunks") }
        if progress.isOn { options.progress = QueryProgress { progress.update($0, done: $1, total: $2) } }
        try runQuery(query, paths: paths, options: options, output: output, explain: explain, progress: progress)
    }
}

/// Runs `sql` and prints its result (or, for EXPLAIN, its plan and scan figures). Query errors are
/// printed with a caret under the offending place, via `render` when the SQL was generated from
/// other arguments; the exit status is 1. `progress` (reported through `options.progress`) is
/// lifted while result rows are written and ended before the last output.
func runQuery(_ sql: String, paths: [String], options: QueryOptions, output: RowOutputOptions, explain: Bool,
              progress: PhasedProgress<QueryProgress.Phase>? = nil, render: ((QueryError) -> String)? = nil) throws {
    defer { progress?.finish() }
    do {
        let expanded = try RunPaths.expand(paths)
        let q = try Query(sql: sql, paths: expanded, options: options)
        if q.isExplain {
            try q.run { _ in true }
            progress?.finish()
            let target = try output.makeTarget()
            try quietOnBrokenPipe {
                target.sink.append { $0.append(contentsOf: Array((q.explainAnalyzed() + "\n").utf8)) }
                try target.commit()
            }
            return
        }
        // Arrow has a duration type: INTERVAL columns arrive as duration[ns], as `tape.sql` gives
        // them (see `Query.runWithDurations`); text formats print the INTERVAL's text.
        let durations = output.format == .arrow
        let target = try output.makeTarget()
        let formatter = output.makeFormatter(schema: durations ? try q.durationSchema() : q.schema, sink: target.sink)
        try quietOnBrokenPipe {
            // Output errors (a closed pipe, a full disk) stop the query and are rethrown as is.
            var outputError: Error?
            do {
                let run = durations ? q.runWithDurations : q.run
                try run { batch in
                    var failed = false
                    let write = {
                        do { try formatter.write(batch) } catch {
                            outputError = error
                            failed = true
                        }
                    }
                    if let progress { progress.printing(write) } else { write() }
                    return !failed
                }
            } catch {
                try? formatter.finish()   // keep what was printed before the failure
                throw error
            }
            if let outputError { throw outputError }
            progress?.finish()
            try formatter.finish()
            try target.commit()
        }
        if explain { printError(q.explainAnalyzed()) }
    } catch let e as QueryError {
        throw CommandFailure(render?(e) ?? e.render(query: sql))
    }
}

/// `512MiB`, `4GiB`, `2G`, `100MB`, or a number of bytes.
func parseByteSize(_ s: String) -> Int? {
    let t = s.trimmingCharacters(in: .whitespaces).lowercased()
    let units: [(String, Int)] = [("gib", 1 << 30), ("gb", 1 << 30), ("g", 1 << 30), ("mib", 1 << 20), ("mb", 1 << 20), ("m", 1 << 20),
                                  ("kib", 1 << 10), ("kb", 1 << 10), ("k", 1 << 10), ("b", 1)]
    for (suffix, factor) in units where t.hasSuffix(suffix) {
        guard let v = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v > 0, v * Double(factor) < 9e18 else { return nil }
        return Int(v * Double(factor))
    }
    guard let v = Int(t), v > 0 else { return nil }
    return v
}
