import Tape

extension TapeReader {
    /// Every row of `table` (or of `columns`, filtered by `predicates`) as `Value`s, by a full scan.
    public func rows(_ table: String, columns: [String]? = nil, where predicates: [ColumnPredicate] = []) throws -> [[Value]] {
        let scan = try self.scan(table, columns: columns, where: predicates)
        var rows: [[Value]] = []
        while let b = try scan.nextBatch() {
            for i in 0..<b.count { rows.append((0..<b.schema.count).map { b.value(row: i, column: $0) }) }
        }
        return rows
    }

    /// Every row of every table, by table name.
    public func allRows() throws -> [String: [[Value]]] {
        var out: [String: [[Value]]] = [:]
        for t in tables { out[t.name] = try rows(t.name) }
        return out
    }
}

/// Every row of every table of the sealed file at `path`, read with chunk checksums verified.
public func tableRows(_ path: String) throws -> [String: [[Value]]] {
    try TapeReader(path: path, options: ReaderOptions(verifyChecksums: true)).allRows()
}
