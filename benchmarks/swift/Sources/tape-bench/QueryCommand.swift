import ArgumentParser
import Foundation
import TapeQuery

/// `tape-bench query`: runs one SQL statement over `.tape` files in-process, `--repeat` times after
/// `--warmup` untimed runs, and prints one JSON line:
///
///     {"sql", "threads", "repeat", "seconds": [...], "median_s", "open_seconds": [...],
///      "median_open_s", "run_seconds": [...], "median_run_s", "rows", "batches",
///      "stats": {"table", "runs", "chunks", "chunks_read", "chunks_skipped", "bytes_read",
///                "bytes_skipped", "rows_scanned", "rows_matched", "pages", "pages_read"}}
///
/// One repetition is what a caller pays for a query: `Query(sql:paths:options:)` (parse, bind,
/// open every file's footer; `open_seconds`) plus `run` with every result batch consumed
/// (`run_seconds`: each batch's columns are materialised as `RecordBatch`es and every row counted).
/// `seconds` is their sum. Stats are those of the last repetition.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Time a SQL query over .tape files in-process (TapeQuery).")

    @Option(help: "The SQL statement.")
    var sql: String

    @Option(help: "Worker threads (QueryOptions.threads).")
    var threads: Int = 1

    @Option(help: "Timed repetitions (the median is reported).")
    var `repeat`: Int = 5

    @Option(help: "Untimed runs before the timed ones (page cache, allocator).")
    var warmup: Int = 1

    @Argument(help: "The .tape files queried (several are one union with a `run` column).")
    var files: [String]

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
        guard !files.isEmpty else { throw ValidationError("give at least one .tape file") }
    }

    func run() throws {
        let options = QueryOptions(threads: threads)
        var open: [Double] = [], runs: [Double] = []
        var rows = 0, batches = 0
        var last: Query?
        for i in 0..<(warmup + `repeat`) {
            let t0 = monotonicNanos()
            let query = try Query(sql: sql, paths: files, options: options)
            let t1 = monotonicNanos()
            var n = 0, b = 0
            try query.run { batch in
                n += batch.count
                b += 1
                return true
            }
            let t2 = monotonicNanos()
            if i >= warmup {
                open.append(Double(t1 - t0) / 1e9)
                runs.append(Double(t2 - t1) / 1e9)
            }
            rows = n
            batches = b
            last = query
        }
        let total = zip(open, runs).map { $0 + $1 }
        var result: [String: Any] = [
            "sql": sql, "threads": threads, "repeat": `repeat`, "rows": rows, "batches": batches,
            "seconds": total, "median_s": median(total),
            "open_seconds": open, "median_open_s": median(open),
            "run_seconds": runs, "median_run_s": median(runs),
        ]
        if let s = last?.stats {
            result["stats"] = [
                "table": s.table, "runs": s.runs, "chunks": s.chunks, "chunks_read": s.chunksRead,
                "chunks_skipped": s.chunksSkipped, "bytes_read": s.bytesRead, "bytes_skipped": s.bytesSkipped,
                "rows_scanned": s.rowsScanned, "rows_matched": s.rowsMatched, "pages": s.pages, "pages_read": s.pagesRead,
            ]
        }
        let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    /// The median of a non-empty sample (mean of the middle two for an even count).
    func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
