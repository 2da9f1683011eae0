import Tape
import TapeCodec
import TapeFormat

/// Evaluates bound expressions over a batch, a column at a time.
///
/// NULL follows SQL: operators and functions return NULL when an input is NULL (AND/OR use
/// three-valued logic; IS NULL, coalesce and IS NOT DISTINCT FROM never return NULL). Errors
/// (integer overflow, division by zero, bad casts) name the expression's position.
enum Evaluator {
    static func evaluate(_ e: BoundExpr, _ b: Batch) throws(QueryError) -> Vector {
        switch e.kind {
        case .column(let slot, _):
            return b.columns[slot]
        case .constant(let d):
            return .constant(d, type: e.type, count: b.count)
        case .negate(let a):
            return try negate(try evaluate(a, b), e)
        case .not(let a):
            let v = try evaluate(a, b)
            if case .constant(let d) = v.storage { return .constant(d == .null ? .null : .bool(d != .bool(true)), type: .bool, count: b.count) }
            guard case .bool(let x) = v.storage else { return .constant(.null, type: .bool, count: b.count) }
            return Vector(type: .bool, storage: .bool(~x), validity: v.validity, count: b.count)
        case .and(let l, let r):
            return logic(try evaluate(l, b), try evaluate(r, b), isAnd: true, b.count)
        case .or(let l, let r):
            return logic(try evaluate(l, b), try evaluate(r, b), isAnd: false, b.count)
        case .compare(let op, let l, let r):
            return compare(op, try evaluate(l, b), try evaluate(r, b), b.count)
        case .arithmetic(let op, let l, let r):
            return try arithmetic(op, try evaluate(l, b), try evaluate(r, b), e, b.count)
        case .isNull(let a, let negated):
            let v = try evaluate(a, b)
            if case .constant(let d) = v.storage { return .constant(.bool((d == .null) != negated), type: .bool, count: b.count) }
            guard let valid = v.validity else { return .constant(.bool(negated), type: .bool, count: b.count) }
            return Vector(type: .bool, storage: .bool(negated ? valid : ~valid), count: b.count)
        case .inList(let a, let set, let hasNull, let negated):
            return inList(try evaluate(a, b), set, hasNull: hasNull, negated: negated, b.count)
        case .like(let a, let pattern, let negated):
            return stringTest(try evaluate(a, b), b.count) { pattern.matches(utf8: $0) != negated }
        case .cast(let a, let type):
            return try cast(try evaluate(a, b), to: type, e, b.count)
        case .caseWhen(let whens, let otherwise):
            return try caseWhen(whens, otherwise, e.type, b)
        case .function(let f, let args):
            var vs: [Vector] = []
            for a in args { vs.append(try evaluate(a, b)) }
            return try f.evaluate(vs, e, b.count)
        }
    }

    // MARK: - Operands and validity

    static func ints(_ v: Vector) -> Operand<Int64> {
        switch v.storage {
        case .int64(let a): return .array(a)
        case .constant(.int(let x)), .constant(.timestamp(let x)): return .scalar(x)
        // Only integral, in-range doubles reach here (the binder casts); anything else is 0, not a trap.
        case .constant(.double(let x)): return .scalar(Int64(exactly: x.rounded(.towardZero)) ?? 0)
        case .bool(let a): return .array(a.map { $0 ? 1 : 0 })
        default: return .scalar(0)
        }
    }

    static func doubles(_ v: Vector) -> Operand<Double> {
        switch v.storage {
        case .float64(let a): return .array(a)
        case .int64(let a): return .array(a.map(Double.init))
        case .constant(.double(let x)): return .scalar(x)
        case .constant(.int(let x)): return .scalar(Double(x))
        default: return .scalar(0)
        }
    }

    /// A BOOLEAN vector's values as a bitmap of `count` bits (a constant repeated; false for
    /// other storage). A NULL row's bit is a placeholder: combine with `validityBits`.
    static func bits(_ v: Vector, _ count: Int) -> Bitmap {
        switch v.storage {
        case .bool(let a): return a
        case .constant(.bool(let x)): return Bitmap(count: count, value: x)
        default: return Bitmap(count: count, value: false)
        }
    }

