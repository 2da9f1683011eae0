import Foundation
import Tape
import TapeFormat

/// The bytes of `tape summary`'s footer cache, `.tape-summary.cache` in a directory of runs
/// (README "Comparing runs"):
///
///     header   magic "TAPESUMC" (8 bytes), version u8 = 2
///     records  { length u32 LE, masked crc32c(payload) u32 LE, payload[length] } …
///     names    one more record of the same framing, kind 1 (below)
///     trailer  offset of the names record u64 LE, magic "TAPESUMT" (8 bytes)
///
///     run record payload:  kind u8 = 0, file name string (no '/'), size varint, mtime_ns i64,
///                          ctime_ns i64, inode varint, device varint, status u8, flags u8 (bit 0
///                          metrics stored, bit 1 identity stamped by the run's writer: not racy),
///                          n varint, n × { name id varint, value string }            (metadata, in order)
///                          m varint, m × { name id varint, kind u8 (0 f64, 1 i64, 2 timestamp), value u64 }
///     names payload:       kind u8 = 1, count varint, count × string   (name ids index this list)
///
/// Run records are sorted by file name bytes. The cache is an accelerator only: a record is used
/// when its file's current size, mtime, ctime, inode and device all equal the recorded ones, and
/// any damage (bad magic, checksum, length, name id) makes the reader ignore the rest of the file.
enum SummaryCacheFormat {
    static let fileName = ".tape-summary.cache"
    static let headerMagic = Array("TAPESUMC".utf8)
    static let trailerMagic = Array("TAPESUMT".utf8)
    /// 2: metrics of legacy files are stored upgraded (`RunMetrics.upgradingLegacyConventions`);
    /// a cache of another version is ignored and rewritten.
    static let version: UInt8 = 2
    static let headerSize = 9
    static let trailerSize = 16
    static let recordHeaderSize = 8
    /// Largest record payload a reader accepts (a run's metadata is bounded by the footer's limits).
    static let maxPayload = 64 << 20
    static let runKind: UInt8 = 0
    static let namesKind: UInt8 = 1

    /// Appends `payload` framed (length, masked CRC) to `out`.
    static func frame(_ payload: some Collection<UInt8>, into out: inout [UInt8]) {
        var w = ByteWriter()
        w.writeU32(UInt32(payload.count))
        let crc = payload.withContiguousStorageIfAvailable { CRC32C.mask(CRC32C.update(0, UnsafeRawBufferPointer($0))) }
            ?? Array(payload).withUnsafeBytes { CRC32C.mask(CRC32C.update(0, $0)) }
        w.writeU32(crc)
        out += w.bytes
        out += payload
    }

    /// Removes the temporary files of cache writes in `directory` whose writer process is gone
    /// (killed while writing): only names of the form `AtomicReplacement` gives this cache's
    /// temporary files, and only when their owner PID no longer exists.
    static func removeLeftovers(in directory: String) {
        guard let d = opendir(directory) else { return }
        var names: [String] = []
        let prefix = "." + fileName + "."
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.bindMemory(to: UInt8.self).prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(prefix), name.hasSuffix(".tmp") { names.append(name) }
        }
        closedir(d)
        for name in names where AtomicReplacement.isLeftover(name, in: directory, purposes: [temporaryPurpose]) {
            _ = unlink(directory + "/" + name)
        }
    }

    /// The purpose in the name of a cache's temporary file (`AtomicReplacement`).
    static let temporaryPurpose = "cache"
}

/// What identifies a file's content for the cache: if any of these changed, the file may have.
struct FileIdentity: Equatable, Sendable {
    var size: UInt64
    var mtime: Int64
    var ctime: Int64
    var inode: UInt64
    var device: UInt64

    /// The identity of the regular file at `path`, nil when it cannot be stat'ed or is not a file.
    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        self.init(st)
    }

    /// The identity of the regular file `name` (a NUL-terminated C string) in the directory open
    /// as `directory`: one `fstatat`, without walking the directory's path again.
    init?(directory: Int32, name: UnsafePointer<CChar>) {
        var st = stat()
        guard fstatat(directory, name, &st, 0) == 0 else { return nil }
        self.init(st)
    }

    /// The identity `st` describes, nil when it is not a regular file.
    init?(_ st: stat) {
        guard (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        size = UInt64(st.st_size)
        mtime = Int64(st.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_mtim.tv_nsec)
        ctime = Int64(st.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_ctim.tv_nsec)
        inode = UInt64(st.st_ino)
        device = UInt64(st.st_dev)
    }

    init(size: UInt64, mtime: Int64, ctime: Int64, inode: UInt64, device: UInt64) {
        self.size = size
        self.mtime = mtime
        self.ctime = ctime
        self.inode = inode
        self.device = device
    }

    /// Whether the file changed so recently (at or after `instant` − 1 s) that it might change
    /// again within the file system's timestamp granularity without its times moving: such a file
    /// is read, never cached (git's "racily clean" rule).
    func isRacy(at instant: Int64) -> Bool { max(mtime, ctime) >= instant &- 1_000_000_000 }
}

