#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A streaming reader of newline-delimited JSON: one flat object per line (LF or CRLF).
///
/// `readObject()` advances to the next non-blank line and parses it into `keys` / `values`
/// (reused buffers, in the order written). Input is read in 256 KiB blocks; memory is bounded by
/// the longest line. Errors are `TextInputError`s with the line and a 1-based byte column.
public final class NDJSONReader {
    private let window: InputWindow
    private var pos = 0
    private var line = 0
    private var parser = JSONObjectParser()

    /// Keys of the current object.
    public private(set) var keys: [String] = []
    /// Values of the current object, parallel to `keys`.
    public private(set) var values: [JSONScalar] = []
    /// 1-based line of the current object.
    public private(set) var recordLine = 0

    public init(_ source: TextSource, blockSize: Int = 256 << 10) throws {
        window = try InputWindow(source, blockSize: blockSize)
    }

    public convenience init(text: String, blockSize: Int = 256 << 10) throws {
        try self.init(.bytes(Array(text.utf8)), blockSize: blockSize)
    }

    /// Start and end (exclusive, without CR/LF) of the line `readLine()` returned, in the window.
    private var lineStart = 0, lineStop = 0

    /// Advances to the next object. Returns false at the end of the input.
    public func readObject() throws -> Bool {
        guard try readLine() != nil else { return false }
        try parseLine()
        return true
    }

    /// Advances to the next non-blank line without parsing it and returns its bytes (no line
    /// terminator), valid until the next `readLine()`/`readObject()`; nil at the end of the input.
    /// `recordLine` is its line number; `parseLine()` parses it into `keys` / `values`.
    func readLine() throws -> UnsafeRawBufferPointer? {
        var searchFrom = pos
        while true {
            let p = window.storage
            let end = window.end
            var lineEnd = end
            var next = end
            if searchFrom < end, let hit = memchr(p + searchFrom, 0x0A, end - searchFrom) {
                lineEnd = UnsafeMutableRawPointer(p).distance(to: hit)
                next = lineEnd + 1
            } else if !window.isAtEOF {
                searchFrom = end - pos
                try window.refill(keepingFrom: pos)
                pos = 0
                continue
            }
            if pos == end && window.isAtEOF && lineEnd == end {
                keys.removeAll(keepingCapacity: true)
                values.removeAll(keepingCapacity: true)
                return nil
            }
            // If the BOM starts the file, skip it.
            var start = pos
            if line == 0, lineEnd - start >= 3, p[start] == 0xEF, p[start + 1] == 0xBB, p[start + 2] == 0xBF {
                start += 3
            }
            line += 1
            pos = next
            searchFrom = next
            var stop = lineEnd
            if stop > start && p[stop - 1] == 0x0D { stop -= 1 }
            var blank = true
            var k = start
            while k < stop {
                let b = p[k]
                if b != 0x20 && b != 0x09 && b != 0x0D {
                    blank = false
                    break
                }
                k += 1
            }
            if blank { continue }
            recordLine = line
            lineStart = start
            lineStop = stop
            return UnsafeRawBufferPointer(start: p + start, count: stop - start)
        }
    }

    /// Parses the line `readLine()` returned into `keys` / `values`.
    func parseLine() throws {
        try parser.parse(UnsafeRawBufferPointer(start: window.storage + lineStart, count: lineStop - lineStart),
                         lineNumber: recordLine, keys: &keys, values: &values)
    }
}
