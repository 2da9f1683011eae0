import TapeCodec

/// The distinct strings of one column chunk, in first-seen order, for RLE_DICTIONARY pages.
/// Bounded: past `maxEntries` entries or `maxBytes` bytes it refuses new strings (the column
/// chunk then writes its remaining pages PLAIN).
struct ParquetStringDictionary {
    let maxEntries: Int
    let maxBytes: Int
    private(set) var entries = StringArray()
    private var indexByString: [String: UInt32] = [:]

    init(maxEntries: Int, maxBytes: Int = 1 << 20) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    var count: Int { entries.count }

    /// The index of `utf8`, added if new; nil when it is new and the dictionary is full.
    mutating func index(of utf8: UnsafeRawBufferPointer) -> UInt32? {
        let key = String(decoding: utf8, as: UTF8.self)
        if let i = indexByString[key] { return i }
        guard entries.count < maxEntries, entries.bytes.count + utf8.count <= maxBytes else { return nil }
        let i = UInt32(entries.count)
        guard (try? entries.append(utf8: utf8)) != nil else { return nil }
        indexByString[key] = i
        return i
    }

    /// The PLAIN encoding of the entries (UInt32 length + bytes each): a dictionary page's body.
    func plainEncoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(entries.bytes.count + 4 * entries.count)
        for i in 0..<entries.count {
            entries.withUTF8(i) { b in
                withUnsafeBytes(of: UInt32(b.count).littleEndian) { out.append(contentsOf: $0) }
                out.append(contentsOf: b)
            }
        }
        return out
    }

    mutating func removeAll() {
        entries.removeAll()
        indexByString.removeAll(keepingCapacity: true)
    }
}
