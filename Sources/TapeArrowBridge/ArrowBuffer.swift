#if canImport(Glibc)
import Glibc
#endif

/// Memory handed to an Arrow consumer, never NULL, freed (or let go) when the last reference goes
/// (the `ArrayOwner` of the exported array, or the converter when an export fails half way).
///
/// Two kinds: memory allocated here, 64-byte aligned with its length rounded up to a multiple of
/// 64 and the padding zeroed (the Arrow columnar format's recommendation); or the elements of a
/// Swift array shared without a copy (`sharing`): the buffer holds the array, so its storage stays
/// alive and unchanged (any writer copies on write) until the consumer releases the array. Shared
/// storage is aligned to its element type, which is what the C Data Interface asks for.
final class ArrowBuffer {
    /// Alignment and padding of every allocated buffer.
    static let alignment = 64

    let pointer: UnsafeMutableRawPointer
    /// The array whose elements `pointer` addresses, or nil when `pointer` was allocated here.
    private let shared: Any?

    /// REQUIRES: `byteCount >= 0`. Throws when the memory cannot be had.
    init(byteCount: Int) throws(BridgeError) {
        let padded = max(ArrowBuffer.alignment, (byteCount + ArrowBuffer.alignment - 1) / ArrowBuffer.alignment * ArrowBuffer.alignment)
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, ArrowBuffer.alignment, padded) == 0, let raw else {
            throw BridgeError(code: ENOMEM, message: "out of memory allocating \(padded) bytes for an Arrow buffer")
        }
        pointer = raw
        shared = nil
        // Zero the tail padding (the whole buffer for bitmaps, whose last byte is partly used).
        let tail = byteCount & ~(ArrowBuffer.alignment - 1)
        memset(raw + tail, 0, padded - tail)
    }

    private init(pointer: UnsafeMutableRawPointer, sharing array: Any) {
        self.pointer = pointer
        shared = array
    }

    /// A buffer holding a copy of the first `byteCount` bytes of `array`'s elements (all of them by default).
    convenience init<T>(copying array: [T], byteCount: Int? = nil) throws(BridgeError) {
        let count = byteCount ?? array.count * MemoryLayout<T>.stride
        try self.init(byteCount: count)
        array.withUnsafeBytes { src in
            if let base = src.baseAddress, count > 0 { pointer.copyMemory(from: base, byteCount: min(count, src.count)) }
        }
    }

    /// `array`'s elements without a copy; an empty array (whose storage may be shared by every
    /// empty array) or storage not aligned to `T` gets an allocated copy instead.
    static func sharing<T>(_ array: [T]) throws(BridgeError) -> ArrowBuffer {
        let base = array.withUnsafeBytes { $0.baseAddress }
        guard !array.isEmpty, let base, Int(bitPattern: base) % MemoryLayout<T>.alignment == 0 else {
            return try ArrowBuffer(copying: array)
        }
        return ArrowBuffer(pointer: UnsafeMutableRawPointer(mutating: base), sharing: array)
    }

    /// Whether the buffer addresses a Swift array's storage rather than memory allocated here.
    var isShared: Bool { shared != nil }

    deinit { if shared == nil { free(pointer) } }
}
