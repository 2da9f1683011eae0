import Foundation
import TapeCodec

extension Evaluator {
    static func function(_ f: ScalarFunction, _ a: [Vector], _ e: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        switch f {
        case .coalesce: return try coalesce(a, e.type, count)
        case .greatest, .least: return try extreme(f == .greatest, a, e.type, count)
        case .notDistinct: return notDistinct(a[0], a[1], count)
        case .concat:
            let m = a.map { $0.materialized() }
            var out = StringArray()
            out.offsets.reserveCapacity(count + 1)
            for i in 0..<count {
                try out.appendString(in: "concat()") { bytes in for v in m where !v.isNull(i) { v.withUTF8(i) { bytes.append(contentsOf: $0) } } }
            }
            return result(.string, .string(out), a, count).withValidity(nil)
        default: break
        }
        if a.contains(where: isNullConstant) { return .constant(.null, type: e.type, count: count) }
        switch f {
        case .abs:
            if e.type == .int {
                let x = ints(a[0])
                if (0..<count).contains(where: { x.at($0) == .min && !a[0].isNull($0) }) {
                    throw QueryError(.execution, "integer overflow in abs(\(Int64.min))", at: e.position)
                }
                return result(.int, .int(map1(x, count) { $0 == .min ? 0 : Swift.abs($0) }), a, count)
            }
            return result(.double, .double(map1(doubles(a[0]), count) { Swift.abs($0) }), a, count)
        case .sign:
            if a[0].type == .int { return result(.int, .int(map1(ints(a[0]), count) { $0.signum() }), a, count) }
            return result(.int, .int(map1(doubles(a[0]), count) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }), a, count)
        case .round:
            let digits = a.count > 1 ? ints(a[1]) : .scalar(0)
            if e.type == .int {
                let x = ints(a[0])
                var out = [Int64](repeating: 0, count: count)
                for i in 0..<count where !a[0].isNull(i) && !(a.count > 1 && a[1].isNull(i)) {
                    guard let r = DecimalRounding.round(x.at(i), digits: digits.at(i)) else {
                        throw QueryError(.execution, "integer overflow in round(\(x.at(i)), \(digits.at(i)))", at: e.position)
                    }
                    out[i] = r
                }
                return result(.int, .int(out), a, count)
            }
            return result(.double, .double(map2(doubles(a[0]), digits, count) { DecimalRounding.round($0, digits: $1) }), a, count)
        case .floor, .ceil:
            if e.type == .int { return a[0] }
            let rule: FloatingPointRoundingRule = f == .floor ? .down : .up
            return result(.double, .double(map1(doubles(a[0]), count) { $0.rounded(rule) }), a, count)
        case .sqrt, .ln, .log10, .log2, .exp:
            let op: (Double) -> Double
            switch f {
            case .sqrt: op = Foundation.sqrt
            case .ln: op = Foundation.log
            case .log10: op = Foundation.log10
            case .log2: op = Foundation.log2
            default: op = Foundation.exp
            }
            // IEEE results, as DuckDB 2: sqrt and the logarithms of a negative number are NaN, of
            // zero -inf.
            return result(.double, .double(map1(doubles(a[0]), count, op)), a, count)
        case .power:
            return result(.double, .double(map2(doubles(a[0]), doubles(a[1]), count) { Foundation.pow($0, $1) }), a, count)
        case .nullif:
            let eq = compare(.eq, a[0], a[1], count)
            var v = a[0].materialized()
            var valid = v.validity ?? Bitmap(count: count, value: true)
            var any = v.validity != nil
            for i in 0..<count where !eq.isNull(i) && eq.datumBool(i) { valid[i] = false; any = true }
            v.validity = any ? valid : nil
            return v
        case .lower, .upper: return try caseMapped(a[0], count, upper: f == .upper)
        case .trim: return try trimmed(a[0], count)
        case .length: return try strings(a[0], count, resultType: .int) { .int(Int64($0.count)) }
        case .replace:
            guard case .constant(.string(let from)) = a[1].storage, case .constant(.string(let to)) = a[2].storage else {
                let m = a.map { $0.materialized() }
                var out = VectorBuilder(type: .string)
                for i in 0..<count {
                    out.append(m.contains { $0.isNull(i) } ? .null : .string(from_(m[0].stringAt(i), m[1].stringAt(i), m[2].stringAt(i))))
                }
                return try out.build()
            }
            return try strings(a[0], count, resultType: .string) { .string(from_($0, from, to)) }
        case .substr:
            let m = a.map { $0.materialized() }
            var out = VectorBuilder(type: .string)
            for i in 0..<count {
                if m.contains(where: { $0.isNull(i) }) { out.append(.null); continue }
                let chars = Array(m[0].stringAt(i))
                let r = substringRange(count: chars.count, start: ints(m[1]).at(i), length: m.count > 2 ? ints(m[2]).at(i) : nil)
                out.append(.string(String(chars[r])))
            }
            return try out.build()
        case .timeBucket:
            guard case .constant(.interval(let width)) = a[0].storage else { return .constant(.null, type: .timestamp, count: count) }
            if let problem = CalendarMath.bucketWidthProblem(width) {
                throw QueryError(.execution, "time_bucket(): \(problem) (got INTERVAL '\(width)')", at: e.position)
            }
            var origin: Int64?
            if a.count > 2 {
                guard case .constant(.timestamp(let o)) = a[2].storage else {
                    throw QueryError(.execution, "time_bucket() origin must be a constant", at: e.position)
                }
                origin = o
            }
            return try timestamps(a[1], count, e, { "time_bucket(INTERVAL '\(width)', \(Datum.timestamp($0)))" }) {
                CalendarMath.bucket($0, width: width, origin: origin)
            }
        case .dateTrunc:
            guard case .constant(.string(let p)) = a[0].storage, let unit = CalendarMath.TruncUnit(p.lowercased()) else {
                throw QueryError(.execution, "date_trunc() needs a constant unit", at: e.position)
            }
            if case .nanos(let n) = unit {
                // Fixed-width units, vectorised: only a value within n of Int64.min can overflow,
                // and then the checked path below names it.
                var overflow = false
                let out = map1(ints(a[1]), count) { t -> Int64 in
                    let (r, o) = CalendarMath.floorDiv(t, n).multipliedReportingOverflow(by: n)
                    overflow = overflow || o
                    return r
                }
                if !overflow { return result(.timestamp, .int(out), [a[1]], count) }
            }
            return try timestamps(a[1], count, e, { "date_trunc('\(p)', \(Datum.timestamp($0)))" }) { CalendarMath.trunc($0, unit) }
        case .datePart:
            guard case .constant(.string(let p)) = a[0].storage, let part = CalendarMath.Part(p.lowercased()) else {
                throw QueryError(.execution, "date_part() needs a constant part name", at: e.position)
            }
            if part == .epoch { return result(.double, .double(map1(ints(a[1]), count) { Double($0) / 1e9 }), [a[1]], count) }
            return result(.int, .int(map1(ints(a[1]), count) { CalendarMath.part($0, part) }), [a[1]], count)
        case .epoch:
            return result(.double, .double(map1(ints(a[0]), count) { Double($0) / 1e9 }), a, count)
        case .epochMs:
            // Rounded half away from zero, as DuckDB (which converts its microseconds so).
            return result(.int, .int(map1(ints(a[0]), count) { ns in
                let q = ns / 1_000_000, r = ns % 1_000_000
                return r >= 500_000 ? q + 1 : (r <= -500_000 ? q - 1 : q)
            }), a, count)
        case .toTimestamp:
            let x = doubles(a[0])
            if (0..<count).contains(where: { !a[0].isNull($0) && !(x.at($0).magnitude < 9.2e9) }) {
                throw QueryError(.execution, "to_timestamp() value out of range", at: e.position)
            }
            return result(.timestamp, .int(map1(x, count) { Int64(($0 * 1e9).rounded()) }), a, count)
        case .coalesce, .notDistinct, .concat, .greatest, .least:
            return .constant(.null, type: e.type, count: count)   // handled above
        }
    }

    private static func from_(_ s: String, _ a: String, _ b: String) -> String {
        a.isEmpty ? s : s.replacingOccurrences(of: a, with: b)
    }

    /// greatest/least: the largest (smallest) non-NULL argument per row in `Datum.compare`'s order
    /// (NaN above every number); NULL arguments are skipped and only all-NULL gives NULL (DuckDB).
    static func extreme(_ greatest: Bool, _ a: [Vector], _ type: SQLType, _ count: Int) throws(QueryError) -> Vector {
        let m = a.filter { !isNullConstant($0) }.map { $0.materialized() }
        var out = VectorBuilder(type: type)
        for i in 0..<count {
            var best: Datum = .null
            for v in m where !v.isNull(i) {
                let d = v.datum(i)
                if best == .null { best = d; continue }
                let c = Datum.compare(d, best)
                if greatest ? c > 0 : c < 0 { best = d }
            }
            out.append(best)
        }
        return try out.build()
    }

    /// substr(s, start, length) over `count` characters, as DuckDB: positions are 1-based, start 0
    /// is the position before the first character, a negative start counts from the end, a
    /// negative length takes the characters before start; the range is clamped to the string.
    /// Computed in Int128, so no start or length overflows.
    static func substringRange(count: Int, start: Int64, length: Int64?) -> Range<Int> {
        let n = Int128(count)
        var lo = start > 0 ? Int128(start) - 1 : (start < 0 ? n + Int128(start) : -1)
        var hi = length.map { lo + Int128($0) } ?? n
        if hi < lo { swap(&lo, &hi) }
        let clamp = { (x: Int128) -> Int in Int(max(0, min(n, x))) }
        return clamp(lo)..<clamp(hi)
    }

    /// The first non-NULL argument per row.
    static func coalesce(_ a: [Vector], _ type: SQLType, _ count: Int) throws(QueryError) -> Vector {
        if let first = a.first(where: { !isNullConstant($0) }), !first.mayHaveNulls { return first }
        var pieces: [(rows: [Int32], values: Vector)] = []
        var remaining = (0..<Int32(count)).map { $0 }
        for v in a where !remaining.isEmpty && !isNullConstant(v) {
            let take = remaining.filter { !v.isNull(Int($0)) }
            if !take.isEmpty { pieces.append((take, v.materialized().gather(take))) }
            remaining = remaining.filter { v.isNull(Int($0)) }
        }
        if !remaining.isEmpty { pieces.append((remaining, .constant(.null, type: type, count: remaining.count))) }
        return try scatter(pieces, type, count)
    }

    static func notDistinct(_ a: Vector, _ b: Vector, _ count: Int) -> Vector {
        let eq = compare(.eq, a, b, count)
        var values = [Bool](repeating: false, count: count)
        for i in 0..<count {
            let an = a.isNull(i), bn = b.isNull(i)
            values[i] = an || bn ? (an && bn) : eq.datumBool(i)
        }
        return Vector(type: .bool, storage: .bool(values), count: count)
    }
}

extension Vector {
    func withValidity(_ v: Bitmap?) -> Vector {
        var c = self
        c.validity = v
        return c
    }
}
