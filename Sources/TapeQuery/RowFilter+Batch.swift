import TapeCodec
import TapeFormat

extension RowFilter {
    /// A condition over the columns of a stored table (`schema`), typed as `tape sql` types them.
    public init(_ text: String, schema: Schema) throws(QueryError) {
        try self.init(text, columns: schema.columns.map { ($0.name, SQLType($0.type)) })
    }

    /// The names of the columns the condition reads (a subset of `columns`, each once).
    public var referencedColumns: [String] {
        var seen = Set<Int>()
        return slotColumns.filter { seen.insert($0).inserted }.map { columns[$0].name }
    }

    /// The rows of `batch` for which the condition is TRUE (NULL and FALSE both reject), as row
    /// indexes in order. `batch` must hold every column of `referencedColumns` by name; its
    /// columns are read as stored (no per-row conversion), so this is the fast path for filtering
    /// scanned table rows (`tape cat --where`, `tape export --where`).
    public func matchingRows(_ batch: RecordBatch) throws(QueryError) -> [Int32] {
        guard batch.count > 0 else { return [] }
        var vectors: [Vector] = []
        for c in slotColumns {
            let name = columns[c].name
            guard let i = batch.schema.columns.firstIndex(where: { $0.name == name }) else {
                throw QueryError(.binding, "column \(name) is not in the scanned rows")
            }
            vectors.append(Vector(batch.columns[i]))
        }
        let v = try Evaluator.evaluate(condition, Batch(columns: vectors, count: batch.count))
        var rows: [Int32] = []
        for r in 0..<batch.count where !v.isNull(r) && v.datumBool(r) { rows.append(Int32(r)) }
        return rows
    }
}
