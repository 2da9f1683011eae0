/// One metadata key's values over the rows of a `RunTable`, 4 bytes per row: a row holds a code
/// into `values` (0: the run lacks the key). A value repeated across runs (a sweep's parameters,
/// its strategy and symbol) is stored once while the column has at most `dedupeLimit` distinct
/// values; past that, new values are stored as they come (no index grows without bound).
struct MetadataColumn {
    /// Per row, its value's code; rows past the end lack the key.
    fileprivate var codes: [UInt32] = []
    /// The values codes refer to; code 0 is unused.
    fileprivate var values: [String] = [""]
    private var index: [String: UInt32] = [:]
    static let dedupeLimit = 1 << 16

    init() {}

    /// Whether no row has a value yet.
    var isEmpty: Bool { codes.isEmpty }

    /// Prepares for `rows` rows.
    mutating func reserveCapacity(_ rows: Int) { codes.reserveCapacity(rows) }

    /// Sets row `row` (at or after the last row set) to `value`.
    mutating func set(_ row: Int, _ value: String) {
        let code = self.code(for: value)
        if codes.count <= row {
            if codes.count < row { codes += repeatElement(0, count: row - codes.count) }
            codes.append(code)
        } else {
            codes[row] = code
        }
    }

    private mutating func code(for value: String) -> UInt32 {
        if let c = index[value] { return c }
        let c = UInt32(values.count)
        if values.count <= Self.dedupeLimit { index[value] = c }
        values.append(value)
        return c
    }

    /// The value of `row`, nil when the run lacks the key.
    subscript(row: Int) -> String? {
        guard row < codes.count else { return nil }
        let c = codes[row]
        return c == 0 ? nil : values[Int(c)]
    }

    /// Whether some row has a value.
    var hasValue: Bool { codes.contains { $0 != 0 } }

    /// The values some row holds (each distinct one once while the column dedupes).
    var valuesInUse: [String] {
        var used = [Bool](repeating: false, count: values.count)
        for c in codes { used[Int(c)] = true }
        return values.indices.dropFirst().filter { used[$0] }.map { values[$0] }
    }

    /// Appends the rows of `other` as rows `base…` (rows before `base` not set lack the key).
    mutating func append(contentsOf other: MetadataColumn, at base: Int) {
        if codes.count < base { codes += repeatElement(0, count: base - codes.count) }
        var map = [UInt32](repeating: 0, count: other.values.count)
        for c in other.values.indices.dropFirst() { map[c] = code(for: other.values[c]) }
        codes += other.codes.lazy.map { map[Int($0)] }
    }
}

extension MetadataColumn {
    /// The values codes refer to (index 0 is unused: the code of a run lacking the key).
    var codedValues: [String] { values }

    /// The code of each of `rows` (0 for a row lacking the key).
    func codes(of rows: some Collection<Int32>) -> [UInt32] {
        rows.map { r in Int(r) < codes.count ? codes[Int(r)] : 0 }
    }
}
