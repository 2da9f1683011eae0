import TapeFormat

/// Tells a timestamp that is well formed but outside what Tape stores from text that is not a
/// timestamp at all, so an error can say which (`TextInputError.Problem.invalidValue`).
///
/// Tape stores timestamps as Int64 nanoseconds since 1970-01-01T00:00:00Z, which spans
/// `TimestampRange.first` ... `TimestampRange.last`; `Timestamps.parse` returns nil outside it.
enum TimestampRange {
    /// The earliest and latest instants Tape stores.
    static let first = Timestamps.format(Int64.min)
    static let last = Timestamps.format(Int64.max)

    /// True when `text` is in the grammar of `Timestamps.parse` with a real calendar date but
    /// falls outside `first` ... `last` (e.g. `3000-01-01`, `1600-06-01T12:00:00Z`).
    static func isOutOfRange(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        while let b = bytes.first, b == 0x20 || b == 0x09 { bytes.removeFirst() }
        guard bytes.count >= 10, bytes[0...3].allSatisfy({ $0 &- 48 < 10 }),
              bytes.withUnsafeBytes({ Timestamps.parse($0) }) == nil else { return false }
        let year = bytes[0...3].reduce(0) { $0 * 10 + Int($1 - 48) }
        guard year <= 1678 || year >= 2261 else { return false }
        // February 29 of a year without one is a bad date, not a range problem.
        if bytes[5] == UInt8(ascii: "0"), bytes[6] == UInt8(ascii: "2"), bytes[8] == UInt8(ascii: "2"),
           bytes[9] == UInt8(ascii: "9"), !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) {
            return false
        }
        // Same text in a year well inside the range (2000, a leap year): does it parse then?
        bytes.replaceSubrange(0..<4, with: Array("2000".utf8))
        return bytes.withUnsafeBytes { Timestamps.parse($0) } != nil
    }
}
