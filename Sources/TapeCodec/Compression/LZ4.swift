import CLZ4

/// LZ4 block format (no frame): the block descriptor's raw_length is the decompressed size.
enum LZ4 {
    /// Largest compressed size of `n` bytes (0 when `n` is too large for LZ4).
    static func bound(_ n: Int) -> Int {
        n > Int(LZ4_MAX_INPUT_SIZE) ? 0 : Int(LZ4_compressBound(Int32(n)))
    }

    /// Compresses `src` into `dst` and returns the compressed size.
    static func compress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws(CompressionError) -> Int {
        guard src.count <= Int(LZ4_MAX_INPUT_SIZE), let d = dst.baseAddress else {
            throw CompressionError(description: "lz4: input of \(src.count) bytes is too large")
        }
        var empty: CChar = 0
        let r = withUnsafePointer(to: &empty) { e in
            LZ4_compress_default(src.baseAddress?.assumingMemoryBound(to: CChar.self) ?? e,
                                 d.assumingMemoryBound(to: CChar.self),
                                 Int32(src.count), Int32(clamping: dst.count))
        }
        guard r > 0 else { throw CompressionError(description: "lz4: compression failed") }
        return Int(r)
    }

    /// Decompresses `src` into `dst`, which must come out exactly full.
    static func decompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws(CompressionError) {
        guard let s = src.baseAddress, src.count > 0, src.count <= Int(Int32.max), dst.count <= Int(Int32.max) else {
            throw CompressionError(description: "lz4: input of \(src.count) bytes cannot be a block")
        }
        var dummy: CChar = 0
        let r = withUnsafeMutablePointer(to: &dummy) { d in
            LZ4_decompress_safe(s.assumingMemoryBound(to: CChar.self),
                                dst.baseAddress?.assumingMemoryBound(to: CChar.self) ?? d,
                                Int32(src.count), Int32(dst.count))
        }
        guard r >= 0 else { throw CompressionError(description: "lz4: malformed block (error \(r))") }
        guard Int(r) == dst.count else { throw CompressionError(description: "lz4: decompressed \(r) bytes, expected \(dst.count)") }
    }
}
