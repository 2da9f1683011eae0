import Foundation
import Tape
import TapeFormat

/// `tape summary`'s fast way to a run's facts: one `openat`, one `fstat` (the identity the cache
/// records), one `pread` of a small file (two of a large one: trailer, then footer), `close`, then
/// a walk over the footer's bytes that keeps only where the metadata and the metrics section are
/// — no `TapeReader`, no strings, no schemas or chunk index kept.
///
/// It vouches only for the common case: a sealed file of a format version whose footer grammar
/// it knows (minor ≤ 4, format-spec §6), footer checksum right, metadata keys unique and valid
/// UTF-8, one metrics section of version 1 whose entries are of known kinds and valid UTF-8 (a
/// section of legacy conventions is read by `RunMetrics(section:)`, which upgrades it). Anything
/// else — unsealed, damaged, locked, no stored metrics — returns nil and the run is read
/// by `RunFacts(path:)`, whose answer or error is then the command's. Where both accept a file
/// they give the same facts (`SummaryFastPathTests`). The table index is walked by its grammar
/// (schemas and block descriptors decoded and checked as the reader does) but its cross-checks
/// (chunk offsets against the file, row continuity, duplicate table names) are left to the
/// readers of the tables: summary uses no table.
struct ScannedFooter {
    /// The file's identity from `fstat` of the descriptor the bytes were read through, before
    /// reading them.
    let identity: FileIdentity
    /// Bytes holding the footer (the whole file when small).
    let bytes: [UInt8]
    /// Where the first metadata pair starts in `bytes`, and the pair count.
    let metadataStart: Int, metadataCount: Int
    /// Where the first metrics entry starts in `bytes`, and the entry count.
    let metricsStart: Int, metricsCount: Int
    let status: RunStatus
    /// The metrics as `RunMetrics(section:)` reads them, for a section written before
    /// `expectancy_r` or `periods_per_year` (legacy conventions it upgrades); nil otherwise (the
    /// entries are then the stored ones, `forEachMetric`).
    let upgradedMetrics: RunMetrics?
    /// The identity was taken by the run's writer after it stamped the file's mtime (a summary
    /// journal record, `SummaryJournal`), not by this scan: not racy.
    var stamped = false

    /// Highest format minor version whose footer grammar this scan knows. 1.4 added the PAGED
    /// block encoding (inside blocks; its descriptors in the index are ordinary block
    /// descriptors), not footer grammar. A later minor version is read by the full reader until
    /// this is raised (`SummaryFastPathTests` fails on files the current writer makes).
    static let knownMinorVersion: UInt16 = 4

