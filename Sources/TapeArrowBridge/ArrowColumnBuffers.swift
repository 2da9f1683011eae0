import TapeCodec
import TapeFormat

/// The Arrow buffers of one column of a batch (Arrow columnar format, "Buffer listing for each
/// layout"):
///   int64, timestamp (`l`, `tsn:UTC`), float64 (`g`): [validity, values: 8 bytes per row]
///   bool (`b`):                                     [validity, values: 1 bit per row, LSB first]
///   string (`u`):                                   [validity, int32 offsets (rows + 1), UTF-8 bytes]
/// Validity is NULL when the column has no nulls, else ceil(rows / 8) bytes, LSB first, 1 = valid.
/// Dictionary-encoded strings are materialised as plain utf8.
struct ArrowColumnBuffers {
    /// `nil` entries are NULL buffers.
    var buffers: [ArrowBuffer?]
    var nullCount: Int

    /// The Arrow format string of a Tape column type.
    static func format(of type: ColumnType) -> String {
        switch type {
        case .int64: return "l"
        case .float64: return "g"
        case .bool: return "b"
        case .string: return "u"
        case .timestamp: return "tsn:UTC"
        case .duration: return "tDn"
        }
    }

    /// Most UTF-8 bytes one string column of a batch may hold with int32 offsets.
    static let maxStringBytes = Int(Int32.max)

    /// Copies `column` into Arrow buffers; throws when its strings exceed `maxStringBytes`.
    init(_ column: ColumnData) throws(BridgeError) {
        let n = column.count
        nullCount = column.nullCount
        var validity: ArrowBuffer?
        if nullCount > 0, let bits = column.validity {
            let bytes = (n + 7) / 8
            validity = try ArrowBuffer(copying: bits.words, byteCount: bytes)
        }
        switch column.storage {
        case .int64(let v):
            buffers = [validity, try ArrowBuffer(copying: v)]
        case .float64(let v):
            buffers = [validity, try ArrowBuffer(copying: v)]
        case .bool(let v):
            let out = try ArrowBuffer(byteCount: (n + 7) / 8)
            let bytes = out.pointer.assumingMemoryBound(to: UInt8.self)
            memsetZero(bytes, (n + 7) / 8)
            for i in 0..<n where v[i] { bytes[i >> 3] |= UInt8(1) << UInt8(i & 7) }
            buffers = [validity, out]
        case .strings(let s):
            guard s.bytes.count <= ArrowColumnBuffers.maxStringBytes else { throw BridgeError.stringsTooLarge(s.bytes.count) }
            let offsets = try ArrowBuffer(byteCount: (n + 1) * 4)
            let o = offsets.pointer.assumingMemoryBound(to: Int32.self)
            for i in 0...n { o[i] = Int32(truncatingIfNeeded: s.offsets[i]) }
            buffers = [validity, offsets, try ArrowBuffer(copying: s.bytes)]
        case .dictionary(let entries, let indices):
            var total = 0
            for i in indices where entries.count > 0 { total += entries.range(Int(i)).count }
            guard total <= ArrowColumnBuffers.maxStringBytes else { throw BridgeError.stringsTooLarge(total) }
            let offsets = try ArrowBuffer(byteCount: (n + 1) * 4)
            let data = try ArrowBuffer(byteCount: total)
            let o = offsets.pointer.assumingMemoryBound(to: Int32.self)
            var at = 0
            o[0] = 0
            entries.bytes.withUnsafeBytes { src in
                for (row, i) in indices.enumerated() {
                    if entries.count > 0 {
                        let r = entries.range(Int(i))
                        if !r.isEmpty { (data.pointer + at).copyMemory(from: src.baseAddress! + r.lowerBound, byteCount: r.count) }
                        at += r.count
                    }
                    o[row + 1] = Int32(truncatingIfNeeded: at)
                }
            }
            buffers = [validity, offsets, data]
        }
    }
}

@inline(__always) private func memsetZero(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) {
    p.initialize(repeating: 0, count: n)
}