    /// The vector's validity as a bitmap of `count` bits (all set when no row is null, none for
    /// a NULL constant).
    static func validityBits(_ v: Vector, _ count: Int) -> Bitmap {
        if isNullConstant(v) { return Bitmap(count: count, value: false) }
        return v.validity ?? Bitmap(count: count, value: true)
    }

    static func intervals(_ v: Vector) -> Operand<Interval> {
        switch v.storage {
        case .interval(let a): return .array(a)
        // A stored duration's nanoseconds, read as intervals here, where they are used.
        case .int64(let a): return .array(a.map(Interval.init(durationNanos:)))
        case .constant(.interval(let x)): return .scalar(x)
        default: return .scalar(Interval())
        }
    }

    /// An INTERVAL vector's lengths in nanoseconds when it has them without a conversion: a stored
    /// duration's int64 slots, or a constant without months whose length fits Int64; nil otherwise.
    static func fixedNanos(_ v: Vector) -> Operand<Int64>? {
        switch v.storage {
        case .int64(let a): return .array(a)
        case .constant(.interval(let x)): return x.fixedNanos.map { .scalar($0) }
        default: return nil
        }
    }

    static func isNullConstant(_ v: Vector) -> Bool {
        if case .constant(.null) = v.storage { return true }
        return false
    }

    /// The AND of the operands' validities (nil = all valid).
    static func validity(_ vs: [Vector]) -> Bitmap? {
        var out: Bitmap?
        for v in vs {
            guard let b = v.validity else { continue }
            if var o = out {
                for w in 0..<o.words.count { o.words[w] &= b.words[w] }
                out = o
            } else {
                out = b
            }
        }
        return out
    }

    /// Whether every operand is a constant (so the result is too).
    static func allConstant(_ vs: [Vector]) -> Bool {
        vs.allSatisfy { if case .constant = $0.storage { return true } else { return false } }
    }

    /// A result vector, collapsed to a constant when every input was constant.
    static func result(_ type: SQLType, _ storage: ColumnLayout, _ inputs: [Vector], _ count: Int) -> Vector {
        var v = Vector(type: type, storage: storage, validity: validity(inputs), count: count)
        if allConstant(inputs) && count > 0 { v = .constant(v.datum(0), type: type, count: count) }
        return v
    }

    /// Applies `f` to every string value as a Swift `String` (dictionary entries once), producing
    /// values of `resultType`. For functions that need a `String` (Unicode case mapping, character
    /// counts); byte-wise kernels use `stringTest` and `mapStrings`.
    static func strings(_ v: Vector, _ count: Int, resultType: SQLType, _ f: (String) -> Datum) throws(QueryError) -> Vector {
        switch v.storage {
        case .constant(.string(let s)): return .constant(f(s), type: resultType, count: count)
        case .constant: return .constant(.null, type: resultType, count: count)
        case .dictionary(let entries, let idx):
            let mapped = (0..<entries.count).map { f(entries[$0]) }
            if resultType == .string {
                let e: StringArray
                do { e = try StringArray(mapped.map { if case .string(let s) = $0 { return s } else { return "" } }) } catch {
                    throw .stringsTooLarge(error, in: "a string function's dictionary")
                }
                return Vector(type: .string, storage: .dictionary(entries: e, indices: idx), validity: v.validity, count: count)
            }
            // Per-entry results spread to rows through the indices; an entry whose result is NULL
            // (e.g. `x IN ('a', NULL)`) clears the rows that use it.
            let entryNull = mapped.map { $0 == .null }
            var valid = v.validity
            if entryNull.contains(true) {
                var b = v.validity ?? Bitmap(count: count, value: true)
                for r in 0..<count where entryNull[Int(idx[r])] { b[r] = false }
                valid = b
            }
            switch resultType {
            case .bool:
                let e = mapped.map { $0 == .bool(true) }
                let rows = e.withUnsafeBufferPointer { ep in idx.withUnsafeBufferPointer { ip in Bitmap(count: count) { ep[Int(ip[$0])] } } }
                return Vector(type: .bool, storage: .bool(rows), validity: valid, count: count)
            case .int:
                let e = mapped.map { d -> Int64 in if case .int(let x) = d { return x } else { return 0 } }
                let rows = e.withUnsafeBufferPointer { ep in idx.map { ep[Int($0)] } }
                return Vector(type: .int, storage: .int64(rows), validity: valid, count: count)
            default:
                var out = VectorBuilder(type: resultType)
                for i in idx { out.append(mapped[Int(i)]) }
                var r = try out.build()
                r.validity = validity([v, r])
                return r
            }
        case .strings(let a):
            var out = VectorBuilder(type: resultType)
            for i in 0..<count { out.append(v.isNull(i) ? .null : f(a[i])) }
            return try out.build()
        default:
            return .constant(.null, type: resultType, count: count)
        }
    }