/// One run record of a cache, decoded up to its values (which `SummaryCacheRecord.values`
/// decodes on demand). It shares the bytes it was read from (no copy per record).
struct SummaryCacheRecord {
    /// The bytes holding the payload (a reader's buffer, or the payload alone) and its range there.
    let storage: [UInt8]
    let payloadRange: Range<Int>
    let nameRange: Range<Int>
    let identity: FileIdentity
    let status: RunStatus
    let metricsStored: Bool
    /// The identity was taken by the run's writer after it stamped the file's mtime
    /// (`SummaryJournal`): the record is not "racy" however recent the file.
    let stamped: Bool
    /// Where the metadata count starts in `storage`.
    let valuesStart: Int
    /// Offset just past this record in the cache it was read from.
    var end = 0

    /// The file name bytes.
    var name: ArraySlice<UInt8> { storage[nameRange] }
    /// The payload bytes.
    var payload: ArraySlice<UInt8> { storage[payloadRange] }

    /// Decodes the fixed part of a run record payload.
    init(payload: [UInt8]) throws(FormatError) {
        try self.init(storage: payload, range: payload.indices)
    }

    /// Decodes the fixed part of the run record payload at `storage[range]`.
    init(storage: [UInt8], range: Range<Int>) throws(FormatError) {
        let head = try storage.withUnsafeBufferPointer { (typed) throws(FormatError) in
            var r = RecordCursor(bytes: UnsafeRawBufferPointer(typed), at: range.lowerBound, end: range.upperBound, base: range.lowerBound)
            guard try r.u8() == SummaryCacheFormat.runKind else { throw r.failure("not a run record") }
            let name = try r.range(try r.count(limit: r.remaining))
            let size = try r.varint()
            let mtime = Int64(bitPattern: try r.u64()), ctime = Int64(bitPattern: try r.u64())
            let identity = FileIdentity(size: size, mtime: mtime, ctime: ctime, inode: try r.varint(), device: try r.varint())
            guard let status = RunStatus(rawValue: try r.u8()) else { throw r.failure("unknown status") }
            let flags = try r.u8()
            return (name, identity, status, flags, r.at)
        }
        (nameRange, identity, status) = (head.0, head.1, head.2)
        metricsStored = head.3 & 1 != 0
        stamped = head.3 & 2 != 0
        self.storage = storage
        payloadRange = range
        valuesStart = head.4
    }

