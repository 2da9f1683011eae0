import Foundation
import TapeFormat

extension Evaluator {
    /// CAST semantics (DuckDB's where they differ from Swift's): DOUBLE → BIGINT rounds half away
    /// from zero and fails when out of range; strings parse strictly and fail with the value named.
    static func cast(_ v: Vector, to type: SQLType, _ e: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        if v.type == type { return v }
        if isNullConstant(v) { return .constant(.null, type: type, count: count) }
        switch (v.type, type) {
        case (.int, .double):
            return result(.double, .float64(map1(ints(v), count) { Double($0) }), [v], count)
        case (.double, .int):
            var bad: Double?
            let values = map1(doubles(v), count) { d -> Int64 in
                let r = d.rounded(.toNearestOrAwayFromZero)
                guard r.isFinite, r >= -9.223372036854775808e18, r < 9.223372036854775808e18 else { bad = d; return 0 }
                return Int64(r)
            }
            let out = result(.int, .int64(values), [v], count)
            if let bad, (0..<count).contains(where: { !v.isNull($0) && !(doubles(v).at($0).rounded(.toNearestOrAwayFromZero).magnitude < 9.223372036854775808e18) }) {
                throw QueryError(.execution, "cannot convert \(bad) to BIGINT (out of range)", at: e.position)
            }
            return out
        case (.bool, .int):
            return result(.int, .int64(bits(v, count).map { $0 ? 1 : 0 }), [v], count)
        case (.bool, .double):
            return result(.double, .float64(bits(v, count).map { $0 ? 1 : 0 }), [v], count)
        case (.int, .bool):
            return result(.bool, .bool(mapBits1(ints(v), count) { $0 != 0 }), [v], count)
        case (.double, .bool):
            return result(.bool, .bool(mapBits1(doubles(v), count) { $0 != 0 }), [v], count)
        case (.timestamp, .int), (.int, .timestamp):
            var r = v
            r.type = type
            if case .constant(let d) = v.storage {
                if case .int(let x) = d { r.storage = .constant(.timestamp(x)) }
                if case .timestamp(let x) = d { r.storage = .constant(.int(x)) }
            }
            return r
        case (_, .string):
            return try toStrings(v, count)
        case (.string, _):
            var failure: String?
            let r = try strings(v, count, resultType: type) { s -> Datum in
                if let d = parse(s, as: type) { return d }
                if failure == nil { failure = s }
                return .null
            }
            if let failure { throw QueryError(.execution, "cannot convert '\(failure)' to \(type)", at: e.position) }
            return r
        default:
            throw QueryError(.execution, "cannot convert \(v.type) to \(type)", at: e.position)
        }
    }

    /// Parses a string as a value of `type` (nil when it does not parse).
    static func parse(_ raw: String, as type: SQLType) -> Datum? {
        let s = raw.trimmingCharacters(in: .whitespaces)
        switch type {
        case .int:
            if let v = Int64(s) { return .int(v) }
            if let d = Double(s), d.isFinite, d.magnitude < 9.2e18 { return .int(Int64(d.rounded(.toNearestOrAwayFromZero))) }
            return nil
        case .double: return Double(s).map(Datum.double)
        case .bool:
            switch s.lowercased() {
            case "true", "t", "1", "yes", "y": return .bool(true)
            case "false", "f", "0", "no", "n": return .bool(false)
            default: return nil
            }
        case .timestamp: return Timestamps.parse(s).map(Datum.timestamp)
        case .interval: return Interval(parsing: s).map(Datum.interval)
        case .string: return .string(raw)
        case .null: return .null
        }
    }

    /// Text of each value as DuckDB prints it (timestamps: `TimestampText`).
    static func toStrings(_ v: Vector, _ count: Int) throws(QueryError) -> Vector {
        if case .constant(let d) = v.storage {
            return .constant(d == .null ? .null : .string(text(d)), type: .string, count: count)
        }
        var out = VectorBuilder(type: .string)
        for i in 0..<count { let d = v.datum(i); out.append(d == .null ? .null : .string(text(d))) }
        return try out.build()
    }

    static func text(_ d: Datum) -> String {
        switch d {
        case .null: return ""
        case .int(let v): return String(v)
        case .double(let v): return formatDouble(v)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        case .timestamp(let t): return TimestampText.sql(t)
        case .interval(let i): return i.description
        }
    }

    /// Shortest round-tripping text; integral values keep a ".0" like DuckDB ("2.0").
    static func formatDouble(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        return String(v)
    }
}