    /// A BOOLEAN vector of `test` over every string value's UTF-8 bytes (dictionary entries once,
    /// then spread through the indices); NULL rows stay NULL.
    static func stringTest(_ v: Vector, _ count: Int, _ test: (UnsafeRawBufferPointer) -> Bool) -> Vector {
        switch v.storage {
        case .constant(.string(var s)):
            return .constant(.bool(s.withUTF8 { test(UnsafeRawBufferPointer($0)) }), type: .bool, count: count)
        case .dictionary(let entries, let idx):
            let e = (0..<entries.count).map { entries.withUTF8($0, test) }
            let rows = e.withUnsafeBufferPointer { ep in idx.withUnsafeBufferPointer { ip in Bitmap(count: count) { ep[Int(ip[$0])] } } }
            return Vector(type: .bool, storage: .bool(rows), validity: v.validity, count: count)
        case .strings(let a):
            let rows = a.bytes.withUnsafeBytes { all in
                a.offsets.withUnsafeBufferPointer { o in
                    Bitmap(count: count) { i in test(UnsafeRawBufferPointer(rebasing: all[Int(o[i])..<Int(o[i + 1])])) }
                }
            }
            return Vector(type: .bool, storage: .bool(rows), validity: v.validity, count: count)
        default:
            return .constant(.null, type: .bool, count: count)
        }
    }

    /// A VARCHAR vector of `transform` over every string value's UTF-8 bytes (dictionary entries
    /// once, kept a dictionary); `transform` appends the result's bytes to its second argument.
    static func mapStrings(_ v: Vector, _ count: Int, _ transform: (UnsafeRawBufferPointer, inout [UInt8]) -> Void) throws(QueryError) -> Vector {
        func apply(_ a: StringArray, _ n: Int) throws(QueryError) -> StringArray {
            var out = StringArray()
            out.offsets.reserveCapacity(n + 1)
            out.bytes.reserveCapacity(a.bytes.count)
            for i in 0..<n { try out.appendString(in: "a string function") { bytes in a.withUTF8(i) { transform($0, &bytes) } } }
            return out
        }
        switch v.storage {
        case .constant(.string(let s)):
            let r = try apply(try StringArray.one(s), 1)
            return .constant(.string(r[0]), type: .string, count: count)
        case .dictionary(let entries, let idx):
            return Vector(type: .string, storage: .dictionary(entries: try apply(entries, entries.count), indices: idx), validity: v.validity, count: count)
        case .strings(let a):
            return Vector(type: .string, storage: .strings(try apply(a, count)), validity: v.validity, count: count)
        default:
            return .constant(.null, type: .string, count: count)
        }
    }

    // MARK: - Logic

    static func logic(_ a: Vector, _ b: Vector, isAnd: Bool, _ count: Int) -> Vector {
        // Three-valued: for AND, false wins over NULL; for OR, true wins over NULL.
        let dominant = !isAnd
        if allConstant([a, b]) {
            let x = a.datum(0), y = b.datum(0)
            if x == .bool(dominant) || y == .bool(dominant) { return .constant(.bool(dominant), type: .bool, count: count) }
            if x == .null || y == .null { return .constant(.null, type: .bool, count: count) }
            return .constant(.bool(!dominant), type: .bool, count: count)
        }
        let x = bits(a, count), y = bits(b, count)
        if !a.mayHaveNulls && !b.mayHaveNulls { return Vector(type: .bool, storage: .bool(isAnd ? x & y : x | y), count: count) }
        // Word by word: a row is known when both sides are, or when one side is the dominant
        // value (valid and false for AND, valid and true for OR), which is then the answer.
        let va = validityBits(a, count), vb = validityBits(b, count)
        let domA = isAnd ? va & ~x : va & x, domB = isAnd ? vb & ~y : vb & y
        let known = (va & vb) | domA | domB
        let values = isAnd ? (x & va) & (y & vb) : domA | domB
        return Vector(type: .bool, storage: .bool(values), validity: known, count: count)
    }

