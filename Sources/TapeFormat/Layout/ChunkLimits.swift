/// How much memory one chunk may take once decoded (format-spec §7): a reader checks a chunk's
/// descriptors against these bounds before it allocates anything for the chunk, so a small file
/// cannot claim gigabytes (a "decompression bomb" of all-null blocks, say); writers cut chunks so
/// that they never exceed them.
public enum ChunkLimits {
    /// Most rows in one chunk.
    public static let maxRows = 1 << 24
    /// Most bytes the blocks of one chunk may decode to, summed over its columns (64 MiB): a
    /// reader holding a few decoded chunks at once (one per thread) stays well within 512 MB.
    public static let maxDecodedBytes = 1 << 26

    /// Longest chunk header: 4,096 columns of 255-byte names and descriptors with 64-byte string
    /// statistics need under 2 MiB.
    public static let maxHeaderLength = 1 << 22
    /// Longest chunk body: blocks are stored compressed only when that saves, so a body is at most
    /// its raw payloads, which a chunk within `maxDecodedBytes` keeps far below 128 MiB.
    public static let maxBodyLength = 1 << 27

    /// The decoded size of a block (format-spec §7): 8 bytes per row for every type, plus the
    /// raw payload for strings (their bytes, offsets and dictionary live beside the row slots).
    /// An upper bound of what Tape's decoder allocates for the block's values.
    public static func decodedSize(type: ColumnType, rowCount: Int, rawLength: Int) -> Int {
        let slots = rowCount.multipliedReportingOverflow(by: 8)
        guard !slots.overflow else { return Int.max }
        guard type == .string else { return slots.partialValue }
        let total = slots.partialValue.addingReportingOverflow(rawLength)
        return total.overflow ? Int.max : total.partialValue
    }

    /// The decoded size of a chunk: the sum of its blocks' decoded sizes (saturating).
    public static func decodedSize(schema: Schema, rowCount: Int, blocks: [BlockDescriptor]) -> Int {
        var total = 0
        for (i, b) in blocks.enumerated() where i < schema.count {
            let s = total.addingReportingOverflow(decodedSize(type: schema[i].type, rowCount: rowCount, rawLength: b.rawLength))
            if s.overflow { return Int.max }
            total = s.partialValue
        }
        return total
    }
}
