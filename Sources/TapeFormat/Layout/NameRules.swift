/// The rules every table and column name obeys (format-spec §3.1, "Names").
///
/// A name is 1 to 255 bytes of UTF-8 with no control character (U+0000–U+001F, U+007F–U+009F):
/// no NUL, newline, tab or escape sequence can reach a terminal, a CSV header, a path or SQL
/// through a name. Uniqueness (of columns within a table, of tables within a file) is checked by
/// the structures that hold the names. Writers check these rules before writing; readers reject a
/// file that breaks them.
public enum NameRules {
    /// Longest name, in UTF-8 bytes.
    public static let maxBytes = 255

    /// Why `name` is not a valid table or column name, or nil when it is.
    public static func problem(_ name: String) -> String? {
        let bytes = name.utf8.count
        if bytes == 0 { return "a name must not be empty" }
        if bytes > maxBytes { return "a name must be at most \(maxBytes) bytes (got \(bytes))" }
        for (i, s) in name.unicodeScalars.enumerated() where isControl(s) {
            return "a name must not contain control characters (U+\(hex(s.value)) at character \(i))"
        }
        return nil
    }

    /// `name` in double quotes with control characters, quotes and backslashes escaped, for
    /// messages (a bad name must not drive the terminal that prints the error).
    public static func quoted(_ name: String) -> String {
        String(reflecting: name)
    }

    /// C0 controls, DEL and C1 controls (Unicode general category Cc).
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value)
    }

    private static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}
