import TapeCodec
import TapeFormat

/// The values of one expression over the rows of a batch, typed and spread like `ColumnData`:
/// one slot per row, a null row's slot holds a placeholder to be ignored.
///
/// Strings keep the Arrow layout they are decoded in (`StringArray`: offsets + UTF-8 bytes, shared
/// with the decoded `ColumnData` without a copy); kernels work on the bytes and make a Swift
/// `String` only where a function needs one (`stringAt`).
struct Vector {
    var type: SQLType
    /// The values, in the layout a decoded `ColumnData` holds (shared without a copy).
    var storage: ColumnLayout
    /// 1 = valid; nil when no row is null (constants use `.constant(.null)` instead).
    var validity: Bitmap?
    var count: Int

    init(type: SQLType, storage: ColumnLayout, validity: Bitmap? = nil, count: Int) {
        self.type = type
        self.storage = storage
        self.validity = validity
        self.count = count
    }

    static func constant(_ d: Datum, type: SQLType? = nil, count: Int) -> Vector {
        Vector(type: type ?? d.type, storage: .constant(d), count: count)
    }

    /// A decoded column as a vector (dictionary strings stay dictionary-encoded).
    init(_ c: ColumnData) {
        count = c.count
        validity = c.validity
        type = SQLType(c.type)
        // A stored duration is the INTERVAL that subtracting two timestamps gives: it stays its
        // int64 nanoseconds (type INTERVAL), read as `Interval(durationNanos:)` where a value is used.
        switch c.storage {
        case .dictionary(let e, let idx) where e.count == 0:
            // A chunk whose rows are all NULL may have no entries: give the placeholder index 0 one.
            storage = .dictionary(entries: .oneEmptyString, indices: idx)
        default:
            storage = c.storage   // the decoded buffers themselves: no conversion, no copy
        }
    }

    @inline(__always) func isNull(_ row: Int) -> Bool {
        if case .constant(let d) = storage { return d == .null }
        return validity.map { !$0[row] } ?? false
    }

    /// Whether any row may be null.
    var mayHaveNulls: Bool {
        if case .constant(let d) = storage { return d == .null }
        return validity != nil
    }

    /// The value at `row` (slow path: output, grouping keys of mixed types, tests).
    func datum(_ row: Int) -> Datum {
        if isNull(row) { return .null }
        switch storage {
        case .int64(let v) where type == .interval: return .interval(Interval(durationNanos: v[row]))
        case .int64(let v): return type == .timestamp ? .timestamp(v[row]) : .int(v[row])
        case .float64(let v): return .double(v[row])
        case .bool(let v): return .bool(v[row])
        case .strings(let v): return .string(v[row])
        case .dictionary(let e, let idx): return .string(e[Int(idx[row])])
        case .interval(let v): return .interval(v[row])
        case .constant(let d): return d
        }
    }

    /// The vector with every slot materialised (constants expanded), for kernels that index rows.
    func materialized() -> Vector {
        guard case .constant(let d) = storage else { return self }
        return Vector.filled(d, type: type, count: count)
    }

    /// `d` on every one of `count` rows, as arrays (`ColumnLayout.repeating`; NULL as placeholders).
    static func filled(_ d: Datum, type: SQLType, count: Int) -> Vector {
        if let layout = ColumnLayout.repeating(d, count: count) { return Vector(type: type, storage: layout, count: count) }
        return Vector(type: type, storage: placeholder(type, count), validity: Bitmap(count: count, value: false), count: count)
    }

    /// All-placeholder storage of `type`.
    static func placeholder(_ type: SQLType, _ count: Int) -> ColumnLayout {
        type == .interval ? .interval([Interval](repeating: Interval(), count: count)) : .placeholder(type.columnType, count: count)
    }

    /// The rows at `rows`, in that order (`ColumnLayout.gather`: plain strings whose copy would
    /// pass `stringLimit` stay in their array, the rows as dictionary indices into it).
    func gather(_ rows: [Int32], stringLimit: Int = StringArray.maxBytes) -> Vector {
        Vector(type: type, storage: storage.gather(rows, stringLimit: stringLimit), validity: validity?.gather(rows), count: rows.count)
    }