    // MARK: - Comparison

    static func compare(_ op: BinaryOp, _ a: Vector, _ b: Vector, _ count: Int) -> Vector {
        if isNullConstant(a) || isNullConstant(b) { return .constant(.null, type: .bool, count: count) }
        func test(_ c: Int) -> Bool {
            switch op {
            case .eq: return c == 0
            case .ne: return c != 0
            case .lt: return c < 0
            case .le: return c <= 0
            case .gt: return c > 0
            default: return c >= 0
            }
        }
        let values: Bitmap
        switch a.type {
        case .int, .timestamp:
            let x = ints(a), y = ints(b)
            switch op {
            case .eq: values = mapBits2(x, y, count) { $0 == $1 }
            case .ne: values = mapBits2(x, y, count) { $0 != $1 }
            case .lt: values = mapBits2(x, y, count) { $0 < $1 }
            case .le: values = mapBits2(x, y, count) { $0 <= $1 }
            case .gt: values = mapBits2(x, y, count) { $0 > $1 }
            default: values = mapBits2(x, y, count) { $0 >= $1 }
            }
        case .double:
            // DuckDB orders NaN above every number and equal to itself.
            let x = doubles(a), y = doubles(b)
            switch op {
            case .eq: values = mapBits2(x, y, count) { $0 == $1 || ($0.isNaN && $1.isNaN) }
            case .ne: values = mapBits2(x, y, count) { !($0 == $1 || ($0.isNaN && $1.isNaN)) }
            case .lt: values = mapBits2(x, y, count) { $0 < $1 || (!$0.isNaN && $1.isNaN) }
            case .le: values = mapBits2(x, y, count) { $0 <= $1 || $1.isNaN }
            case .gt: values = mapBits2(x, y, count) { $0 > $1 || ($0.isNaN && !$1.isNaN) }
            default: values = mapBits2(x, y, count) { $0 >= $1 || $0.isNaN }
            }
        case .bool:
            // Word-wise, false < true.
            let x = bits(a, count), y = bits(b, count)
            switch op {
            case .eq: values = ~(x.combined(with: y, ^))
            case .ne: values = x.combined(with: y, ^)
            case .lt: values = ~x & y
            case .le: values = ~x | y
            case .gt: values = x & ~y
            default: values = x | ~y
            }
        case .interval:
            if let x = fixedNanos(a), let y = fixedNanos(b) {
                // Stored durations against fixed-length intervals: their nanoseconds compare as the
                // intervals do (`compareIntervals` orders by that length), with no interval made.
                values = mapBits2(x, y, count) { test($0 < $1 ? -1 : ($0 == $1 ? 0 : 1)) }
            } else {
                values = mapBits2(intervals(a), intervals(b), count) { test(compareIntervals($0, $1)) }
            }
        case .string:
            return compareStrings(op, a, b, count, test)
        case .null:
            return .constant(.null, type: .bool, count: count)
        }
        return result(.bool, .bool(values), [a, b], count)
    }

    static func compareIntervals(_ a: Interval, _ b: Interval) -> Int {
        // DuckDB normalises months as 30 days for ordering.
        // In Int128: no product or sum of three Int64 fields can overflow it.
        func flat(_ i: Interval) -> Int128 { (Int128(i.months) * 30 + Int128(i.days)) * Int128(Interval.nanosPerDay) + Int128(i.nanos) }
        let x = flat(a), y = flat(b)
        return x < y ? -1 : (x == y ? 0 : 1)
    }

