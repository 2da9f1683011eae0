/// A metadata frame (format 1.1, format-spec §3.4): the run's full key/value metadata, written in
/// the data region between chunk frames when a writer opens a file and whenever the metadata
/// changes, so that recovering a file whose footer was never written (or was cut by an append)
/// keeps the metadata of the last complete metadata frame.
///
/// Frame grammar (the chunk frame's prefix, with another magic and an empty body):
///   magic "TMET" / header_length u32 (H) / body_length u64 (= 0) / metadata (H bytes, RunMetadata)
///   / masked crc32c u32 over the H + 16 bytes before it
public enum MetadataFrame {
    public static let magic: [UInt8] = Array("TMET".utf8)

    /// Appends a whole metadata frame holding `metadata`.
    public static func encode(_ metadata: RunMetadata.Pairs, into w: inout ByteWriter) {
        let start = w.count
        w.writeBytes(magic)
        w.writeU32(0)
        w.writeU64(0)
        let headerStart = w.count
        RunMetadata.encode(metadata, into: &w)
        w.patchU32(UInt32(w.count - headerStart), at: start + 4)
        let crc = w.bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        w.writeU32(CRC32C.mask(crc))
    }

    /// Decodes the metadata of a frame whose bytes (prefix through CRC, CRC already checked) are
    /// `frame`, found at absolute file offset `offset`.
    public static func decode(_ frame: [UInt8], prefix: FramePrefix, offset: Int) throws(FormatError) -> RunMetadata.Pairs {
        var r = ByteReader(frame, range: ChunkHeader.prefixSize..<(ChunkHeader.prefixSize + prefix.headerLength), baseOffset: offset)
        let pairs = try RunMetadata.decode(&r)
        try r.requireAtEnd("metadata frame")
        return pairs
    }
}
