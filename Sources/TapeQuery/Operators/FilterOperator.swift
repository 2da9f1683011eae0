/// Keeps the input rows for which `predicate` (a BOOLEAN over the input columns) is true; NULL
/// counts as false. Streaming; output columns are the input's.
final class FilterOperator: PhysicalOperator {
    let input: any PhysicalOperator
    let predicate: BoundExpr
    /// EXPLAIN's name for the step (FILTER, HAVING).
    let label: String
    var columns: [OutputColumn] { input.columns }
    var children: [any PhysicalOperator] { [input] }

    init(_ input: any PhysicalOperator, predicate: BoundExpr, label: String = "FILTER") {
        self.input = input
        self.predicate = predicate
        self.label = label
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        let predicate = self.predicate
        try input.run { b throws(QueryError) in
            let rows = try FilterOperator.selection(predicate, b)
            guard let rows else { return try emit(b) }
            return rows.isEmpty ? true : try emit(b.gather(rows))
        }
    }

    /// The rows of `b` for which `f` is true, or nil when every row is.
    static func selection(_ f: BoundExpr, _ b: Batch) throws(QueryError) -> [Int32]? {
        let v = try Evaluator.evaluate(f, b)
        if case .constant(let d) = v.storage { return d == .bool(true) ? nil : [] }
        guard case .bool(let bits) = v.storage else { return [] }
        var rows: [Int32] = []
        rows.reserveCapacity(b.count)
        bits.withUnsafeBufferPointer { p in
            if let valid = v.validity {
                for r in 0..<b.count where p[r] && valid[r] { rows.append(Int32(r)) }
            } else {
                for r in 0..<b.count where p[r] { rows.append(Int32(r)) }
            }
        }
        return rows.count == b.count ? nil : rows
    }

    func explain(analyzed: Bool) -> [String] { ["\(label) \(predicate.text)"] }
}