    /// The storage form for output formatters and the Arrow bridge (strings handed over as they
    /// are: no per-row conversion; intervals as their text).
    func columnData() throws(QueryError) -> ColumnData {
        let m = materialized()
        let ct = type.columnType
        func text(_ a: [Interval]) throws(QueryError) -> ColumnData {
            do { return ColumnData(type: ct, storage: .strings(try StringArray(a.map(\.description))), validity: m.validity) } catch {
                throw .stringsTooLarge(error, in: "an INTERVAL column's text")
            }
        }
        switch m.storage {
        case .int64(let a) where type == .interval: return try text(a.map(Interval.init(durationNanos:)))
        case .interval(let a): return try text(a)
        default: return ColumnData(type: ct, storage: m.storage, validity: m.validity, count: m.count)   // the buffers as they are
        }
    }
}

/// Appends vectors of one type into one (for buffering rows to sort, and for building results).
///
/// Strings past the 4 GiB one string array addresses are not appended; `build()` then throws
/// `QueryError.stringsTooLarge` naming `label` (the operator or expression building the column).
struct VectorBuilder {
    let type: SQLType
    /// Names the builder's user in the error `build()` throws.
    let label: String
    private(set) var count = 0
    private var overflow: StringArrayOverflow?
    private var ints: [Int64] = []
    private var doubles: [Double] = []
    private var bools = Bitmap()
    private var strings = StringArray()
    private var intervals: [Interval] = []
    private var validity = Bitmap()
    private var hasNull = false

    init(type: SQLType, label: String = "a result column") {
        self.type = type
        self.label = label
    }

    /// Runs a string append, remembering (instead of throwing) an overflow for `build()` (which
    /// then never hands out the strings, so none stands in for the refused ones).
    private mutating func appendingStrings(_ append: (inout StringArray) throws(StringArrayOverflow) -> Void) {
        do { try append(&strings) } catch {
            if overflow == nil { overflow = error }
        }
    }

    /// Makes room for `n` rows in all (so appending known parts copies each once).
    mutating func reserveCapacity(_ n: Int) {
        switch type {
        case .int, .timestamp, .null: ints.reserveCapacity(n)
        case .double: doubles.reserveCapacity(n)
        case .interval: intervals.reserveCapacity(n)
        case .bool, .string: break
        }
        validity.words.reserveCapacity((n + 63) / 64)
    }

    mutating func append(_ v: Vector) {
        let m = v.materialized()
        if let valid = m.validity {
            validity.append(contentsOf: valid, range: 0..<m.count)
            hasNull = true
        } else {
            validity.append(repeating: true, count: m.count)
        }
        switch m.storage {
        case .int64(let a) where type == .interval: intervals.append(contentsOf: a.lazy.map(Interval.init(durationNanos:)))
        case .int64(let a): ints.append(contentsOf: a)
        case .float64(let a): doubles.append(contentsOf: a)
        case .bool(let a): bools.append(contentsOf: a)
        case .strings(let a):
            appendingStrings { (s) throws(StringArrayOverflow) in try s.append(contentsOf: a) }
        case .dictionary(let e, let idx): for i in idx { appendingStrings { (s) throws(StringArrayOverflow) in try s.append(e, Int(i)) } }
        case .interval(let a): intervals.append(contentsOf: a)
        case .constant: break
        }
        count += m.count
    }

    mutating func append(_ d: Datum) {
        validity.append(d != .null)
        if d == .null { hasNull = true }
        switch type {
        case .int, .timestamp, .null:
            if case .int(let v) = d { ints.append(v) } else if case .timestamp(let v) = d { ints.append(v) } else { ints.append(0) }
        case .double:
            if case .double(let v) = d { doubles.append(v) } else if case .int(let v) = d { doubles.append(Double(v)) } else { doubles.append(0) }
        case .bool: if case .bool(let v) = d { bools.append(v) } else { bools.append(false) }
        case .string:
            if case .string(let x) = d { appendingStrings { (s) throws(StringArrayOverflow) in try s.append(x) } } else { strings.appendEmpty() }
        case .interval: if case .interval(let v) = d { intervals.append(v) } else { intervals.append(Interval()) }
        }
        count += 1
    }

    /// The appended rows as one vector; throws when a string column passed 4 GiB.
    func build() throws(QueryError) -> Vector {
        if let overflow { throw .stringsTooLarge(overflow, in: label) }
        let storage: ColumnLayout
        switch type {
        case .int, .timestamp, .null: storage = .int64(ints)
        case .double: storage = .float64(doubles)
        case .bool: storage = .bool(bools)
        case .string: storage = .strings(strings)
        case .interval: storage = .interval(intervals)
        }
        return Vector(type: type, storage: storage, validity: hasNull ? validity : nil, count: count)
    }