    /// Scans the run `name` (NUL-terminated) in the directory open as `directory`; nil when the
    /// full reader must read it.
    static func scan(directory: Int32, name: UnsafePointer<CChar>) -> ScannedFooter? {
        let fd = openat(directory, name, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, let identity = FileIdentity(st) else { return nil }
        let size = Int(st.st_size)
        guard size >= FileHeader.size + Trailer.size else { return nil }
        // A small file whole (one read), a large one by its trailer and then its footer.
        let footerBase: Int
        let bytes: [UInt8]
        let trailer: Trailer
        if size <= wholeReadLimit {
            guard let all = read(fd, at: 0, count: size),
                  (try? FileHeader.validate(Array(all[0..<FileHeader.size]))).map({ $0 <= knownMinorVersion }) == true,
                  let t = try? Trailer(decoding: Array(all[(size - Trailer.size)...]), fileSize: size) else { return nil }
            (footerBase, bytes, trailer) = (0, all, t)
        } else {
            guard let head = read(fd, at: 0, count: FileHeader.size),
                  (try? FileHeader.validate(head)).map({ $0 <= knownMinorVersion }) == true,
                  let tail = read(fd, at: size - Trailer.size, count: Trailer.size),
                  let t = try? Trailer(decoding: tail, fileSize: size),
                  let footer = read(fd, at: Int(t.footerOffset), count: Int(t.footerLength)) else { return nil }
            (footerBase, bytes, trailer) = (Int(t.footerOffset), footer, t)
        }
        // The trailer was validated: the footer lies between the header and the trailer.
        let start = Int(trailer.footerOffset) - footerBase
        let range = start..<(start + Int(trailer.footerLength))
        let crc = bytes.withUnsafeBytes { CRC32C.mask(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[range]))) }
        guard crc == trailer.footerCRC else { return nil }
        return try? walk(bytes, range: range, baseOffset: footerBase, identity: identity)
    }

    /// Up to this many metadata keys are checked for repeats pairwise, more through a set.
    static let fewKeys = 32

    /// Files up to this size are read whole (as `TapeReader` does).
    static let wholeReadLimit = 64 << 10

    /// Walks the footer frame at `bytes[range]` (format-spec §6); throws (→ nil) on anything the
    /// scan does not vouch for.
    private static func walk(_ bytes: [UInt8], range: Range<Int>, baseOffset: Int, identity: FileIdentity) throws(FormatError) -> ScannedFooter? {
        var r = ByteReader(bytes, range: range, baseOffset: baseOffset)
        let magic = try r.readRange(4, "footer magic")
        guard bytes[magic].elementsEqual(Footer.magic) else { return nil }
        guard let (metadataStart, metadataCount, status) = try metadata(&r, bytes) else { return nil }
        // table_count varint / table_entry*: checked as the full reader checks it, nothing kept.
        _ = try Footer.decodeTables(&r, dataEnd: baseOffset + range.lowerBound, keep: false)
        // section_count varint / { tag varint, length varint, bytes }*: the metrics section (the last of tag 1).
        let sections = try r.readCount("section count", limit: r.remaining / 2)
        var metrics: Range<Int>?
        for _ in 0..<sections {
            let tag = try r.readVarint("section tag")
            let length = try r.readCount("section length", limit: r.remaining)
            let section = try r.readRange(length, "section")
            if tag == RunMetrics.sectionTag { metrics = section }
        }
        try r.requireAtEnd("footer")
        guard let metrics, let m = try metricsEntries(bytes, metrics, baseOffset: baseOffset) else { return nil }
        return ScannedFooter(identity: identity, bytes: bytes, metadataStart: metadataStart, metadataCount: metadataCount,
                             metricsStart: m.start, metricsCount: m.count, status: status, upgradedMetrics: m.upgraded)
    }

    /// Walks the metadata of a footer (or of a summary journal record) at `r`:
    /// `metadata_count varint / { key string, value string }*`; nil when a key repeats or a string
    /// is not UTF-8. Gives where the first pair starts, the count and the run's status.
    static func metadata(_ r: inout ByteReader, _ bytes: [UInt8]) throws(FormatError) -> (start: Int, count: Int, status: RunStatus)? {
        let metadataCount = try r.readCount("metadata count", limit: min(r.remaining / 2, IndexLimits.maxMetadataPairs))
        let metadataStart = r.position
        var keys: [Range<Int>] = []
        var keySet = Set<ArraySlice<UInt8>>()   // for many pairs (up to 65,536): no quadratic check
        keys.reserveCapacity(min(metadataCount, Self.fewKeys))
        var status = RunStatus.complete
        for _ in 0..<metadataCount {
            let key = try string(&r, bytes)
            let value = try string(&r, bytes)
            guard let key, let value else { return nil }
            // Keys unique (compared as bytes: equal strings are equal bytes).
            if metadataCount <= Self.fewKeys {
                for k in keys where k.count == key.count && bytes[k].elementsEqual(bytes[key]) { return nil }
                keys.append(key)
            } else {
                guard keySet.insert(bytes[key]).inserted else { return nil }
            }
            if equal(bytes[value], "true") { status = status.noting(key: bytes[key]) }
        }
        return (metadataStart, metadataCount, status)
    }

    /// Walks a metrics section at `bytes[metrics]` (format-spec §6.1):
    /// `version u8 = 1 / count varint / { name string, kind u8, value 8 bytes }*`; nil when it is
    /// not one the scan vouches for. A section of legacy conventions comes back upgraded.
    static func metricsEntries(_ bytes: [UInt8], _ metrics: Range<Int>, baseOffset: Int) throws(FormatError)
        -> (start: Int, count: Int, upgraded: RunMetrics?)? {
        var m = ByteReader(bytes, range: metrics, baseOffset: baseOffset)
        guard try m.readU8("metrics section version") == 1 else { return nil }
        let metricsCount = try m.readCount("metrics count", limit: m.remaining / 10)
        let metricsStart = m.position
        var legacy = LegacyNames()
        for _ in 0..<metricsCount {
            guard let name = try string(&m, bytes), try m.readU8("metric kind") <= 2 else { return nil }
            _ = try m.readRange(8, "metric value")
            legacy.note(bytes[name])
        }
        try m.requireAtEnd("metrics section")
        let upgraded = legacy.needsUpgrade ? try RunMetrics(section: Array(bytes[metrics]), offset: baseOffset + metrics.lowerBound) : nil
        return (metricsStart, metricsCount, upgraded)
    }

    /// The byte range of the next string, nil when it is not valid UTF-8.
    static func string(_ r: inout ByteReader, _ bytes: [UInt8]) throws(FormatError) -> Range<Int>? {
        let n = try r.readCount("string length", limit: r.remaining)
        let range = try r.readRange(n, "string")
        return bytes.withUnsafeBytes { isUTF8(UnsafeRawBufferPointer(rebasing: $0[range])) } ? range : nil
    }

    /// Whether `p` is valid UTF-8 (ASCII checked 8 bytes at a time first).
    static func isUTF8(_ p: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        var high: UInt64 = 0
        while i + 8 <= p.count {
            high |= p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < p.count { high |= UInt64(p[i]); i += 1 }
        if high & 0x8080_8080_8080_8080 == 0 { return true }
        return String(validating: p, as: UTF8.self) != nil
    }

    /// Exactly `count` bytes at `at`, nil on a short read or an error.
    private static func read(_ fd: Int32, at: Int, count: Int) -> [UInt8]? {
        guard count >= 0 else { return nil }
        var failed = false
        let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(at + done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { failed = true; break }
                done += n
            }
            initialized = failed ? 0 : count
        }
        return failed ? nil : out
    }

    /// Calls `body(key, value)` with the bytes of each metadata pair, in file order.
    func forEachMetadata(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) {
        bytes.withUnsafeBytes { all in
            var at = metadataStart
            for _ in 0..<metadataCount {
                let key = Self.string(all, &at)
                body(key, Self.string(all, &at))
            }
        }
    }

    /// Calls `body(name, kind, bits)` for each metrics entry, in file order.
    func forEachMetric(_ body: (UnsafeRawBufferPointer, UInt8, UInt64) -> Void) {
        bytes.withUnsafeBytes { all in
            var at = metricsStart
            for _ in 0..<metricsCount {
                let name = Self.string(all, &at)
                let kind = all[at]
                let bits = UInt64(littleEndian: all.loadUnaligned(fromByteOffset: at + 1, as: UInt64.self))
                at += 9
                body(name, kind, bits)
            }
        }
    }

    /// The string at `at` (already checked by `scan`), moving `at` past it.
    private static func string(_ all: UnsafeRawBufferPointer, _ at: inout Int) -> UnsafeRawBufferPointer {
        var n = 0, shift = 0
        while true {
            let b = all[at]
            at += 1
            n |= Int(b & 0x7f) << shift
            if b < 0x80 { break }
            shift += 7
        }
        defer { at += n }
        return UnsafeRawBufferPointer(rebasing: all[at..<(at + n)])
    }
}

