import TapeCodec

/// An error in a query, or while running one, with the byte offset in the query text it refers to
/// when there is one.
///
/// `render(query:)` prints the message followed by the query line and a caret under the position,
/// the way SQLite and DuckDB point at mistakes.
public struct QueryError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The text is not valid SQL for Tape's dialect.
        case syntax
        /// Valid SQL that refers to unknown tables, columns or functions, or mixes types.
        case binding
        /// A failure while running: overflow, division by zero, memory budget, unreadable file.
        case execution
    }

    public var kind: Kind
    public var message: String
    /// Byte offset into the query text, when the error points at a place in it.
    public var position: Int?

    public init(_ kind: Kind, _ message: String, at position: Int? = nil) {
        self.kind = kind
        self.message = message
        self.position = position
    }

    public var description: String {
        let what: String
        switch kind {
        case .syntax: what = "syntax error"
        case .binding: what = "error"
        case .execution: what = "query failed"
        }
        return position.map { "\(what) at offset \($0): \(message)" } ?? "\(what): \(message)"
    }

    /// A column's strings would pass the 4 GiB one string array addresses (32-bit offsets, the
    /// Arrow `utf8` layout) in `what` (an operator or expression).
    static func stringsTooLarge(_ e: StringArrayOverflow, in what: String) -> QueryError {
        QueryError(.execution, "\(what): \(e); lower --memory-limit so the query works in smaller pieces (sorts, joins and aggregations spill), or select fewer rows or shorter strings")
    }

    /// The message plus the offending line of `query` with a caret under the position.
    public func render(query: String) -> String {
        guard let position else { return description }
        let bytes = Array(query.utf8)
        let p = min(max(position, 0), bytes.count)
        var lineStart = p
        while lineStart > 0 && bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
        var lineEnd = p
        while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
        let line = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
        let lineNumber = bytes[0..<lineStart].filter { $0 == UInt8(ascii: "\n") }.count + 1
        // Count characters, not bytes, so the caret lines up under multi-byte text.
        let column = String(decoding: bytes[lineStart..<p], as: UTF8.self).count
        let prefix = lineNumber > 1 ? "line \(lineNumber): " : ""
        return "\(description)\n  \(prefix)\(line)\n  \(String(repeating: " ", count: prefix.count + column))^"
    }
}
