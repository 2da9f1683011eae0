#if canImport(Glibc)
import Glibc
#endif

/// Memory handed to an Arrow consumer: 64-byte aligned, its length rounded up to a multiple of
/// 64 with the padding zeroed (the Arrow columnar format's recommendation), never NULL (at least
/// 64 bytes even for an empty buffer). Freed when the last reference goes (the `ArrayOwner` of the
/// exported array, or the converter when an export fails half way).
final class ArrowBuffer {
    /// Alignment and padding of every buffer.
    static let alignment = 64

    let pointer: UnsafeMutableRawPointer

    /// REQUIRES: `byteCount >= 0`. Throws when the memory cannot be had.
    init(byteCount: Int) throws(BridgeError) {
        let padded = max(ArrowBuffer.alignment, (byteCount + ArrowBuffer.alignment - 1) / ArrowBuffer.alignment * ArrowBuffer.alignment)
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, ArrowBuffer.alignment, padded) == 0, let raw else {
            throw BridgeError(code: ENOMEM, message: "out of memory allocating \(padded) bytes for an Arrow buffer")
        }
        pointer = raw
        // Zero the tail padding (the whole buffer for bitmaps, whose last byte is partly used).
        let tail = byteCount & ~(ArrowBuffer.alignment - 1)
        memset(raw + tail, 0, padded - tail)
    }

    /// A buffer holding a copy of `bytes`.
    /// A buffer holding a copy of the first `byteCount` bytes of `array`'s elements (all of them by default).
    convenience init<T>(copying array: [T], byteCount: Int? = nil) throws(BridgeError) {
        let count = byteCount ?? array.count * MemoryLayout<T>.stride
        try self.init(byteCount: count)
        array.withUnsafeBytes { src in
            if let base = src.baseAddress, count > 0 { pointer.copyMemory(from: base, byteCount: min(count, src.count)) }
        }
    }

    deinit { free(pointer) }
}
