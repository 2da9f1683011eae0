/// The key/value run metadata as stored in the footer (format-spec §6) and in metadata frames
/// (format-spec §3.4).
///
/// Grammar: metadata_count varint / metadata_count × { key string, value string }   (keys unique)
public enum RunMetadata {
    public typealias Pairs = [(key: String, value: String)]

    public static func encode(_ pairs: Pairs, into w: inout ByteWriter) {
        w.writeVarint(UInt64(pairs.count))
        for (k, v) in pairs {
            w.writeString(k)
            w.writeString(v)
        }
    }

    /// Decodes the pairs at `r`; a repeated key is corrupt.
    public static func decode(_ r: inout ByteReader) throws(FormatError) -> Pairs {
        let count = try r.readCount("metadata count", limit: min(r.remaining / 2, IndexLimits.maxMetadataPairs))
        var pairs: Pairs = []
        var seen = Set<String>()
        for _ in 0..<count {
            let at = r.absoluteOffset
            let k = try r.readString("metadata key")
            let v = try r.readString("metadata value")
            guard seen.insert(k).inserted else { throw .invalid(what: "metadata", offset: at, reason: "duplicate key '\(k)'") }
            pairs.append((k, v))
        }
        return pairs
    }
}
