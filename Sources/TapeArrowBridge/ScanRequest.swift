import Foundation
import TapeFormat
import TapeQuery

/// A scan of one table over a set of runs, as the SQL Tape's query engine runs for it:
/// `SELECT <columns | *> FROM "<table>" [WHERE "<time>" >= TIMESTAMP '<start>' AND "<time>" < TIMESTAMP '<end>' AND (<filter>)]`.
/// So a scan has exactly the SQL's semantics: the `run` column with several runs (`*`), NULL for a
/// column missing from some runs, zone-map pruning on the time range, chunk order.
struct ScanRequest {
    var table: String
    /// nil: every column.
    var columns: [String]?
    /// nil: the table's first timestamp column in the first run that has the table.
    var timeColumn: String?
    var start: Int64?
    var end: Int64?
    /// A SQL boolean expression over the table's columns (and `run`), or nil.
    var filter: String? = nil

    /// Byte offset of `filter` in the text `sql(runs:)` makes (set by it).
    private(set) var filterOffset: Int? = nil

    /// The SQL text; `runs` is read only to find the time column when a range is given.
    mutating func sql(runs: RunSet) throws(BridgeError) -> String {
        var text = "SELECT "
        if let columns {
            guard !columns.isEmpty else { throw .invalid("columns: the list is empty") }
            text += columns.map(quote).joined(separator: ", ")
        } else {
            text += "*"
        }
        text += " FROM " + quote(table)
        var conditions: [String] = []
        if start != nil || end != nil {
            let time: String
            if let timeColumn { time = timeColumn } else { time = try defaultTimeColumn(runs) }
            if let start { conditions.append("\(quote(time)) >= TIMESTAMP '\(Timestamps.format(start))'") }
            if let end { conditions.append("\(quote(time)) < TIMESTAMP '\(Timestamps.format(end))'") }
        }
        if let filter {
            guard !filter.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .invalid("where: the expression is empty") }
            // On its own line in parentheses: a trailing `--` comment cannot swallow the closing one.
            conditions.append("(\n\(filter)\n)")
        }
        if !conditions.isEmpty { text += " WHERE " + conditions.joined(separator: " AND ") }
        if let filter { filterOffset = text.utf8.count - filter.utf8.count - 2 }   // before "\n)"
        return text
    }

    /// An error of the scan's query as the caller wrote it: a place inside `filter` shown in the
    /// filter's own text (`where: … ^`); a place elsewhere (in the query made up here) left out.
    func locate(_ e: QueryError) -> String {
        guard let p = e.position else { return e.description }
        if let filter, let start = filterOffset, p >= start, p <= start + filter.utf8.count {
            return "where: " + QueryError(e.kind, e.message, at: p - start).render(query: filter)
        }
        return QueryError(e.kind, e.message).description
    }

    private func defaultTimeColumn(_ runs: RunSet) throws(BridgeError) -> String {
        for run in runs.runs {
            guard let t = run.tables.first(where: { $0.name == table }) else { continue }
            guard let c = t.schema.columns.first(where: { $0.type == .timestamp }) else {
                throw .invalid("table '\(table)' has no timestamp column for start/end (in \(run.path))")
            }
            return c.name
        }
        throw .invalid("no run has a table '\(table)'")
    }

    /// A SQL quoted identifier (a doubled quote stands for one).
    private func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
