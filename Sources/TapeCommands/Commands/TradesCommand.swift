import ArgumentParser
import TapeQuery

struct TradesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trades",
        abstract: "Print a run's trades, filtered and ordered (a short form of tape sql).",
        discussion: """
            Compiles to SELECT <columns> FROM trades [WHERE …] [ORDER BY …] [LIMIT n] and runs it \
            like tape sql, so --where takes any SQL condition.

            Examples:
              tape trades run.tape --where "pnl < 0" --order-by pnl --limit 20
              tape trades runs/ --where "symbol = 'ES' AND ts >= '2024-06-01'" --order-by "ts DESC" -f csv
            """)

    @Argument(help: "Run files, directories or globs.") var paths: [String]
    @Option(help: "A SQL condition on the trades' columns (and run/metadata columns).") var `where`: String?
    @Option(help: "ORDER BY keys, e.g. \"pnl DESC, ts\".") var orderBy: String?
    @Option(help: "Print at most this many trades.") var limit: Int?
    @Option(help: "Comma-separated columns to print (default: all).") var columns: String?
    @Option(help: "The trades table's name.") var table = "trades"
    @OptionGroup var output: RowOutputOptions

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be ≥ 0") }
    }

    func run() throws {
        // Build the SQL while remembering where each user-written piece starts, so an error in
        // --where or --order-by points into that option's text, not the generated query.
        var sql = "SELECT \(columns ?? "*") FROM \"\(table.replacingOccurrences(of: "\"", with: "\"\""))\""
        var pieces: [(option: String, text: String, start: Int)] = []
        if let columns { pieces.append(("--columns", columns, "SELECT ".utf8.count)) }
        if let w = `where` {
            sql += " WHERE "
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
}
