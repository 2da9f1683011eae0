#if canImport(Glibc)
import Glibc
#endif

/// Memory handed to an Arrow consumer: 64-byte aligned, its length rounded up to a multiple of
/// 64 with the padding zeroed (the Arrow columnar format's recommendation), never NULL (at least
/// 64 bytes even for an empty buffer). Freed with `free` by the owner of the array it belongs to.
struct ArrowBuffer {
    /// Alignment and padding of every buffer.
    static let alignment = 64

    let pointer: UnsafeMutableRawPointer

    /// REQUIRES: `byteCount >= 0`. Allocation failure ends the process as any Swift allocation does.
    init(byteCount: Int) {
        let padded = max(ArrowBuffer.alignment, (byteCount + ArrowBuffer.alignment - 1) / ArrowBuffer.alignment * ArrowBuffer.alignment)
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, ArrowBuffer.alignment, padded) == 0, let raw else {
            fatalError("out of memory allocating \(padded) bytes for an Arrow buffer")
        }
        pointer = raw
        // Zero the tail padding (the whole buffer for bitmaps, whose last byte is partly used).
        let tail = byteCount & ~(ArrowBuffer.alignment - 1)
        memset(raw + tail, 0, padded - tail)
    }

    /// A buffer holding a copy of `bytes`.
    init(copying bytes: UnsafeRawBufferPointer) {
        self.init(byteCount: bytes.count)
        if let base = bytes.baseAddress, bytes.count > 0 { pointer.copyMemory(from: base, byteCount: bytes.count) }
    }

    func free() { Glibc.free(pointer) }
}
