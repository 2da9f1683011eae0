import TapeCodec

/// Keeps the input rows for which `predicate` (a BOOLEAN over the input columns) is true; NULL
/// counts as false. Streaming; output columns are the input's.
final class FilterOperator: MorselOperator {
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
        if let rows = dictionarySelection(f, b) { return rows.count == b.count ? nil : rows }
        let v = try Evaluator.evaluate(f, b)
        if case .constant(let d) = v.storage { return d == .bool(true) ? nil : [] }
        guard case .bool(let bits) = v.storage else { return [] }
        // True and not NULL, word by word; then the set bits are the rows.
        let selected = v.validity.map { bits & $0 } ?? bits
        return selected.allSet ? nil : selected.setIndices()
    }

    /// A predicate that reads only one column, a dictionary-encoded string with fewer entries
    /// than rows (`symbol = 'SPY'`, `action IN (…)`, `reason LIKE …`): evaluated once per
    /// dictionary entry and once for NULL, then rows are selected straight from the indices.
    /// nil when that does not apply, or when evaluating an entry fails (an entry no row uses may
    /// fail a cast; the row-wise path then reports only real failures).
    /// REQUIRES: `f.slots` lists every column `f` reads, and `f` is deterministic.
    static func dictionarySelection(_ f: BoundExpr, _ b: Batch) -> [Int32]? {
        let slots = f.slots
        guard slots.count == 1, let slot = slots.first,
              case .dictionary(let entries, let idx) = b.columns[slot].storage, entries.count * 4 <= b.count else { return nil }
        let n = entries.count + 1
        var values = entries
        guard (try? values.append("")) != nil else { return nil }
        var probe = b
        probe.count = n
        probe.columns = b.columns.map { .constant(.null, type: $0.type, count: n) }
        var nullLast = Bitmap(count: n, value: true)
        nullLast[n - 1] = false
        probe.columns[slot] = Vector(type: .string, storage: .strings(values), validity: nullLast, count: n)
        guard let v = try? Evaluator.evaluate(f, probe) else { return nil }
        let keep: [UInt8] = (0..<n).map { !v.isNull($0) && v.datumBool($0) ? 1 : 0 }
        let valid = b.columns[slot].validity
        let keepNull = keep[n - 1]
        // Branch-free: every row's number is written, the output position advances by its flag
        // (a data-dependent branch per row mispredicts at mid selectivities).
        return idx.withUnsafeBufferPointer { ip in
            keep.withUnsafeBufferPointer { kp in
                [Int32](unsafeUninitializedCapacity: ip.count) { out, written in
                    var k = 0
                    if let valid {
                        for r in 0..<ip.count {
                            out[k] = Int32(truncatingIfNeeded: r)
                            k &+= Int(valid[r] ? kp[Int(ip[r])] : keepNull)
                        }
                    } else {
                        for r in 0..<ip.count {
                            out[k] = Int32(truncatingIfNeeded: r)
                            k &+= Int(kp[Int(ip[r])])
                        }
                    }
                    written = k
                }
            }
        }
    }

    var streamInput: any PhysicalOperator { input }
    func prepareMorsels() -> Bool { true }
    func morsel(_ b: Batch, _ emit: (Batch) throws(QueryError) -> Void) throws(QueryError) {
        guard let rows = try FilterOperator.selection(predicate, b) else { return try emit(b) }
        if !rows.isEmpty { try emit(b.gather(rows)) }
    }
    func finishMorsels() {}

    func explain(analyzed: Bool) -> [String] { ["\(label) \(predicate.text)"] }
}
