/// Text made safe for a terminal: the one escaping function every human-readable output of file
/// contents uses (`tape info`, the table format of `cat`/`sql`/`summary`, headers included).
///
/// Metadata, table and column names and string values come from files anyone can write; printed
/// raw, an escape sequence in them could move the cursor, rewrite earlier lines, set the window
/// title or hide text. Escaped here, each keeps to one line and to visible characters:
/// - `\n`, `\r`, `\t` for LF, CR, TAB;
/// - `\xHH` for the other C0 controls (U+0000–U+001F) and DEL (U+007F), e.g. ESC as `\x1b`;
/// - `\u{HHHH}` for the C1 controls U+0080–U+009F (U+009B is a one-character CSI) and the
///   bidirectional overrides and isolates U+202A–U+202E, U+2066–U+2069 (which reorder what
///   follows them on screen).
/// Everything else, including a backslash, is copied as is. Input must be UTF-8 (invalid bytes
/// are copied unchanged).
public enum TerminalText {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// `s` with its control characters escaped (rules above).
    public static func escape(_ s: String) -> String {
        var s = s
        return s.withUTF8 { u in
            let raw = UnsafeRawBufferPointer(u)
            guard needsEscaping(raw) else { return String(decoding: raw, as: UTF8.self) }
            var out: [UInt8] = []
            out.reserveCapacity(raw.count + 16)
            append(raw, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// True when `bytes` holds a character `append` would escape.
    public static func needsEscaping(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for (i, b) in bytes.enumerated() where b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xE2 {
            if escapedLength(bytes, i) != nil { return true }
        }
        return false
    }

    /// Appends `bytes` to `out` with control characters escaped (rules above).
    public static func append(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            guard let length = escapedLength(bytes, i) else {
                out.append(b)
                i += 1
                continue
            }
            switch b {
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0..<0x20, 0x7F:
                out.append(0x5C); out.append(UInt8(ascii: "x"))
                out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
            default:
                // A 2-byte (C1) or 3-byte (bidi) sequence: decode its scalar value.
                let scalar: UInt32 = length == 2
                    ? UInt32(b & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
                    : UInt32(b & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
                out.append(contentsOf: Array("\\u{".utf8))
                for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int(scalar >> UInt32(shift) & 15)]) }
                out.append(UInt8(ascii: "}"))
            }
            i += length
        }
    }

    /// How many bytes the character at `i` takes when it must be escaped; nil when it is printed as is.
    private static func escapedLength(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int? {
        let b = p[i]
        if b < 0x20 || b == 0x7F { return 1 }
        if b == 0xC2, i + 1 < p.count, (0x80...0x9F).contains(p[i + 1]) { return 2 }   // U+0080–U+009F
        if b == 0xE2, i + 2 < p.count {
            let (b1, b2) = (p[i + 1], p[i + 2])
            if b1 == 0x80, (0xAA...0xAE).contains(b2) { return 3 }   // U+202A–U+202E
            if b1 == 0x81, (0xA6...0xA9).contains(b2) { return 3 }   // U+2066–U+2069
        }
        return nil
    }
}
