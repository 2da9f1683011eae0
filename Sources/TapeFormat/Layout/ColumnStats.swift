/// Zone-map statistics of one block (format-spec §3.2): min/max over non-null (and non-NaN) values.
public enum StatValue: Sendable, Equatable, Hashable {
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case string(String)
}

public struct ColumnStats: Sendable, Equatable {
    /// Minimum, or nil when the block has no non-null (non-NaN) value.
    public var min: StatValue?
    /// Maximum; nil also when a string maximum was longer than `maxStringBytes` (no upper bound).
    public var max: StatValue?
    /// Float blocks: some value is NaN.
    public var hasNaN: Bool
    /// String blocks: the maximum was too long to store, so there is no upper bound.
    public var maxTruncated: Bool

    /// Longest string min/max stored (format-spec §3.2).
    public static let maxStringBytes = 64

    public init(min: StatValue? = nil, max: StatValue? = nil, hasNaN: Bool = false, maxTruncated: Bool = false) {
        self.min = min
        self.max = max
        self.hasNaN = hasNaN
        self.maxTruncated = maxTruncated
    }

    public static let empty = ColumnStats()

    /// Builds string stats from the exact extremes, truncating as the format requires.
    public static func strings(min: String, max: String) -> ColumnStats {
        let minCut = utf8Prefix(min, maxBytes: maxStringBytes)
        if max.utf8.count > maxStringBytes {
            return ColumnStats(min: .string(minCut), max: nil, maxTruncated: true)
        }
        return ColumnStats(min: .string(minCut), max: .string(max))
    }

    /// The longest prefix of `s` of at most `maxBytes` bytes that ends on a character boundary.
    static func utf8Prefix(_ s: String, maxBytes: Int) -> String {
        if s.utf8.count <= maxBytes { return s }
        var end = s.utf8.index(s.utf8.startIndex, offsetBy: maxBytes)
        while end > s.utf8.startIndex, s.utf8[end] & 0xC0 == 0x80 { end = s.utf8.index(before: end) }
        return String(s.utf8[..<end]) ?? ""
    }

    /// Writes `stats_flags` (with `extraFlags`, bits the block descriptor owns, or-ed in) and the
    /// min/max values.
    func encode(type: ColumnType, extraFlags: UInt8 = 0, into w: inout ByteWriter) {
        var flags: UInt8 = extraFlags
        let present = min != nil
        if present { flags |= 1 }
        if hasNaN { flags |= 2 }
        if maxTruncated { flags |= 4 }
        w.writeU8(flags)
        guard present, let min else { return }
        Self.encodeValue(min, type: type, into: &w)
        if let max { Self.encodeValue(max, type: type, into: &w) } else { w.writeString("") }
    }

    private static func encodeValue(_ v: StatValue, type: ColumnType, into w: inout ByteWriter) {
        switch v {
        case .int(let x): w.writeSignedVarint(x)
        case .float(let x): w.writeU64(x.bitPattern)
        case .bool(let x): w.writeU8(x ? 1 : 0)
        case .string(let x): w.writeString(x)
        }
    }

    /// Bits of `stats_flags` that describe the statistics (the others belong to the descriptor).
    static let ownFlags: UInt8 = 7

    /// Decodes the min/max values that follow `flags` (already read and checked by the caller).
    init(decoding r: inout ByteReader, type: ColumnType, flags: UInt8) throws(FormatError) {
        self.init(hasNaN: flags & 2 != 0, maxTruncated: flags & 4 != 0)
        guard flags & 1 != 0 else { return }
        let lo = try Self.decodeValue(&r, type: type)
        let hi = try Self.decodeValue(&r, type: type)
        min = lo
        max = maxTruncated ? nil : hi
    }

    private static func decodeValue(_ r: inout ByteReader, type: ColumnType) throws(FormatError) -> StatValue {
        switch type {
        case .int64, .timestamp, .duration: return .int(try r.readSignedVarint("stat value"))
        case .float64: return .float(Double(bitPattern: try r.readU64("stat value")))
        case .bool: return .bool(try r.readU8("stat value") != 0)
        case .string: return .string(try r.readString("stat value"))
        }
    }
}
