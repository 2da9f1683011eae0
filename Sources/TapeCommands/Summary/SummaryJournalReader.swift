import Foundation
import Tape
import TapeFormat

/// The records of a directory's summary journal (`SummaryJournal`, written by the writers as
/// they seal runs), by file name: the last intact record of each name, as a `ScannedFooter`
/// whose identity is the one its writer took (the loader uses it only when the file's current
/// `fstatat` identity equals it). A record that does not decode as the scan expects (bad UTF-8,
/// repeated key, unknown metrics version) is skipped: its run is read from its file.
struct SummaryJournalReader {
    /// Journals larger than this are not read (their runs are read from their files) and are
    /// removed once the cache is rewritten.
    static let maxBytes = 256 << 20

    let path: String
    /// The journal's size when read: it is emptied only if it has not grown since.
    let size: Int
    /// Device and inode of the journal read (it is emptied only if the name still names it).
    private let device: UInt64, inode: UInt64
    private(set) var records: [ArraySlice<UInt8>: ScannedFooter] = [:]

    /// Reads the journal of directory `dir`; nil when there is none, it is empty (a journal
    /// consumed by the last summary: nothing to read, and truncating it again would cost a file
    /// system transaction per directory) or it is not a regular file.
    init?(dir: String) {
        path = dir + "/" + SummaryJournal.fileName
        // Non-blocking: a FIFO in the journal's place must not hang the summary.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        size = Int(st.st_size)
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        guard size > 0 else { return nil }
        guard size <= Self.maxBytes else { return }
        // Read into uninitialised memory (a million runs' journals are hundreds of MB).
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var done = 0
            while done < size {
                let n = pread(fd, buffer.baseAddress! + done, size - done, off_t(done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                done += n
            }
            initialized = done
        }
        let payloads = bytes.withUnsafeBytes { SummaryJournal.payloads($0) }
        records.reserveCapacity(payloads.count)
        for p in payloads {
            if let (name, scanned) = try? Self.decode(bytes, p) { records[bytes[name]] = scanned }
        }
    }

    /// The file name and facts of the record payload `bytes[payload]`; nil when it is not one the
    /// summary vouches for.
    static func decode(_ bytes: [UInt8], _ payload: Range<Int>) throws(FormatError) -> (Range<Int>, ScannedFooter)? {
        var r = ByteReader(bytes, range: payload, baseOffset: 0)
        guard try r.readU8("journal version") == SummaryJournal.version,
              let name = try ScannedFooter.string(&r, bytes), !name.isEmpty, !bytes[name].contains(UInt8(ascii: "/")) else { return nil }
        let identity = FileIdentity(size: try r.readVarint("size"), mtime: try r.readI64("mtime"), ctime: try r.readI64("ctime"),
                                    inode: try r.readVarint("inode"), device: try r.readVarint("device"))
        guard let meta = try ScannedFooter.metadata(&r, bytes) else { return nil }
        let length = try r.readCount("metrics length", limit: r.remaining)
        let metrics = try r.readRange(length, "metrics")
        try r.requireAtEnd("journal record")
        guard let m = try ScannedFooter.metricsEntries(bytes, metrics, baseOffset: 0) else { return nil }
        return (name, ScannedFooter(identity: identity, bytes: bytes, metadataStart: meta.start, metadataCount: meta.count,
                                    metricsStart: m.start, metricsCount: m.count, status: meta.status, upgradedMetrics: m.upgraded,
                                    stamped: true))
    }

    /// What emptying this journal needs (its name and identity as read), apart from its records.
    var consumption: Consumption { Consumption(path: path, size: size, device: device, inode: inode) }

    /// The journal as read, to be emptied once its records are in the cache (possibly on another
    /// thread: `SummaryCommits`).
    struct Consumption: Sendable {
        let path: String
        let size: Int
        let device: UInt64, inode: UInt64

        /// Empties the journal (its records are in the cache now), unless it is not the file read
        /// or has grown since: records appended meanwhile stay (at worst, records already merged
        /// are merged again). A journal too large to read is removed.
        func consumed() {
            let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
            guard fd >= 0 else { return }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0, UInt64(st.st_dev) == device, UInt64(st.st_ino) == inode else { return }
            if size > SummaryJournalReader.maxBytes { _ = unlink(path); return }
            // A writer appending between this check and the truncation loses its record: its run
            // is then read from its file (the journal is an accelerator, never the only source).
            if Int(st.st_size) == size { _ = ftruncate(fd, 0) }
        }
    }
}
