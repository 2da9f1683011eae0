/// Run paths held compactly, for commands over very many runs (`tape summary` over a million):
/// every path's UTF-8 bytes, each followed by a NUL, in one array, and where each starts — about
/// the path's length plus 9 bytes per run, against ~80 for a `String` per path. A path reads back
/// as a `String` on demand, as its bytes, or as a C string for a system call.
struct RunPathList: RandomAccessCollection, Sendable {
    private var bytes: [UInt8] = []
    private var starts: [Int] = []

    init() {}

    /// The list of `paths`, in order.
    init(_ paths: [String]) {
        for p in paths { append(p.utf8) }
    }

    var startIndex: Int { 0 }
    var endIndex: Int { starts.count }

    /// Path `i`.
    subscript(i: Int) -> String { String(decoding: utf8(i), as: UTF8.self) }

    /// The bytes of path `i` (without its NUL).
    func utf8(_ i: Int) -> ArraySlice<UInt8> { bytes[starts[i]..<end(i)] }

    /// Appends a path (bytes without NUL).
    mutating func append(_ path: some Collection<UInt8>) {
        starts.append(bytes.count)
        bytes.append(contentsOf: path)
        bytes.append(0)
    }

    /// Makes room for `paths` more paths holding `bytes` more bytes (NULs included) in all.
    mutating func reserveCapacity(paths: Int, bytes: Int) {
        starts.reserveCapacity(starts.count + paths)
        self.bytes.reserveCapacity(self.bytes.count + bytes)
    }

    /// The bytes this list holds (NULs included).
    var byteCount: Int { bytes.count }

    /// Appends every path of `other`, in order.
    mutating func append(contentsOf other: RunPathList) {
        let base = bytes.count
        for s in other.starts { starts.append(base + s) }
        bytes.append(contentsOf: other.bytes)
    }

    /// Index just past path `i`'s last byte (where its NUL is).
    private func end(_ i: Int) -> Int { (i + 1 < starts.count ? starts[i + 1] : bytes.count) - 1 }

    /// Offset in path `i` of its last component (after the last '/'; 0 when it has none).
    func nameOffset(_ i: Int) -> Int {
        let b = utf8(i)
        return b.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 - b.startIndex } ?? 0
    }

    /// The last component of path `i` (its file name).
    func name(_ i: Int) -> ArraySlice<UInt8> { utf8(i).dropFirst(nameOffset(i)) }

    /// Calls `body` with path `i` from byte `offset` on as a NUL-terminated C string.
    func withCString<R>(_ i: Int, from offset: Int = 0, _ body: (UnsafePointer<CChar>) -> R) -> R {
        bytes.withUnsafeBufferPointer { b in
            b.baseAddress!.advanced(by: starts[i] + offset).withMemoryRebound(to: CChar.self, capacity: 1, body)
        }
    }
}
