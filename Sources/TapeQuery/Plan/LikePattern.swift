#if canImport(Glibc)
import Glibc
#endif

/// A compiled SQL LIKE pattern: `%` matches any run of characters, `_` exactly one character;
/// the escape character, when given, makes the next character match itself (`%`, `_` and the
/// escape included); everything else matches itself. ILIKE compares lower-cased text.
struct LikePattern: Sendable {
    let pattern: String
    let caseInsensitive: Bool
    let escape: Character?
    private let tokens: [Piece]

    private enum Piece: Equatable { case any, one, literal([UInt8]) }

    /// Nil when the pattern ends with an unused escape character (DuckDB rejects it too).
    init?(_ pattern: String, caseInsensitive: Bool, escape: Character? = nil) {
        self.pattern = pattern
        self.caseInsensitive = caseInsensitive
        self.escape = escape
        var pieces: [Piece] = []
        var lit: [UInt8] = []
        var escaped = false
        for ch in (caseInsensitive ? pattern.lowercased() : pattern) {
            if escaped {
                lit.append(contentsOf: String(ch).utf8)
                escaped = false
            } else if let escape, ch == escape || (caseInsensitive && String(ch) == String(escape).lowercased()) {
                escaped = true
            } else if ch == "%" || ch == "_" {
                if !lit.isEmpty { pieces.append(.literal(lit)); lit = [] }
                if ch == "%" { if pieces.last != .any { pieces.append(.any) } } else { pieces.append(.one) }
            } else {
                lit.append(contentsOf: String(ch).utf8)
            }
        }
        if escaped { return nil }
        if !lit.isEmpty { pieces.append(.literal(lit)) }
        tokens = pieces
    }

    func matches(_ s: String) -> Bool {
        let text = caseInsensitive ? s.lowercased() : s
        return Array(text.utf8).withUnsafeBufferPointer { match($0, 0, 0) }
    }

    /// `matches` over a string's UTF-8 bytes: no `String` is made, except for ILIKE over text
    /// that is not all ASCII (Unicode lower-casing).
    func matches(utf8 s: UnsafeRawBufferPointer) -> Bool {
        let bytes = s.assumingMemoryBound(to: UInt8.self)
        guard caseInsensitive else { return match(bytes, 0, 0) }
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return matches(String(decoding: bytes, as: UTF8.self)) }
        return bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }.withUnsafeBufferPointer { match($0, 0, 0) }
    }

    /// Length in bytes of the UTF-8 character starting with `b`.
    private static func width(_ b: UInt8) -> Int {
        b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
    }

    /// Iterative matcher with one backtrack point per `%` (the classic wildcard algorithm): linear
    /// in practice, never exponential.
    private func match(_ s: UnsafeBufferPointer<UInt8>, _ si0: Int, _ ti0: Int) -> Bool {
        var si = si0, ti = ti0
        var starT = -1, starS = 0
        while true {
            if ti < tokens.count {
                switch tokens[ti] {
                case .any:
                    starT = ti
                    starS = si
                    ti += 1
                    continue
                case .one:
                    if si < s.count {
                        si += LikePattern.width(s[si])
                        ti += 1
                        continue
                    }
                case .literal(let lit):
                    if si + lit.count <= s.count && lit.withUnsafeBufferPointer({ memcmp($0.baseAddress!, s.baseAddress! + si, lit.count) == 0 }) {
                        si += lit.count
                        ti += 1
                        continue
                    }
                }
            } else if si == s.count {
                return true
            }
            // Mismatch: let the last % swallow one more character, or fail.
            guard starT >= 0, starS < s.count else { return false }
            starS += LikePattern.width(s[starS])
            si = starS
            ti = starT + 1
        }
    }
}
