/// Limits on the size of a file's index: its footer, the chunks and tables the footer (or, in a
/// file without one, the frames) describe, and its metadata (format-spec §7).
///
/// The footer is decoded whole into memory, at several times its encoded size (a block descriptor
/// takes a few bytes on disk and tens of bytes decoded), so these bound what a crafted footer or a
/// long run of tiny frames can make a reader allocate: a footer at every limit decodes to about
/// 200 MiB. Writers stay within them (`TapeWriter` refuses a row that would start a chunk past
/// them); a file that breaks one is corrupt.
public enum IndexLimits {
    /// Longest footer frame.
    public static let maxFooterLength = 64 << 20
    /// Most index entries a file may describe: a table counts `entries(columns:)` for its
    /// definition, and again for each of its chunks.
    public static let maxEntries = 1 << 19
    /// Most key/value pairs in the run metadata (footer or metadata frame).
    public static let maxMetadataPairs = 1 << 16
    /// Most bytes of encoded run metadata: what one metadata frame's header may hold.
    public static let maxMetadataBytes = ChunkLimits.maxHeaderLength

    /// Why `pairs` break the metadata limits, or nil.
    public static func metadataProblem(_ pairs: RunMetadata.Pairs) -> String? {
        var w = ByteWriter()
        RunMetadata.encode(pairs, into: &w)
        guard pairs.count > maxMetadataPairs || w.count > maxMetadataBytes else { return nil }
        return "\(pairs.count) keys in \(w.count) bytes, more than the run metadata may hold (\(maxMetadataPairs) keys, "
            + "\(maxMetadataBytes >> 20) MiB; format-spec §7)"
    }

    /// Index entries of one table definition or one chunk of a table of `columns` columns.
    @inline(__always)
    public static func entries(columns: Int) -> Int { 1 + columns }
}

extension IndexLimits {
    /// The most bytes one footer chunk entry of a table with `schema` can take: five varints, and
    /// per column a block descriptor with its longest statistics and a checksum.
    public static func maxChunkEntryBytes(_ schema: Schema) -> Int {
        schema.columns.reduce(5 * 10) { total, c in
            let stats: Int
            switch c.type {
            case .int64, .timestamp: stats = 2 * 10
            case .float64: stats = 2 * 8
            case .bool: stats = 2
            case .string: stats = 2 * (2 + ColumnStats.maxStringBytes)
            }
            return total + 2 + 3 * 10 + 1 + stats + 4
        }
    }
}
