import TapeFormat

/// The compression codec of a block (format-spec §3.2).
public enum Codec: Sendable, Equatable, Hashable {
    case none
    case lz4
    /// zstd at `level` (1...22; 3 is zstd's default).
    case zstd(level: Int32)

    /// The codec id stored in a block descriptor.
    public var id: UInt8 {
        switch self {
        case .none: return 0
        case .lz4: return 1
        case .zstd: return 2
        }
    }
}

/// Encoding ids (format-spec §5).
public enum Encoding: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case plain = 0
    case delta = 1
    case decimal = 2
    case byteStreamSplit = 3
    case dictionary = 4

    public var description: String {
        switch self {
        case .plain: return "plain"
        case .delta: return "delta"
        case .decimal: return "decimal"
        case .byteStreamSplit: return "byte-stream-split"
        case .dictionary: return "dictionary"
        }
    }

    /// Whether this encoding can store values of `type`.
    public func supports(_ type: ColumnType) -> Bool {
        switch self {
        case .plain: return true
        case .delta: return type.hasInt64Storage
        case .decimal, .byteStreamSplit: return type == .float64
        case .dictionary: return type == .string
        }
    }
}
