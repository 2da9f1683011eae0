import TapeCodec
import TapeFormat
#if canImport(Glibc)
import Glibc
#endif

/// A comparison of one column with a constant, used to skip chunks by their zone maps and to
/// filter rows. `ts >= from AND ts < to` is two predicates.
///
/// Doubles compare in SQL's total order (DuckDB's): NaN equals NaN and sorts above +inf, so a NaN
/// row satisfies `x > c`, `x >= c` and `x != c` for every number c. Zone maps leave NaN out of
/// min/max and set a flag (format-spec §3.2); a flagged block counts NaN as its maximum.
public struct ColumnPredicate: Sendable, Equatable, CustomStringConvertible {
    public enum Op: String, Sendable, CaseIterable {
        case lt = "<", le = "<=", eq = "=", ne = "!=", ge = ">=", gt = ">"

        /// Whether a three-way comparison result (-1, 0, 1 for lhs <, =, > rhs) satisfies the op.
        public func holds(_ comparison: Int) -> Bool {
            switch self {
            case .lt: return comparison < 0
            case .le: return comparison <= 0
            case .eq: return comparison == 0
            case .ne: return comparison != 0
            case .ge: return comparison >= 0
            case .gt: return comparison > 0
            }
        }
    }

    public var column: String
    public var op: Op
    /// The constant; `.int` and `.timestamp` and `.float` compare numerically with numeric columns.
    public var value: Value

    public init(_ column: String, _ op: Op, _ value: Value) {
        self.column = column
        self.op = op
        self.value = value
    }

    public var description: String { "\(column) \(op.rawValue) \(value.description)" }

    /// Whether a block with `stats` (of `rowCount` rows, `nullCount` null) may hold a matching row.
    /// Conservative: true whenever the statistics cannot rule it out.
    public func mayMatch(_ stats: ColumnStats, rowCount: Int, nullCount: Int) -> Bool {
        if nullCount == rowCount { return false }   // NULL never satisfies a comparison
        // The block's range in the total order: NaN rows raise the maximum to NaN.
        let nan = StatValue.float(.nan)
        guard let lo = stats.min ?? (stats.hasNaN ? nan : nil) else { return true }
        let hi = stats.hasNaN ? nan : stats.max
        guard let cLo = compare(lo, value) else { return true }
        let cHi = hi.flatMap { compare($0, value) }
        switch op {
        case .eq: return cLo <= 0 && (cHi.map { $0 >= 0 } ?? true)
        case .lt: return cLo < 0
        case .le: return cLo <= 0
        case .gt: return cHi.map { $0 > 0 } ?? true
        case .ge: return cHi.map { $0 >= 0 } ?? true
        case .ne: return !(cLo == 0 && cHi == 0)
        }
    }

    /// -1, 0, 1 comparing a statistic with the constant, or nil when they are not comparable.
    func compare(_ s: StatValue, _ v: Value) -> Int? {
        switch (s, v) {
        case (.int(let a), .int(let b)), (.int(let a), .timestamp(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.int(let a), .double(let b)): return compareDoubles(Double(a), b)
        case (.float(let a), .double(let b)): return compareDoubles(a, b)
        case (.float(let a), .int(let b)), (.float(let a), .timestamp(let b)): return compareDoubles(a, Double(b))
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (!a ? -1 : 1)
        case (.string(let a), .string(let b)): return compareBytes(a, b)
        default: return nil
        }
    }

    /// Marks `selection[row] = false` for rows of `column` that do not satisfy the predicate.
    func filter(_ column: ColumnData, _ selection: inout [Bool]) throws {
        if case .constant = column.storage { return try filter(column.spread(), &selection) }
        let n = column.count
        func apply(_ test: (Int) -> Bool) {
            for r in 0..<n where selection[r] {
                if column.isNull(r) || !test(r) { selection[r] = false }
            }
        }
        func check(_ c: Int) -> Bool { op.holds(c) }
        switch column.storage {
        case .int64(let v):
            switch value {
            case .int(let b), .timestamp(let b): apply { check(v[$0] < b ? -1 : (v[$0] == b ? 0 : 1)) }
            case .double(let b): apply { check(compareDoubles(Double(v[$0]), b)) }
            default: throw mismatch(column.type)
            }
        case .float64(let v):
            switch value {
            case .double(let b): apply { check(compareDoubles(v[$0], b)) }
            case .int(let b), .timestamp(let b): apply { check(compareDoubles(v[$0], Double(b))) }
            default: throw mismatch(column.type)
            }
        case .bool(let v):
            guard case .bool(let b) = value else { throw mismatch(column.type) }
            apply { check(v[$0] == b ? 0 : (!v[$0] ? -1 : 1)) }
        case .strings, .dictionary:
            guard case .string(let b) = value else { throw mismatch(column.type) }
            apply { check(compareBytes(column.string(at: $0), b)) }
        case .interval, .constant:
            throw mismatch(column.type)   // a query's INTERVAL values are never a stored column; constants spread above
        }
    }

    private func mismatch(_ t: ColumnType) -> TapeError {
        .invalidArgument("cannot compare \(t) column '\(column)' with \(value.description)")
    }
}

/// Three-way comparison of doubles in SQL's total order (DuckDB's): -1, 0, 1, with NaN equal to
/// NaN and above every other value (+inf included); -0.0 equals 0.0. The order of zone maps, row
/// filters, and of DOUBLE in queries.
@inlinable @inline(__always)
public func compareDoubles(_ x: Double, _ y: Double) -> Int {
    if x < y { return -1 }
    if x > y { return 1 }
    if x == y { return 0 }
    return x.isNaN ? (y.isNaN ? 0 : 1) : -1
}

/// Byte-wise (unsigned) comparison of UTF-8 strings: -1, 0, 1 — the order of string zone maps,
/// and of VARCHAR in queries.
public func compareBytes(_ a: String, _ b: String) -> Int {
    var a = a, b = b
    return a.withUTF8 { x in b.withUTF8 { y in StringArray.compare(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y)) } }
}