    private static func compareStrings(_ op: BinaryOp, _ a: Vector, _ b: Vector, _ count: Int, _ test: (Int) -> Bool) -> Vector {
        // Constant on one side: compare bytes, once per dictionary entry.
        if case .constant(.string(var k)) = b.storage {
            return k.withUTF8 { kb in stringTest(a, count) { test(StringArray.compare($0, UnsafeRawBufferPointer(kb))) } }
        }
        if case .constant(.string(var k)) = a.storage {
            return k.withUTF8 { kb in stringTest(b, count) { test(StringArray.compare(UnsafeRawBufferPointer(kb), $0)) } }
        }
        var values = Bitmap(count: count, value: false)
        let x = a.materialized(), y = b.materialized()
        for i in 0..<count where !x.isNull(i) && !y.isNull(i) {
            values[i] = x.withUTF8(i) { p in y.withUTF8(i) { q in test(StringArray.compare(p, q)) } }
        }
        return Vector(type: .bool, storage: .bool(values), validity: validity([a, b]), count: count)
    }

    // MARK: - IN

    static func inList(_ v: Vector, _ set: Set<Datum>, hasNull: Bool, negated: Bool, _ count: Int) -> Vector {
        func decide(_ found: Bool) -> Datum {
            if found { return .bool(!negated) }
            return hasNull ? .null : .bool(negated)
        }
        switch v.type {
        case .string:
            var members = ByteDictionary()
            for case .string(let s) in set { _ = members.index(of: s) }
            let found = stringTest(v, count) { members.firstIndex(of: $0) != nil }
            guard hasNull || negated, case .bool(let f) = found.storage else { return found }
            // Not found is NULL when the list holds a NULL (SQL), else the negation.
            var valid = found.validity ?? Bitmap(count: count, value: true)
            var anyNull = found.validity != nil
            if hasNull { for i in 0..<count where !f[i] { valid[i] = false; anyNull = true } }
            let values = negated ? ~f : f
            return Vector(type: .bool, storage: .bool(values), validity: anyNull ? valid : nil, count: count)
        case .int, .timestamp:
            let ints = Set(set.compactMap { d -> Int64? in
                if case .int(let x) = d { return x }
                if case .timestamp(let x) = d { return x }
                return nil
            })
            return member(v, count, hasNull: hasNull, negated: negated) { ints.contains(Self.ints(v).at($0)) }
        default:
            return member(v, count, hasNull: hasNull, negated: negated) { set.contains(v.datum($0)) }
        }
    }

    private static func member(_ v: Vector, _ count: Int, hasNull: Bool, negated: Bool, _ contains: (Int) -> Bool) -> Vector {
        if isNullConstant(v) { return .constant(.null, type: .bool, count: count) }
        var values = Bitmap(count: count, value: false)
        var valid = v.validity ?? Bitmap(count: count, value: true)
        var anyNull = v.validity != nil
        for i in 0..<count where !v.isNull(i) {
            if contains(i) { values[i] = !negated } else if hasNull { valid[i] = false; anyNull = true } else { values[i] = negated }
        }
        return Vector(type: .bool, storage: .bool(values), validity: anyNull ? valid : nil, count: count)
    }

    // MARK: - Arithmetic

    static func negate(_ v: Vector, _ e: BoundExpr) throws(QueryError) -> Vector {
        switch v.type {
        case .int:
            let x = ints(v)
            if case .array(let a) = x, let i = a.indices.first(where: { a[$0] == .min && !v.isNull($0) }) {
                _ = i
                throw QueryError(.execution, "integer overflow negating \(Int64.min)", at: e.position)
            }
            if case .scalar(let s) = x, s == .min, !isNullConstant(v) { throw QueryError(.execution, "integer overflow negating \(Int64.min)", at: e.position) }
            // Safe: a non-NULL Int64.min was refused above; a NULL row's value is never shown.
            return result(.int, .int64(map1(x, v.count) { 0 &- $0 }), [v], v.count)
        case .double:
            return result(.double, .float64(map1(doubles(v), v.count) { -$0 }), [v], v.count)
        case .interval:
            let values = try partial(intervals(v), Operand<Int64>.scalar(0), [v], v.count, e, zero: Interval(),
                                     failure: { i, _ in "interval overflow negating INTERVAL '\(i)'" }) { i, _ in
                Interval(months: Int64(exactly: -Int128(i.months)), days: Int64(exactly: -Int128(i.days)), nanos: Int64(exactly: -Int128(i.nanos)))
            }
            return result(.interval, .interval(values), [v], v.count)
        default:
            return .constant(.null, type: e.type, count: v.count)
        }
    }

