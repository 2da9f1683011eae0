import CZstd

/// zstd compression with a reusable `ZSTD_CCtx` (format-spec §3.3: one zstd frame per block).
/// Not thread-safe: one per encoder.
final class ZstdCompressor {
    private let context: OpaquePointer

    /// nil only if zstd cannot allocate its context.
    init?() {
        guard let c = ZSTD_createCCtx() else { return nil }
        context = c
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Largest compressed size of `n` bytes.
    static func bound(_ n: Int) -> Int { ZSTD_compressBound(n) }

    /// Compresses `src` as one frame into `dst` and returns the frame's size.
    func compress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer, level: Int32) throws(CompressionError) -> Int {
        let r = ZSTD_compressCCtx(context, dst.baseAddress, dst.count, src.baseAddress, src.count, level)
        if ZSTD_isError(r) != 0 { throw CompressionError(description: "zstd: " + String(cString: ZSTD_getErrorName(r))) }
        return r
    }
}

/// zstd decompression with a reusable `ZSTD_DCtx`. Not thread-safe: one per decoder.
final class ZstdDecompressor {
    private let context: OpaquePointer

    init?() {
        guard let c = ZSTD_createDCtx() else { return nil }
        context = c
    }

    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses exactly one frame `src` into `dst`, which must come out exactly full.
    func decompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws(CompressionError) {
        guard let s = src.baseAddress, src.count > 0 else { throw CompressionError(description: "zstd: empty input") }
        let frameSize = ZSTD_findFrameCompressedSize(s, src.count)
        if ZSTD_isError(frameSize) != 0 { throw CompressionError(description: "zstd: " + String(cString: ZSTD_getErrorName(frameSize))) }
        guard frameSize == src.count else {
            throw CompressionError(description: "zstd: frame is \(frameSize) bytes but the block is \(src.count)")
        }
        // UInt64.max: size unknown (allowed); UInt64.max - 1: error.
        let declared = ZSTD_getFrameContentSize(s, src.count)
        if declared == UInt64.max - 1 { throw CompressionError(description: "zstd: unreadable frame header") }
        if declared != UInt64.max && declared != UInt64(dst.count) {
            throw CompressionError(description: "zstd: frame declares \(declared) bytes, block descriptor \(dst.count)")
        }
        // A zero-capacity destination still needs a valid pointer.
        var dummy: UInt8 = 0
        let r = withUnsafeMutablePointer(to: &dummy) { d in
            ZSTD_decompressDCtx(context, dst.baseAddress ?? UnsafeMutableRawPointer(d), dst.count, s, src.count)
        }
        if ZSTD_isError(r) != 0 { throw CompressionError(description: "zstd: " + String(cString: ZSTD_getErrorName(r))) }
        guard r == dst.count else { throw CompressionError(description: "zstd: decompressed \(r) bytes, expected \(dst.count)") }
    }
}
