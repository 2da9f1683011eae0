import Foundation
import TapeFormat
#if canImport(Glibc)
import Glibc
#endif

/// The summary journal, `.tape-summary.journal` beside the runs: when a writer seals a run it
/// appends the run's summary facts there, so that `tape summary` knows them without opening the
/// file (it still `stat`s it). `tape summary` merges the records into the directory's summary
/// cache and then empties the journal. An accelerator only: a run without a usable record is
/// read from its file (format-spec "Summary cache and journal").
///
///     record   length u32 LE, masked crc32c(payload) u32 LE, payload[length]
///     payload  version u8 = 1, file name string (no '/'), size varint, mtime_ns i64, ctime_ns i64,
///              inode varint, device varint,
///              metadata_count varint, { key string, value string } …      (the footer's, in order)
///              metrics_length varint, metrics section bytes             (format-spec §6.1, as stored)
///
/// Records are appended with one `write` on an `O_APPEND` descriptor (atomic between concurrent
/// appenders on a local file system). A reader stops at the first record that does not frame or
/// checksum (a torn tail: a writer died or the disk filled mid-write); the runs of the records it
/// did not read are read from their files. The last record of a name wins.
///
/// Why a record can be trusted (the "racy timestamp" question): the writer takes the identity
/// after its last write and fsync, and first stamps the file's mtime with a fine-grained clock
/// reading (`futimens`), checking that `fstat` gives it back to the nanosecond. A later write
/// to the file sets mtime to the kernel's own current time, which is not that reading — even
/// within the same timestamp tick, where a plain "mtime unchanged" test could be fooled — so a
/// changed file no longer matches its record. The record is appended before the file is closed,
/// i.e. while the writer lock is held, so records of one file are in the order its writers
/// sealed it. On a file system that does not keep the stamp exactly (coarse timestamps) no
/// record is written. Residual case, stated honestly: a program that rewrites a sealed run in
/// place to the same size and then sets its mtime back to the stamped nanosecond (or whose
/// write lands on a clock tick equal to it, a 1-in-10⁶ chance per tick) on the same inode.
public enum SummaryJournal {
    public static let fileName = ".tape-summary.journal"
    public static let version: UInt8 = 1
    public static let recordHeaderSize = 8
    /// Largest payload a reader accepts.
    public static let maxPayload = 16 << 20

    /// Appends the record of the run just sealed through `fd` (its footer `footer`, its file at
    /// `path`) to the journal of its directory. Best effort: a run without stored metrics, a name
    /// not ending in `.tape` (a temporary file), a stamp the file system does not keep, or any
    /// failure (read-only directory, full disk) writes nothing and never throws.
    /// REQUIRES: the file's last write (and fsync, if any) is done and `fd` is still open.
    static func appendRecord(sealed fd: Int32, path: String, footer: Footer) {
        guard let metrics = footer.sections.last(where: { $0.tag == RunMetrics.sectionTag })?.bytes else { return }
        let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
        let name = Array(slash.map { path.utf8[path.utf8.index(after: $0)...] } ?? path.utf8[...])
        guard name.count > 5, name.suffix(5).elementsEqual(".tape".utf8) else { return }
        let dir = slash.map { $0 == path.utf8.startIndex ? "/" : String(path[..<$0]) } ?? "."
        guard let st = stamp(fd) else { return }
        let record = encode(name: name, size: UInt64(st.st_size), mtime: nanos(st.st_mtim), ctime: nanos(st.st_ctim),
                            inode: UInt64(st.st_ino), device: UInt64(st.st_dev), metadata: footer.metadata, metrics: metrics)
        let journal = open(dir + "/" + fileName, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
        guard journal >= 0 else { return }
        // One write: a short one (disk full) leaves a torn record that readers stop at.
        _ = record.withUnsafeBytes { write(journal, $0.baseAddress!, $0.count) }
        _ = close(journal)
    }

    /// Appends the record of a run sealed under a temporary name and renamed to `path` since
    /// (compaction, salvage): opens `path` and, if it is still the file sealed (`device`,
    /// `inode`) and no writer holds it, takes the writer lock and records it as `appendRecord(sealed:)`
    /// does (its mtime stamped again: the rename moved its ctime). Best effort, as that one.
    /// REQUIRES: `footer` is the footer the file was sealed with.
    public static func appendRecord(renamed path: String, footer: Footer, device: UInt64, inode: UInt64) {
        let fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return }
        defer { _ = close(fd) }
        var st = stat()
        guard flock(fd, LOCK_EX | LOCK_NB) == 0, fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
              UInt64(st.st_dev) == device, UInt64(st.st_ino) == inode else { return }
        appendRecord(sealed: fd, path: path, footer: footer)
    }

    /// One framed record (header and payload) of the grammar above.
    static func encode(name: [UInt8], size: UInt64, mtime: Int64, ctime: Int64, inode: UInt64, device: UInt64,
                       metadata: [(key: String, value: String)], metrics: [UInt8]) -> [UInt8] {
        var w = ByteWriter(capacity: 96 + name.count + metrics.count + metadata.count * 32)
        w.writeU8(version)
        w.writeVarint(UInt64(name.count))
        w.writeBytes(name)
        w.writeVarint(size)
        w.writeI64(mtime)
        w.writeI64(ctime)
        w.writeVarint(inode)
        w.writeVarint(device)
        w.writeVarint(UInt64(metadata.count))
        for (k, v) in metadata {
            w.writeString(k)
            w.writeString(v)
        }
        w.writeVarint(UInt64(metrics.count))
        w.writeBytes(metrics)
        var record = ByteWriter(capacity: w.count + recordHeaderSize)
        record.writeU32(UInt32(w.count))
        record.writeU32(w.bytes.withUnsafeBytes { CRC32C.mask(CRC32C.checksum($0)) })
        record.writeBytes(w.bytes)
        return record.bytes
    }

    /// Stamps the file's mtime with the current fine-grained time and returns its `fstat`, nil
    /// when the stamp did not stick to the nanosecond (or a call failed).
    private static func stamp(_ fd: Int32) -> stat? {
        var now = timespec()
        guard clock_gettime(CLOCK_REALTIME, &now) == 0 else { return nil }
        let times = [timespec(tv_sec: 0, tv_nsec: utimeOmit), now]
        var st = stat()
        guard futimens(fd, times) == 0, fstat(fd, &st) == 0,
              st.st_mtim.tv_sec == now.tv_sec, st.st_mtim.tv_nsec == now.tv_nsec else { return nil }
        return st
    }

    /// Glibc's `UTIME_OMIT` ((1 << 30) - 2: leave that time as it is), a macro Swift does not import.
    private static let utimeOmit = (1 << 30) - 2

    private static func nanos(_ t: timespec) -> Int64 { Int64(t.tv_sec) &* 1_000_000_000 &+ Int64(t.tv_nsec) }

    /// The payload ranges of the intact records of journal bytes `bytes`, in order: stops at the
    /// first record whose header, length or checksum is wrong (torn tail or garbage).
    public static func payloads(_ bytes: UnsafeRawBufferPointer) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var at = 0
        while bytes.count - at >= recordHeaderSize {
            let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
            let crc = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self))
            let start = at + recordHeaderSize
            guard length > 0, length <= maxPayload, length <= bytes.count - start,
                  CRC32C.mask(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]))) == crc else { break }
            out.append(start..<(start + length))
            at = start + length
        }
        return out
    }
}