    static func arithmetic(_ op: BinaryOp, _ a: Vector, _ b: Vector, _ e: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        if isNullConstant(a) || isNullConstant(b) { return .constant(.null, type: e.type, count: count) }
        let inputs = [a, b]
        switch (a.type, b.type) {
        case (.int, .int):
            let x = ints(a), y = ints(b)
            switch op {
            case .divide:
                return result(.double, .float64(map2(x, y, count) { Double($0) / Double($1) }), inputs, count)
            case .add, .subtract, .multiply:
                var overflow = false
                let values: [Int64] = map2(x, y, count) { p, q in
                    let (r, o) = op == .add ? p.addingReportingOverflow(q) : op == .subtract ? p.subtractingReportingOverflow(q) : p.multipliedReportingOverflow(by: q)
                    if o { overflow = true }
                    return r
                }
                let r = result(.int, .int64(values), inputs, count)
                if overflow { try checkOverflow(op, x, y, r, e) }
                return r
            default:   // // and %
                let valid = validity(inputs)
                var failure: QueryError?
                // x % -1 is 0 for every x (Int64.min included, as DuckDB); x // -1 overflows for
                // Int64.min only.
                func fails(_ p: Int64, _ q: Int64) -> Bool { q == 0 || (op == .intDivide && q == -1 && p == .min) }
                let values: [Int64] = map2(x, y, count) { p, q in
                    if fails(p, q) {
                        if failure == nil { failure = QueryError(.execution, q == 0 ? "division by zero" : "integer overflow in \(p) \(op.rawValue) \(q)", at: e.position) }
                        return 0
                    }
                    if q == -1 { return op == .intDivide ? 0 &- p : 0 }   // p ≠ Int64.min when dividing
                    return op == .intDivide ? p / q : p % q
                }
                if let failure {
                    // Only rows that are not NULL count.
                    let bad = (0..<count).contains { i in (valid.map { $0[i] } ?? true) && fails(x.at(i), y.at(i)) }
                    if bad { throw failure }
                }
                return result(.int, .int64(values), inputs, count)
            }
        case (.double, .double):
            let x = doubles(a), y = doubles(b)
            let values: [Double]
            switch op {
            case .add: values = map2(x, y, count, +)
            case .subtract: values = map2(x, y, count, -)
            case .multiply: values = map2(x, y, count, *)
            case .divide: values = map2(x, y, count, /)
            case .intDivide: values = map2(x, y, count, /)   // DuckDB: `//` on DOUBLE is plain division
            default: values = map2(x, y, count) { $0.truncatingRemainder(dividingBy: $1) }
            }
            return result(.double, .float64(values), inputs, count)
        case (.timestamp, .interval):
            let sign: Int64 = op == .subtract ? -1 : 1
            let values = try partial(ints(a), intervals(b), inputs, count, e, zero: Int64(0),
                                     failure: { t, i in CalendarMath.outOfRange("\(Datum.timestamp(t).sqlLiteral) \(op.rawValue) \(Datum.interval(i).sqlLiteral)") }) { t, i in
                CalendarMath.add(t, i, sign: sign)
            }
            return result(.timestamp, .int64(values), inputs, count)
        case (.timestamp, .timestamp):
            // The difference of two timestamps can exceed Int64 nanoseconds (2262 − 1677), never
            // Int64 days: split it in Int128.
            let values = map2(ints(a), ints(b), count) { p, q -> Interval in
                let d = Int128(p) - Int128(q), day = Int128(Interval.nanosPerDay)
                return Interval(days: Int64(d / day), nanos: Int64(d % day))
            }
            return result(.interval, .interval(values), inputs, count)
        case (.interval, .interval):
            let sign: Int64 = op == .subtract ? -1 : 1
            let values = try partial(intervals(a), intervals(b), inputs, count, e, zero: Interval(),
                                     failure: { x, y in "interval overflow in INTERVAL '\(x)' \(op.rawValue) INTERVAL '\(y)'" }) { x, y in
                Interval(months: Int64(exactly: Int128(x.months) + Int128(sign) * Int128(y.months)),
                         days: Int64(exactly: Int128(x.days) + Int128(sign) * Int128(y.days)),
                         nanos: Int64(exactly: Int128(x.nanos) + Int128(sign) * Int128(y.nanos)))
            }
            return result(.interval, .interval(values), inputs, count)
        case (.interval, .int):
            let values = try partial(intervals(a), ints(b), inputs, count, e, zero: Interval(),
                                     failure: { i, k in "interval overflow in INTERVAL '\(i)' \(op.rawValue) \(k)" }) { i, k -> Interval? in
                if op == .multiply {
                    return Interval(months: Int64(exactly: Int128(i.months) * Int128(k)), days: Int64(exactly: Int128(i.days) * Int128(k)),
                                    nanos: Int64(exactly: Int128(i.nanos) * Int128(k)))
                }
                guard k != 0 else { return Interval() }
                return Interval(months: Int64(exactly: Int128(i.months) / Int128(k)), days: Int64(exactly: Int128(i.days) / Int128(k)),
                                nanos: Int64(exactly: Int128(i.nanos) / Int128(k)))
            }
            return result(.interval, .interval(values), inputs, count)
        case (.string, .string):
            let x = a.materialized(), y = b.materialized()
            var out = StringArray()
            out.offsets.reserveCapacity(count + 1)
            for i in 0..<count {
                try out.appendString(in: "||") { bytes in
                    x.withUTF8(i) { bytes.append(contentsOf: $0) }
                    y.withUTF8(i) { bytes.append(contentsOf: $0) }
                }
            }
            return result(.string, .strings(out), inputs, count)
        default:
            throw QueryError(.execution, "cannot apply \(op.rawValue) to \(a.type) and \(b.type)", at: e.position)
        }
    }

