import TapeFormat

/// The largest raw payload a valid block can have (format-spec §7), checked before anything is
/// allocated to decompress it, so a corrupt length cannot make a reader allocate without bound.
public enum RawLengthLimit {
    /// Most raw bytes of a block (or page) of `rowCount` rows of `type` stored with `codec` in
    /// `storedLength` bytes: fixed-width types hold at most validity + 8 bytes per value + DELTA's
    /// miniblock headers (≤ 12 bytes each) + slack; LZ4 expands at most 255-fold.
    public static func limit(type: ColumnType, rowCount: Int, codec: UInt8, storedLength: Int) -> Int {
        var limit = BlockDescriptor.maxRawLength
        if type != .string {
            limit = min(limit, rowCount / 8 + 1 + rowCount * 8 + (rowCount / 1024 + 1) * 12 + 64)
        }
        if codec == 1 { limit = min(limit, storedLength * 255 + 64) }
        return limit
    }
}
