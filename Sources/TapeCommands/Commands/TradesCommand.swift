import ArgumentParser
import Tape
import TapeFormat
import TapeQuery

struct TradesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trades",
        abstract: "Print a run's trades, filtered and ordered (a short form of tape sql).",
        discussion: """
            Compiles to SELECT <columns> FROM trades [WHERE …] [ORDER BY …] [LIMIT n] and runs it \
            like tape sql, so --where takes any SQL condition (on the trades' columns and the \
            run/metadata columns). --from/--to keep trades whose time (the table's first \
            timestamp column, or --time-column) is at or after --from and before --to.

            Examples:
              tape trades run.tape --where "pnl < 0" --order-by pnl --limit 20
              tape trades runs/ --where "symbol = 'ES' AND ts >= '2024-06-01'" --order-by "ts DESC" -f csv
            """)

    @Argument(help: "Run files, directories or globs.") var paths: [String]
    @OptionGroup var selection: RowSelectionOptions
    @Option(help: "ORDER BY keys, e.g. \"pnl DESC, ts\".") var orderBy: String?
    @Option(help: "Print at most this many trades.") var limit: Int?
    @Option(help: "The trades table's name.") var table = "trades"
    @OptionGroup var output: RowOutputOptions

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be ≥ 0") }
    }

    func run() throws {
        let columns = selection.columns
        // Build the SQL while remembering where each user-written piece starts, so an error in
        // --where or --order-by points into that option's text, not the generated query.
        var sql = "SELECT \(columns ?? "*") FROM \"\(table.replacingOccurrences(of: "\"", with: "\"\""))\""
        var pieces: [(option: String, text: String, start: Int)] = []
        if let columns { pieces.append(("--columns", columns, "SELECT ".utf8.count)) }
        var conditions: [String] = []
        if let tc = try timeColumn() {
            let quoted = "\"\(tc.replacingOccurrences(of: "\"", with: "\"\""))\""
            if let f = try selection.fromNanos() { conditions.append("\(quoted) >= TIMESTAMP '\(Timestamps.format(f))'") }
            if let t = try selection.toNanos() { conditions.append("\(quoted) < TIMESTAMP '\(Timestamps.format(t))'") }
        }
        if !conditions.isEmpty || selection.condition != nil { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if let w = selection.condition {
            if !conditions.isEmpty { sql += " AND " }
            pieces.append(("--where", w, sql.utf8.count))
            sql += "(\(w))"
            pieces[pieces.count - 1].start += 1
        }
        if let o = orderBy {
            sql += " ORDER BY "
            pieces.append(("--order-by", o, sql.utf8.count))
            sql += o
        }
        if let limit { sql += " LIMIT \(limit)" }
        let query = sql
        try runQuery(sql, paths: paths, options: QueryOptions(), output: output, explain: false) { e in
            guard let p = e.position,
                  let piece = pieces.last(where: { p >= $0.start && p <= $0.start + $0.text.utf8.count }) else {
                return e.render(query: query)
            }
            var local = e
            local.position = p - piece.start
            return "\(piece.option): " + local.render(query: piece.text)
        }
    }

    /// The column --from/--to apply to: --time-column, else the first timestamp column of the
    /// table in the first run that has it (nil when neither --from nor --to is given).
    private func timeColumn() throws -> String? {
        guard selection.from != nil || selection.to != nil else { return nil }
        if let tc = selection.timeColumn { return tc }
        for path in try RunPaths.expand(paths) {
            let reader = try TapeReader(path: path)
            guard let entry = try? reader.table(table) else { continue }
            return try selection.timeColumnName(in: entry.schema, table: table)
        }
        throw ValidationError("no run has a table '\(table)' with a timestamp column for --from/--to")
    }
}
