/// A bounds-checked little-endian cursor over bytes that came from a file.
///
/// Every read checks the remaining length and throws `FormatError.truncated` naming the structure
/// and the absolute offset (`baseOffset` + position) instead of trapping. Lengths read from the input
/// must be checked with `requireAvailable` before anything is allocated for them.
public struct ByteReader {
    @usableFromInline let bytes: [UInt8]
    /// Current position, an index into `bytes`.
    public private(set) var position: Int
    /// One past the last readable index.
    public let end: Int
    /// Absolute offset (e.g. in the file) of `bytes[0]`, used in error messages.
    public let baseOffset: Int

    /// Reads `bytes[range]`; `baseOffset` is the absolute offset of `bytes[0]`.
    public init(_ bytes: [UInt8], range: Range<Int>? = nil, baseOffset: Int = 0) {
        self.bytes = bytes
        let r = range ?? 0..<bytes.count
        precondition(r.lowerBound >= 0 && r.upperBound <= bytes.count)
        self.position = r.lowerBound
        self.end = r.upperBound
        self.baseOffset = baseOffset
    }

    /// Bytes left to read.
    @inlinable public var remaining: Int { end - position }
    /// True when every byte has been consumed.
    public var isAtEnd: Bool { position == end }
    /// Absolute offset of the next byte to read.
    public var absoluteOffset: Int { baseOffset + position }

    /// Throws unless `n` more bytes are available for `what`.
    public func requireAvailable(_ n: Int, for what: String) throws(FormatError) {
        if n < 0 || n > remaining {
            throw .truncated(what: what, offset: absoluteOffset, needed: n, available: remaining)
        }
    }

    public mutating func readU8(_ what: String) throws(FormatError) -> UInt8 {
        try requireAvailable(1, for: what)
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func readU16(_ what: String) throws(FormatError) -> UInt16 {
        UInt16(littleEndian: try readFixed(what))
    }
    public mutating func readU32(_ what: String) throws(FormatError) -> UInt32 {
        UInt32(littleEndian: try readFixed(what))
    }
    public mutating func readU64(_ what: String) throws(FormatError) -> UInt64 {
        UInt64(littleEndian: try readFixed(what))
    }
    public mutating func readI64(_ what: String) throws(FormatError) -> Int64 {
        Int64(littleEndian: try readFixed(what))
    }

    mutating func readFixed<T: FixedWidthInteger>(_ what: String) throws(FormatError) -> T {
        let size = MemoryLayout<T>.size
        try requireAvailable(size, for: what)
        let p = position
        position += size
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: p, as: T.self) }
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes.
    public mutating func readVarint(_ what: String) throws(FormatError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = absoluteOffset
        while true {
            guard position < end else {
                throw .truncated(what: what, offset: start, needed: Int(shift / 7) + 1, available: Int(shift / 7))
            }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 {
                throw .invalid(what: what, offset: start, reason: "varint overflows 64 bits")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 {
                throw .invalid(what: what, offset: start, reason: "varint longer than 10 bytes")
            }
        }
    }

    /// Reads a varint and checks it is at most `limit`, returning it as `Int`.
    public mutating func readCount(_ what: String, limit: Int) throws(FormatError) -> Int {
        let at = absoluteOffset
        let v = try readVarint(what)
        guard v <= UInt64(limit) else {
            throw .outOfBounds(what: what, offset: at, value: v, limit: UInt64(limit))
        }
        return Int(v)
    }

    public mutating func readSignedVarint(_ what: String) throws(FormatError) -> Int64 {
        ZigZag.decode(try readVarint(what))
    }

    /// Reads a varint length then that many bytes as UTF-8 (invalid UTF-8 is an error).
    ///
    /// Footers hold thousands of strings (names, string statistics): the error texts are built only
    /// on failure, and ASCII strings (nearly all of them) skip the general UTF-8 validation.
    public mutating func readString(_ what: String) throws(FormatError) -> String {
        let at = absoluteOffset
        let before = remaining
        let length: UInt64
        do { length = try readVarint(what) } catch { throw error.renamed("\(what) length") }
        guard length <= UInt64(before) else {
            throw .outOfBounds(what: "\(what) length", offset: at, value: length, limit: UInt64(before))
        }
        let n = Int(length)
        try requireAvailable(n, for: what)  // `before` still counted the length varint
        let start = position
        position += n
        let s = bytes.withUnsafeBufferPointer { buf -> String? in
            let slice = UnsafeBufferPointer(rebasing: buf[start..<(start + n)])
            var ascii = true
            for b in slice where b >= 0x80 {
                ascii = false
                break
            }
            return ascii ? String(decoding: slice, as: UTF8.self) : String(validating: slice, as: UTF8.self)
        }
        guard let s else { throw .invalid(what: what, offset: at, reason: "not valid UTF-8") }
        return s
    }

    /// Returns the next `n` bytes' index range and skips them.
    public mutating func readRange(_ n: Int, _ what: String) throws(FormatError) -> Range<Int> {
        try requireAvailable(n, for: what)
        defer { position += n }
        return position..<(position + n)
    }

    /// Runs `body` over the next `n` bytes and skips them.
    public mutating func withBytes<R>(_ n: Int, _ what: String, _ body: (UnsafeRawBufferPointer) throws(FormatError) -> R) throws(FormatError) -> R {
        let r = try readRange(n, what)
        let result: Result<R, FormatError> = bytes.withUnsafeBytes { all in
            Result { () throws(FormatError) -> R in try body(UnsafeRawBufferPointer(rebasing: all[r])) }
        }
        return try result.get()
    }

    /// Throws `invalid` unless every byte was consumed.
    public func requireAtEnd(_ what: String) throws(FormatError) {
        if position != end {
            throw .invalid(what: what, offset: absoluteOffset, reason: "\(remaining) unexpected trailing bytes")
        }
    }
}
