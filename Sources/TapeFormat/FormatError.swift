/// An error found while decoding bytes of a `.tape` file.
///
/// Every case names *what* was being decoded and *where* (an absolute file offset when the bytes
/// came from a file, otherwise an offset into the buffer being decoded), so that a message can point
/// at the damage. Decoders throw these instead of trapping on any input.
public enum FormatError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Fewer bytes remained than the structure needs.
    case truncated(what: String, offset: Int, needed: Int, available: Int)
    /// A magic number did not match.
    case badMagic(what: String, offset: Int)
    /// The file was written by an incompatible format version.
    case unsupportedVersion(major: UInt16, minor: UInt16)
    /// A stored checksum did not match the bytes it covers.
    case checksumMismatch(what: String, offset: Int, stored: UInt32, computed: UInt32)
    /// A length, count or offset points outside its container or exceeds a limit.
    case outOfBounds(what: String, offset: Int, value: UInt64, limit: UInt64)
    /// A field holds a value that is not allowed (unknown enum tag, inconsistent sizes, ...).
    case invalid(what: String, offset: Int, reason: String)
    /// `error`, met in a file of a higher minor version than this build writes: it may be a
    /// feature of that version this build does not know rather than damage (format-spec §2.1).
    indirect case inNewerMinorVersion(minor: UInt16, FormatError)

    public var description: String {
        switch self {
        case let .truncated(what, offset, needed, available):
            return "truncated \(what) at offset \(offset): needs \(needed) bytes, \(available) available"
        case let .badMagic(what, offset):
            return "bad magic for \(what) at offset \(offset)"
        case let .unsupportedVersion(major, minor):
            return "unsupported format version \(major).\(minor) (this build reads \(FileHeader.majorVersion).x)"
        case let .checksumMismatch(what, offset, stored, computed):
            return "checksum mismatch in \(what) at offset \(offset): stored \(hex(stored)), computed \(hex(computed))"
        case let .outOfBounds(what, offset, value, limit):
            return "\(what) at offset \(offset) is out of bounds: \(value) exceeds limit \(limit)"
        case let .invalid(what, offset, reason):
            return "invalid \(what) at offset \(offset): \(reason)"
        case let .inNewerMinorVersion(minor, error):
            return "\(error) (the file is format \(FileHeader.majorVersion).\(minor), newer than this Tape's "
                + "\(FileHeader.majorVersion).\(FileHeader.minorVersion): it may use a feature this version does not know; read it with a newer Tape)"
        }
    }
}

extension FormatError {
    /// This error as met in a file whose header has minor version `minor`: marked
    /// `inNewerMinorVersion` when that is higher than this build's, else unchanged.
    public func inFile(ofMinorVersion minor: UInt16) -> FormatError {
        if case .inNewerMinorVersion = self { return self }
        return minor > FileHeader.minorVersion ? .inNewerMinorVersion(minor: minor, self) : self
    }

    /// The same error about `what` instead of the structure it named.
    func renamed(_ what: String) -> FormatError {
        switch self {
        case let .truncated(_, offset, needed, available): return .truncated(what: what, offset: offset, needed: needed, available: available)
        case let .badMagic(_, offset): return .badMagic(what: what, offset: offset)
        case .unsupportedVersion: return self
        case let .checksumMismatch(_, offset, stored, computed): return .checksumMismatch(what: what, offset: offset, stored: stored, computed: computed)
        case let .outOfBounds(_, offset, value, limit): return .outOfBounds(what: what, offset: offset, value: value, limit: limit)
        case let .invalid(_, offset, reason): return .invalid(what: what, offset: offset, reason: reason)
        case let .inNewerMinorVersion(minor, error): return .inNewerMinorVersion(minor: minor, error.renamed(what))
        }
    }
}

private func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}