    /// Decodes the metadata and metrics, calling `metadata(nameID, value)` and
    /// `metric(nameID, value)` for each; a name id ≥ `names` is an error. A metadata value is
    /// made a `String` only when its callback asks for it (most are not shown); bytes that are not
    /// UTF-8 (only a forged cache has them: records are checksummed) are repaired, not trusted.
    func values(names: Int, metadata: (Int, () -> String) -> Void, metric: (Int, RunMetrics.Value) -> Void) throws(FormatError) {
        try storage.withUnsafeBufferPointer { (typed) throws(FormatError) in
            let bytes = UnsafeRawBufferPointer(typed)
            var r = RecordCursor(bytes: bytes, at: valuesStart, end: payloadRange.upperBound, base: payloadRange.lowerBound)
            let n = try r.count(limit: r.remaining / 2)
            for _ in 0..<n {
                let id = try r.count(limit: names - 1)
                let value = try r.range(try r.count(limit: r.remaining))
                metadata(id) { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[value]), as: UTF8.self) }
            }
            let m = try r.count(limit: r.remaining / 10)
            for _ in 0..<m {
                let id = try r.count(limit: names - 1)
                let kind = try r.u8()
                guard let value = RunMetrics.Value(kind: kind, bits: try r.u64()) else { throw r.failure("unknown metric kind \(kind)") }
                metric(id, value)
            }
            guard r.remaining == 0 else { throw r.failure("\(r.remaining) bytes after the record") }
        }
    }

    /// The run's facts, with names from `names`.
    func facts(names: [String]) throws(FormatError) -> RunFacts {
        var meta: [(key: String, value: String)] = [], metrics: [(name: String, value: RunMetrics.Value)] = []
        try values(names: names.count, metadata: { meta.append((names[$0], $1())) }, metric: { metrics.append((names[$0], $1)) })
        return RunFacts(metadata: meta, metrics: RunMetrics(entries: metrics), status: status, metricsStored: metricsStored)
    }

    /// The payload of a run record for `facts`, giving names ids through `id`.
    static func payload(name: [UInt8], identity: FileIdentity, facts: RunFacts, id: (String) -> Int) -> [UInt8] {
        var w = ByteWriter()
        writeHead(name: name, identity: identity, status: facts.status, metricsStored: facts.metricsStored, into: &w)
        w.writeVarint(UInt64(facts.metadata.count))
        for (k, v) in facts.metadata {
            w.writeVarint(UInt64(id(k)))
            w.writeString(v)
        }
        w.writeVarint(UInt64(facts.metrics.entries.count))
        for (k, v) in facts.metrics.entries {
            w.writeVarint(UInt64(id(k)))
            w.writeU8(v.kind)
            w.writeU64(v.bits)
        }
        return w.bytes
    }

    /// Writes the fixed part of a run record payload: kind, file name, identity, status and
    /// whether the metrics were stored (the metadata and metrics follow).
    static func writeHead(name: some Collection<UInt8>, identity: FileIdentity, status: RunStatus, metricsStored: Bool, stamped: Bool = false,
                          into w: inout ByteWriter) {
        w.writeU8(SummaryCacheFormat.runKind)
        w.writeVarint(UInt64(name.count))
        w.writeBytes(name)
        w.writeVarint(identity.size)
        w.writeI64(identity.mtime)
        w.writeI64(identity.ctime)
        w.writeVarint(identity.inode)
        w.writeVarint(identity.device)
        w.writeU8(status.rawValue)
        w.writeU8((metricsStored ? 1 : 0) | (stamped ? 2 : 0))
    }
}

extension RunMetrics.Value {
    /// The value of kind code `kind` with 8 bytes `bits`, as the metrics section (format-spec
    /// §6.1) and the cache store it: 0 float64, 1 int64, 2 timestamp; nil for another code.
    init?(kind: UInt8, bits: UInt64) {
        switch kind {
        case 0: self = .double(Double(bitPattern: bits))
        case 1: self = .int(Int64(bitPattern: bits))
        case 2: self = .timestamp(Int64(bitPattern: bits))
        default: return nil
        }
    }

    /// The kind code (`init(kind:bits:)`).
    var kind: UInt8 {
        switch self {
        case .double: return 0
        case .int: return 1
        case .timestamp: return 2
        }
    }

    /// The 8 bytes stored (`init(kind:bits:)`).
    var bits: UInt64 {
        switch self {
        case .double(let d): return d.bitPattern
        case .int(let i), .timestamp(let i): return UInt64(bitPattern: i)
        }
    }
}

/// A bounds-checked cursor over a record's bytes, for the per-run hot path (the cache holds a
/// million records: `ByteReader`'s calls across modules cost more than the decoding itself).
/// Every read checks its bounds and throws `FormatError` naming the record offset.
private struct RecordCursor {
    let bytes: UnsafeRawBufferPointer
    var at: Int
    let end: Int
    /// Offset of the payload start (errors name offsets within the payload).
    let base: Int

    var remaining: Int { end - at }

    func failure(_ reason: String) -> FormatError {
        .invalid(what: "summary cache record", offset: at - base, reason: reason)
    }

    mutating func varint() throws(FormatError) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while at < end {
            let b = bytes[at]
            at += 1
            guard shift < 64, shift < 63 || b <= 1 else { throw failure("varint overflows 64 bits") }
            v |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return v }
            shift += 7
        }
        throw failure("truncated varint")
    }

    /// A varint that must be at most `limit`.
    mutating func count(limit: Int) throws(FormatError) -> Int {
        let v = try varint()
        guard limit >= 0, v <= UInt64(limit) else { throw failure("count \(v) above \(limit)") }
        return Int(v)
    }

    mutating func u8() throws(FormatError) -> UInt8 {
        guard at < end else { throw failure("truncated") }
        defer { at += 1 }
        return bytes[at]
    }

    mutating func u64() throws(FormatError) -> UInt64 {
        guard end - at >= 8 else { throw failure("truncated") }
        defer { at += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }

    mutating func range(_ n: Int) throws(FormatError) -> Range<Int> {
        guard n >= 0, end - at >= n else { throw failure("truncated") }
        defer { at += n }
        return at..<(at + n)
    }
}
