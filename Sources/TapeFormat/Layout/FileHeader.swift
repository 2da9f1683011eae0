/// The 16-byte file header and the 32-byte trailer (format-spec §2.1, §2.2).
public enum FileHeader {
    /// `\x89TAPE\r\n\x1a`: the high byte catches 7-bit transfers, CRLF catches line-ending
    /// conversion, ^Z stops DOS `type` (the reasoning of PNG's signature).
    public static let magic: [UInt8] = [0x89, 0x54, 0x41, 0x50, 0x45, 0x0D, 0x0A, 0x1A]
    public static let majorVersion: UInt16 = 1
    /// 1.1 added metadata frames and per-block checksums, 1.2 schema frames, 1.3 the duration type,
    /// 1.4 PAGED blocks, 1.5 PAGED blocks whose pages are compressed in groups; older files are
    /// still read.
    public static let minorVersion: UInt16 = 5
    public static let size = 16

    /// magic(8) major u16 minor u16 flags u32
    public static func encode(into w: inout ByteWriter) {
        w.writeBytes(magic)
        w.writeU16(majorVersion)
        w.writeU16(minorVersion)
        w.writeU32(0)
    }

    /// Validates the first 16 bytes of a file and returns its minor version.
    @discardableResult
    public static func validate(_ bytes: [UInt8]) throws(FormatError) -> UInt16 {
        var r = ByteReader(bytes)
        try r.requireAvailable(size, for: "file header")
        let m = try r.withBytes(8, "file magic") { Array($0) }
        guard m == magic else { throw .badMagic(what: "file header", offset: 0) }
        let major = try r.readU16("format major version")
        let minor = try r.readU16("format minor version")
        guard major == majorVersion else { throw .unsupportedVersion(major: major, minor: minor) }
        let flags = try r.readU32("file flags")
        guard flags == 0 else { throw .invalid(what: "file flags", offset: 12, reason: "unknown flag bits \(flags)") }
        return minor
    }
}

/// The fixed-size trailer that locates the footer from the end of the file.
public struct Trailer: Sendable, Equatable {
    public static let size = 32
    public var footerOffset: UInt64
    public var footerLength: UInt64
    /// Masked CRC32C of the footer frame.
    public var footerCRC: UInt32

    public init(footerOffset: UInt64, footerLength: UInt64, footerCRC: UInt32) {
        self.footerOffset = footerOffset
        self.footerLength = footerLength
        self.footerCRC = footerCRC
    }

    /// footer_offset u64, footer_length u64, masked crc u32, major u16, minor u16, magic(8)
    public func encode(into w: inout ByteWriter) {
        w.writeU64(footerOffset)
        w.writeU64(footerLength)
        w.writeU32(footerCRC)
        w.writeU16(FileHeader.majorVersion)
        w.writeU16(FileHeader.minorVersion)
        w.writeBytes(FileHeader.magic)
    }

    /// The version the last 32 bytes of a file claim when they end with the magic, else nil
    /// (format-spec §2.2: the trailer's major version must be the header's). A file whose trailer
    /// names an unknown major version is unsupported, never "unsealed": recovery refuses it
    /// instead of cutting its footer.
    public static func claimedVersion(_ tail: [UInt8]) -> (major: UInt16, minor: UInt16)? {
        guard tail.count == size, Array(tail.suffix(8)) == FileHeader.magic else { return nil }
        let major = UInt16(tail[20]) | UInt16(tail[21]) << 8
        let minor = UInt16(tail[22]) | UInt16(tail[23]) << 8
        return (major, minor)
    }

    /// Decodes and validates the last 32 bytes of a file of `fileSize` bytes.
    public init(decoding bytes: [UInt8], fileSize: Int) throws(FormatError) {
        let base = fileSize - Trailer.size
        var r = ByteReader(bytes, baseOffset: base)
        try r.requireAvailable(Trailer.size, for: "trailer")
        footerOffset = try r.readU64("footer offset")
        footerLength = try r.readU64("footer length")
        footerCRC = try r.readU32("footer checksum")
        let major = try r.readU16("trailer major version")
        let minor = try r.readU16("trailer minor version")
        let m = try r.withBytes(8, "trailer magic") { Array($0) }
        guard m == FileHeader.magic else { throw .badMagic(what: "trailer", offset: base + 24) }
        guard major == FileHeader.majorVersion else { throw .unsupportedVersion(major: major, minor: minor) }
        let limit = UInt64(base)
        guard footerOffset >= UInt64(FileHeader.size), footerOffset <= limit else {
            throw .outOfBounds(what: "footer offset", offset: base, value: footerOffset, limit: limit)
        }
        guard footerLength == limit - footerOffset else {
            throw .invalid(what: "footer length", offset: base + 8,
                           reason: "footer of \(footerLength) bytes at \(footerOffset) does not end where the trailer starts (\(base))")
        }
        guard footerLength <= UInt64(IndexLimits.maxFooterLength) else {
            throw .outOfBounds(what: "footer length", offset: base + 8, value: footerLength, limit: UInt64(IndexLimits.maxFooterLength))
        }
    }
}