    /// Throws when an overflow happened on a row that is not NULL.
    private static func checkOverflow(_ op: BinaryOp, _ x: Operand<Int64>, _ y: Operand<Int64>, _ r: Vector, _ e: BoundExpr) throws(QueryError) {
        for i in 0..<r.count where !r.isNull(i) {
            let p = x.at(i), q = y.at(i)
            let o = op == .add ? p.addingReportingOverflow(q).overflow : op == .subtract ? p.subtractingReportingOverflow(q).overflow : p.multipliedReportingOverflow(by: q).overflow
            if o { throw QueryError(.execution, "integer overflow in \(p) \(op.rawValue) \(q) (cast to DOUBLE to avoid it)", at: e.position) }
        }
    }
}

extension Operand {
    /// The element for row `i`.
    @inline(__always) func at(_ i: Int) -> T {
        switch self {
        case .scalar(let s): return s
        case .array(let a): return a[i]
        }
    }
}

extension Vector {
    /// Calls `body` with the UTF-8 bytes of row `i` of a string vector (empty for other storage).
    @inline(__always) func withUTF8<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        switch storage {
        case .strings(let a): return a.withUTF8(i, body)
        case .dictionary(let e, let idx): return e.withUTF8(Int(idx[i]), body)
        case .constant(.string(var s)): return s.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        default: return body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    /// Row `i` of a string vector as a Swift `String` (materialised or dictionary).
    func stringAt(_ i: Int) -> String {
        switch storage {
        case .strings(let a): return a[i]
        case .dictionary(let e, let idx): return e[Int(idx[i])]
        case .constant(.string(let s)): return s
        default: return ""
        }
    }

    /// Row `i` of a boolean vector (false for other storage).
    func datumBool(_ i: Int) -> Bool {
        switch storage {
        case .bool(let a): return a[i]
        case .constant(.bool(let b)): return b
        default: return false
        }
    }
}