    /// Approximate bytes held, for memory budgets.
    var approximateBytes: Int {
        ints.count * 8 + doubles.count * 8 + bools.words.count * 8 + intervals.count * 24
            + strings.approximateBytes + validity.words.count * 8
    }
}

extension Vector {
    /// The rows at `rows`, where -1 stands for a NULL row (the padded side of an outer join).
    func gatherPadded(_ rows: [Int32]) -> Vector {
        guard rows.contains(where: { $0 < 0 }) else { return gather(rows) }
        if count == 0 || !rows.contains(where: { $0 >= 0 }) {
            return Vector(type: type, storage: .constant(.null), count: rows.count)
        }
        if case .constant(let d) = storage, d == .null { return Vector(type: type, storage: .constant(.null), count: rows.count) }
        var g = materialized().gather(rows.map { max($0, 0) })
        var valid = g.validity ?? Bitmap(count: rows.count, value: true)
        for (i, r) in rows.enumerated() where r < 0 { valid[i] = false }
        g.validity = valid
        return g
    }
}

extension Batch {
    /// The batches' rows one after another, as one batch of `types`. A column that is the same
    /// constant in every batch (e.g. NULL for a column nobody reads) stays a constant. Throws
    /// when a string column passes 4 GiB (`label` names the operator in the message).
    static func concatenate(_ batches: [Batch], types: [SQLType], label: String) throws(QueryError) -> Batch {
        let n = batches.reduce(0) { $0 + $1.count }
        var columns: [Vector] = []
        for (c, type) in types.enumerated() {
            if case .constant(let d)? = batches.first?.columns[c].storage,
               batches.allSatisfy({ if case .constant(let e) = $0.columns[c].storage { return e == d } else { return false } }) {
                columns.append(Vector(type: type, storage: .constant(d), count: n))
                continue
            }
            if batches.count == 1 {
                columns.append(batches[0].columns[c])
                continue
            }
            if type == .string, let v = concatenateDictionaries(batches.map { $0.columns[c] }, count: n) {
                columns.append(v)
                continue
            }
            var b = VectorBuilder(type: type, label: label)
            b.reserveCapacity(n)
            for batch in batches { b.append(batch.columns[c]) }
            columns.append(try b.build())
        }
        return Batch(columns: columns, count: n)
    }

    /// String vectors that are all dictionary-encoded or constant (a run's id, say) as one
    /// dictionary vector (entries merged), so the strings are not copied per row; nil otherwise.
    private static func concatenateDictionaries(_ parts: [Vector], count n: Int) -> Vector? {
        var entries = ByteDictionary()
        var indices: [UInt32] = []
        indices.reserveCapacity(n)
        var validity = Bitmap()
        var hasNull = false
        for v in parts {
            switch v.storage {
            case .constant(.string(let s)):
                guard let i = entries.index(of: s) else { return nil }
                indices.append(contentsOf: repeatElement(i, count: v.count))
                validity.append(repeating: true, count: v.count)
            case .constant(.null):
                indices.append(contentsOf: repeatElement(0, count: v.count))
                validity.append(repeating: false, count: v.count)
                hasNull = hasNull || v.count > 0
            case .dictionary(let e, let idx):
                var map: [UInt32] = []
                map.reserveCapacity(e.count)
                for k in 0..<e.count {
                    // Entries past 4 GiB: the caller's builder reports it.
                    guard let i = e.withUTF8(k, { entries.index(of: $0) }) else { return nil }
                    map.append(i)
                }
                for r in 0..<v.count { indices.append(map[Int(idx[r])]) }
                if let valid = v.validity {
                    validity.append(contentsOf: valid, range: 0..<v.count)
                    hasNull = hasNull || valid.popCount(in: 0..<v.count) < v.count
                } else {
                    validity.append(repeating: true, count: v.count)
                }
            default:
                return nil
            }
        }
        if entries.count == 0 { _ = entries.index(of: "") }
        return Vector(type: .string, storage: .dictionary(entries: entries.entries, indices: indices), validity: hasNull ? validity : nil, count: n)
    }

    /// Approximate bytes held by the batch's columns (for memory budgets).
    var approximateBytes: Int { columns.reduce(0) { $0 + $1.storage.approximateBytes } }
}
