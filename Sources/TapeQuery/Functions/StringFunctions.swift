import Foundation
import TapeCodec

/// Text functions over UTF-8 (the ASCII fast paths are in `Evaluator+StringKernels.swift`).
/// Lengths and positions count characters, as DuckDB.
enum StringFunctions {
    static let entries: [ScalarFunction] = [
        ScalarFunction(name: "lower", aliases: ["lcase"], signature: "lower(s)", doc: "lower case (Unicode)", example: "lower(note)",
                       bind: stringRule(.string),
                       kernel: { a, _, count throws(QueryError) in try Evaluator.caseMapped(a[0], count, upper: false) }),
        ScalarFunction(name: "upper", aliases: ["ucase"], signature: "upper(s)", doc: "upper case (Unicode)", example: "upper(note)",
                       bind: stringRule(.string),
                       kernel: { a, _, count throws(QueryError) in try Evaluator.caseMapped(a[0], count, upper: true) }),
        ScalarFunction(name: "length", aliases: ["char_length", "strlen"], signature: "length(s)", doc: "number of characters", example: "length(note)",
                       bind: stringRule(.int),
                       kernel: { a, _, count throws(QueryError) in try Evaluator.strings(a[0], count, resultType: .int) { .int(Int64($0.count)) } }),
        ScalarFunction(name: "trim", signature: "trim(s)", doc: "s without leading and trailing white space", example: "trim(note)",
                       bind: stringRule(.string),
                       kernel: { a, _, count throws(QueryError) in try Evaluator.trimmed(a[0], count) }),
        ScalarFunction(name: "substr", aliases: ["substring"], signature: "substr(s, start[, length])",
                       doc: "characters from 1-based start (0 is before the first, negative counts from the end; a negative length takes the characters before start)",
                       example: "substr(note, 2, 3)",
                       bind: { a throws(QueryError) in
                           try a.arity(2...3)
                           try a.need(0, { $0 == .string }, "a string")
                           for i in 1..<a.count { try a.need(i, { $0 == .int }, "an integer") }
                           return .string
                       }, kernel: substr),
        ScalarFunction(name: "concat", signature: "concat(x, …)", doc: "the arguments as text, joined (NULLs skipped)",
                       example: "concat(symbol, '-', qty, note)", propagatesNull: false,
                       bind: { a throws(QueryError) in
                           try a.nonEmpty()
                           for i in 0..<a.count { try a.cast(i, to: .string, explicit: true) }
                           return .string
                       }, kernel: concat),
        ScalarFunction(name: "replace", signature: "replace(s, from, to)", doc: "s with every from replaced by to", example: "replace(note, 'o', '0')",
                       bind: { a throws(QueryError) in
                           try a.arity(3...3)
                           for i in 0..<3 { try a.need(i, { $0 == .string }, "a string") }
                           return .string
                       }, kernel: replace),
    ]

    /// One string argument; the result is `type`.
    static func stringRule(_ type: SQLType) -> ScalarFunction.Rule {
        { a throws(QueryError) in
            try a.arity(1...1)
            try a.need(0, { $0 == .string }, "a string")
            return type
        }
    }

    static func concat(_ a: [Vector], _ e: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        let m = a.map { $0.materialized() }
        var out = StringArray()
        out.offsets.reserveCapacity(count + 1)
        for i in 0..<count {
            try out.appendString(in: "concat()") { bytes in for v in m where !v.isNull(i) { v.withUTF8(i) { bytes.append(contentsOf: $0) } } }
        }
        return Evaluator.result(.string, .strings(out), a, count).withValidity(nil)
    }

    static func replace(_ a: [Vector], _ e: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        guard case .constant(.string(let from)) = a[1].storage, case .constant(.string(let to)) = a[2].storage else {
            let m = a.map { $0.materialized() }
            var out = VectorBuilder(type: .string)
            for i in 0..<count {
                out.append(m.contains { $0.isNull(i) } ? .null : .string(replacing(m[0].stringAt(i), m[1].stringAt(i), m[2].stringAt(i))))
            }
            return try out.build()
        }
        return try Evaluator.strings(a[0], count, resultType: .string) { .string(replacing($0, from, to)) }
    }

    private static func replacing(_ s: String, _ a: String, _ b: String) -> String {
        a.isEmpty ? s : s.replacingOccurrences(of: a, with: b)
    }

    static func substr(_ a: [Vector], _ e: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        let m = a.map { $0.materialized() }
        var out = VectorBuilder(type: .string)
        for i in 0..<count {
            if m.contains(where: { $0.isNull(i) }) { out.append(.null); continue }
            let chars = Array(m[0].stringAt(i))
            let r = substringRange(count: chars.count, start: Evaluator.ints(m[1]).at(i), length: m.count > 2 ? Evaluator.ints(m[2]).at(i) : nil)
            out.append(.string(String(chars[r])))
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
}

extension Vector {
    /// The vector with its validity replaced (nil: no NULLs).
    func withValidity(_ v: Bitmap?) -> Vector {
        var c = self
        c.validity = v
        return c
    }
}
