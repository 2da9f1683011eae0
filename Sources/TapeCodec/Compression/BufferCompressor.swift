/// Compresses whole buffers with a `Codec`, for formats other than Tape's own blocks (the Parquet
/// exporter): zstd as one frame, lz4 as one raw block (Parquet's LZ4_RAW), none as a copy.
/// Reuses one zstd context; not thread-safe.
public final class BufferCompressor {
    public let codec: Codec
    private let zstd: ZstdCompressor?
    private var scratch: [UInt8] = []

    /// Throws when zstd cannot allocate its context.
    public init(codec: Codec) throws {
        self.codec = codec
        if case .zstd = codec {
            guard let z = ZstdCompressor() else { throw CompressionError(description: "zstd: cannot create a context") }
            zstd = z
        } else {
            zstd = nil
        }
    }

    /// `src` compressed, appended to `out`; returns the number of bytes appended.
    @discardableResult
    public func compress(_ src: UnsafeRawBufferPointer, appendingTo out: inout [UInt8]) throws -> Int {
        switch codec {
        case .none:
            out.append(contentsOf: src)
            return src.count
        case .lz4:
            let bound = LZ4.bound(src.count)
            guard bound > 0 else { throw CompressionError(description: "lz4: input of \(src.count) bytes is too large") }
            return try append(bound, to: &out) { (dst) throws(CompressionError) -> Int in try LZ4.compress(src, into: dst) }
        case .zstd(let level):
            guard let zstd else { return 0 }
            return try append(ZstdCompressor.bound(src.count), to: &out) { (dst) throws(CompressionError) -> Int in
                try zstd.compress(src, into: dst, level: level)
            }
        }
    }

    private func append(_ bound: Int, to out: inout [UInt8],
                        _ body: (UnsafeMutableRawBufferPointer) throws(CompressionError) -> Int) throws -> Int {
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        let n = try scratch.withUnsafeMutableBytes { (dst: UnsafeMutableRawBufferPointer) throws(CompressionError) -> Int in try body(dst) }
        out.append(contentsOf: scratch[0..<n])
        return n
    }
}
