import TapeCodec
import TapeFormat
#if canImport(Glibc)
import Glibc
#endif

/// The Arrow buffers of one column of a batch (Arrow columnar format, "Buffer listing for each
/// layout"):
///   int64, timestamp (`l`, `tsn:UTC`), float64 (`g`): [validity, values: 8 bytes per row]
///   bool (`b`):                                     [validity, values: 1 bit per row, LSB first]
///   string (`u`):                                   [validity, int32 offsets (rows + 1), UTF-8 bytes]
///   dictionary string (`i` + dictionary `u`):       [validity, int32 indices]; the dictionary's
///                                                   [NULL, int32 offsets, UTF-8 bytes]
/// Validity is NULL when the column has no nulls, else ceil(rows / 8) bytes, LSB first, 1 = valid.
///
/// No row-wise conversion: validity words, fixed-width values, string offsets and bytes and
/// dictionary indices and entries are Tape's own arrays, shared with the consumer without a copy
/// (`ArrowBuffer.sharing`; 32-bit offsets and indices have the same bits as Arrow's int32 ones
/// once checked below 2^31). Only booleans are packed into bits here, and a column exported as a
/// dictionary whose batch holds plain strings is dictionary-encoded (by bytes, no `String`).
struct ArrowColumnBuffers {
    /// `nil` entries are NULL buffers.
    var buffers: [ArrowBuffer?]
    var nullCount: Int
    /// For a dictionary-encoded column: the dictionary's buffers and its entry count.
    var dictionary: (buffers: [ArrowBuffer?], count: Int)?

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

    /// The format of a dictionary-encoded string column's indices (its dictionary is `u`).
    static let dictionaryIndexFormat = "i"

    /// Most UTF-8 bytes one string column of a batch may hold with int32 offsets.
    static let maxStringBytes = Int(Int32.max)

    /// `column`'s buffers (a string column as a dictionary when `asDictionary`); throws when its
    /// strings exceed `maxStringBytes` or a dictionary exceeds int32 indices.
    init(_ column: ColumnData, asDictionary: Bool = false) throws(BridgeError) {
        let n = column.count
        nullCount = column.nullCount
        var validity: ArrowBuffer?
        if nullCount > 0, let bits = column.validity { validity = try ArrowBuffer.sharing(bits.words) }
        switch column.storage {
        case .int64(let v):
            buffers = [validity, try ArrowBuffer.sharing(v)]
        case .float64(let v):
            buffers = [validity, try ArrowBuffer.sharing(v)]
        case .bool(let v):
            // Bit-packed already (Arrow's boolean layout): shared like the other buffers.
            buffers = [validity, try ArrowBuffer.sharing(v.words)]
        case .strings(let s) where asDictionary:
            var d = ByteDictionary()
            var indices = [UInt32](repeating: 0, count: n)
            for r in 0..<n where !column.isNull(r) {
                guard let i = s.withUTF8(r, { d.index(of: $0) }) else { throw BridgeError.stringsTooLarge(s.bytes.count) }
                indices[r] = i
            }
            self = try ArrowColumnBuffers(validity: validity, nullCount: nullCount, entries: d.entries, indices: indices)
        case .dictionary(let entries, let indices) where asDictionary:
            self = try ArrowColumnBuffers(validity: validity, nullCount: nullCount, entries: entries, indices: indices)
        case .strings(let s):
            buffers = [validity] + (try Self.utf8(s))
        case .dictionary(let entries, let indices):
            // Plain utf8 wanted: the entries' bytes row by row (what a dictionary is, undone).
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
        case .interval(let v):
            // Intervals travel as their text, as every output prints them.
            guard let text = try? StringArray(v.map(\.description)) else { throw BridgeError.stringsTooLarge(StringArray.maxBytes) }
            buffers = [validity] + (try Self.utf8(text))
        case .constant:
            // A consumer of Arrow buffers needs every slot.
            self = try ArrowColumnBuffers(column.spread(), asDictionary: asDictionary)
        }
    }

    /// A dictionary column: int32 indices into `entries` (a null row's index is ignored; an empty
    /// dictionary gets one empty entry so that every index is in range).
    private init(validity: ArrowBuffer?, nullCount: Int, entries: StringArray, indices: [UInt32]) throws(BridgeError) {
        let entries = entries.count == 0 ? StringArray.oneEmptyString : entries
        guard entries.count <= Int(Int32.max) else {
            throw BridgeError(code: EOVERFLOW, message: "a dictionary column of one batch has \(entries.count) entries, more than int32 indices address")
        }
        self.nullCount = nullCount
        buffers = [validity, try ArrowBuffer.sharing(indices)]
        dictionary = ([nil] + (try Self.utf8(entries)), entries.count)
    }

    /// The offsets and bytes buffers of `s`, shared.
    private static func utf8(_ s: StringArray) throws(BridgeError) -> [ArrowBuffer?] {
        guard s.bytes.count <= ArrowColumnBuffers.maxStringBytes else { throw BridgeError.stringsTooLarge(s.bytes.count) }
        return [try ArrowBuffer.sharing(s.offsets), try ArrowBuffer.sharing(s.bytes)]
    }
}
