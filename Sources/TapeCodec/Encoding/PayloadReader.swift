import TapeFormat

/// A bounds-checked cursor over a block's raw payload (format-spec §3.3), possibly decompressed
/// into scratch memory.
///
/// Errors carry an absolute file offset: for an uncompressed block the exact offset of the damage;
/// for a compressed block the block's offset, with the position inside the decompressed payload
/// named in the message.
struct PayloadReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0
    /// File offset of the stored block.
    let blockOffset: Int
    /// Whether `bytes` is decompressed (positions are then not file positions).
    let compressed: Bool

    init(_ bytes: UnsafeRawBufferPointer, blockOffset: Int, compressed: Bool) {
        self.bytes = bytes
        self.blockOffset = blockOffset
        self.compressed = compressed
    }

    var remaining: Int { bytes.count - position }

    /// Offset and description to report for a problem at payload position `at`.
    func place(_ what: String, at: Int) -> (String, Int) {
        compressed ? ("\(what) (decompressed payload byte \(at))", blockOffset) : (what, blockOffset + at)
    }

    func truncated(_ what: String, needed: Int) -> FormatError {
        let (w, o) = place(what, at: position)
        return .truncated(what: w, offset: o, needed: needed, available: remaining)
    }

    func invalid(_ what: String, at: Int? = nil, _ reason: String) -> FormatError {
        let (w, o) = place(what, at: at ?? position)
        return .invalid(what: w, offset: o, reason: reason)
    }

    func outOfBounds(_ what: String, at: Int, value: UInt64, limit: Int) -> FormatError {
        let (w, o) = place(what, at: at)
        return .outOfBounds(what: w, offset: o, value: value, limit: UInt64(max(0, limit)))
    }

    func require(_ n: Int, _ what: @autoclosure () -> String) throws(FormatError) {
        if n < 0 || n > remaining { throw truncated(what(), needed: n) }
    }

    mutating func readU8(_ what: @autoclosure () -> String) throws(FormatError) -> UInt8 {
        try require(1, what())
        defer { position += 1 }
        return bytes.load(fromByteOffset: position, as: UInt8.self)
    }

    mutating func readI64(_ what: @autoclosure () -> String) throws(FormatError) -> Int64 {
        try require(8, what())
        defer { position += 8 }
        return Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: Int64.self))
    }

    /// Unsigned LEB128 of at most 10 bytes (format-spec §1).
    @inline(__always) mutating func readVarint(_ what: @autoclosure () -> String) throws(FormatError) -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else { throw truncated(what(), needed: 1) }
            let byte = bytes.load(fromByteOffset: position, as: UInt8.self)
            position += 1
            if shift == 63 && byte > 1 { throw invalid(what(), at: start, "varint overflows 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    mutating func readSignedVarint(_ what: @autoclosure () -> String) throws(FormatError) -> Int64 {
        ZigZagCoding.decode(try readVarint(what()))
    }

    /// A varint that must be at most `limit`.
    mutating func readCount(_ what: @autoclosure () -> String, limit: Int) throws(FormatError) -> Int {
        let at = position
        let v = try readVarint(what())
        guard v <= UInt64(max(0, limit)) else { throw outOfBounds(what(), at: at, value: v, limit: limit) }
        return Int(v)
    }

    /// Hot-loop form of `readCount`: a varint ≤ `limit`, or nil (position unchanged) when it is
    /// truncated, malformed or too large — the caller then calls `readCount` for the error.
    @inline(__always) mutating func tryReadCount(limit: Int) -> Int? {
        var p = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while p < bytes.count {
            let byte = bytes.load(fromByteOffset: p, as: UInt8.self)
            p += 1
            if shift == 63 && byte > 1 { return nil }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                guard result <= UInt64(max(0, limit)) else { return nil }
                position = p
                return Int(result)
            }
            shift += 7
        }
        return nil
    }

    /// The next `n` bytes, skipped.
    mutating func take(_ n: Int, _ what: @autoclosure () -> String) throws(FormatError) -> UnsafeRawBufferPointer {
        try require(n, what())
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
    }

    /// Throws unless every byte was consumed.
    func requireAtEnd(_ what: String) throws(FormatError) {
        if remaining != 0 { throw invalid(what, "\(remaining) unexpected trailing bytes") }
    }
}