/// Which of the names that trigger `RunMetrics`' legacy upgrades a metrics section has.
private struct LegacyNames {
    var cagr = false, periodsPerYear = false, expectancy = false, avgLoss = false, expectancyR = false

    mutating func note(_ name: ArraySlice<UInt8>) {
        // By length first: most names are none of these.
        switch name.count {
        case 4: if equal(name, "cagr") { cagr = true }
        case 16: if equal(name, "periods_per_year") { periodsPerYear = true }
        case 10: if equal(name, "expectancy") { expectancy = true }
        case 8: if equal(name, "avg_loss") { avgLoss = true }
        case 12: if equal(name, "expectancy_r") { expectancyR = true }
        default: break
        }
    }

    /// Whether `RunMetrics(section:)` may change what is stored (`upgradingExpectancy`,
    /// `upgradingLegacyCAGR`).
    var needsUpgrade: Bool { (cagr && !periodsPerYear) || (expectancy && avgLoss && !expectancyR) }
}

/// Whether `bytes` are the UTF-8 of `text`.
private func equal(_ bytes: ArraySlice<UInt8>, _ text: StaticString) -> Bool {
    bytes.count == text.utf8CodeUnitCount && bytes.withUnsafeBytes { memcmp($0.baseAddress!, text.utf8Start, bytes.count) == 0 }
}

extension RunStatus {
    /// The status after metadata key `key` is seen with the value "true" (`init(metadata:)` on bytes).
    func noting(key: ArraySlice<UInt8>) -> RunStatus {
        if equal(key, "tape.recovered") { return .recovered }
        if equal(key, "tape.incomplete") { return self == .recovered ? self : .incomplete }
        if equal(key, "tape.cancelled") { return self == .complete ? .cancelled : self }
        return self
    }
}
