import Foundation
import Tape
import TapeFormat

/// Reads a summary cache (`SummaryCacheFormat`) front to back with a bounded buffer: the names
/// list up front, then the run records in order. Any inconsistency ends the stream early (`next`
/// returns nil and `damaged` is set): the runs it did not vouch for are then read from their files.
final class SummaryCacheReader {
    let names: [String]
    private(set) var damaged = false
    private let fd: Int32
    private let recordsEnd: Int
    private var offset = SummaryCacheFormat.headerSize
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    private static let chunk = 4 << 20

    /// Opens the cache at `path`; nil when there is none or its header, trailer or names record is
    /// not intact.
    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)   // a FIFO in its place must not hang
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { close(fd); return nil }
        let size = Int(st.st_size)
        let minimum = SummaryCacheFormat.headerSize + SummaryCacheFormat.recordHeaderSize + SummaryCacheFormat.trailerSize
        guard size >= minimum,
              let header = Self.read(fd, at: 0, count: SummaryCacheFormat.headerSize),
              Array(header[0..<8]) == SummaryCacheFormat.headerMagic, header[8] == SummaryCacheFormat.version,
              let trailer = Self.read(fd, at: size - SummaryCacheFormat.trailerSize, count: SummaryCacheFormat.trailerSize),
              Array(trailer[8..<16]) == SummaryCacheFormat.trailerMagic else { close(fd); return nil }
        var t = ByteReader(trailer)
        guard let namesOffset = try? t.readU64("names offset"), namesOffset >= UInt64(SummaryCacheFormat.headerSize),
              namesOffset <= UInt64(size - SummaryCacheFormat.trailerSize - SummaryCacheFormat.recordHeaderSize),
              let payload = Self.record(fd, at: Int(namesOffset), end: size - SummaryCacheFormat.trailerSize),
              payload.next == size - SummaryCacheFormat.trailerSize,
              let names = try? Self.decodeNames(payload.bytes) else { close(fd); return nil }
        self.fd = fd
        self.names = names
        recordsEnd = Int(namesOffset)
    }

    deinit { close(fd) }

    /// The next run record, nil at the end or at the first damaged one. The record shares the
    /// reader's buffer (no copy per record).
    func next() -> SummaryCacheRecord? {
        guard !damaged, offset < recordsEnd else { return nil }
        let headerSize = SummaryCacheFormat.recordHeaderSize
        guard buffered(at: offset, count: headerSize) else { damaged = true; return nil }
        let h = offset - bufferStart
        let (length, crc) = buffer.withUnsafeBytes {
            (Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: h, as: UInt32.self))),
             UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: h + 4, as: UInt32.self)))
        }
        guard length <= SummaryCacheFormat.maxPayload, offset + headerSize + length <= recordsEnd,
              buffered(at: offset + headerSize, count: length) else { damaged = true; return nil }
        let start = offset + headerSize - bufferStart
        let range = start..<(start + length)
        guard buffer.withUnsafeBytes({ CRC32C.mask(CRC32C.update(0, UnsafeRawBufferPointer(rebasing: $0[range]))) }) == crc,
              var record = try? SummaryCacheRecord(storage: buffer, range: range) else { damaged = true; return nil }
        offset += headerSize + length
        record.end = offset
        return record
    }

    /// Appends the old cache's bytes `from..<to` (whole records already read and verified) to `writer`.
    func copy(from: Int, to: Int, into writer: SummaryCacheWriter) throws {
        var at = from
        while at < to {
            let n = min(Self.chunk, to - at)
            guard let bytes = Self.read(fd, at: at, count: n) else {
                throw TapeError.invalidArgument("summary cache: cannot reread \(n) bytes at \(at)")
            }
            try writer.appendRaw(bytes)
            at += n
        }
    }

    /// Whether file bytes `at..<at+count` are in the buffer, refilling it from the file (a new
    /// array: records handed out keep the old one) when they are not; false on a short read.
    private func buffered(at: Int, count: Int) -> Bool {
        if at >= bufferStart && at + count <= bufferStart + buffer.count { return true }
        guard let fresh = Self.read(fd, at: at, count: min(max(count, Self.chunk), recordsEnd - at)), fresh.count >= count else { return false }
        buffer = fresh
        bufferStart = at
        return true
    }

    /// Exactly `count` bytes at `at`, nil on a short read or an error.
    static func read(_ fd: Int32, at: Int, count: Int) -> [UInt8]? {
        guard count >= 0 else { return nil }
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(at + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            done += n
        }
        return out
    }

    /// The verified payload of the record at `at` (which must end by `end`) and where the next starts.
    private static func record(_ fd: Int32, at: Int, end: Int) -> (bytes: [UInt8], next: Int)? {
        guard let header = read(fd, at: at, count: SummaryCacheFormat.recordHeaderSize) else { return nil }
        var h = ByteReader(header)
        guard let length = try? h.readU32("length"), let crc = try? h.readU32("crc"), Int(length) <= SummaryCacheFormat.maxPayload,
              at + SummaryCacheFormat.recordHeaderSize + Int(length) <= end,
              let payload = read(fd, at: at + SummaryCacheFormat.recordHeaderSize, count: Int(length)),
              payload.withUnsafeBytes({ CRC32C.mask(CRC32C.update(0, $0)) }) == crc else { return nil }
        return (payload, at + SummaryCacheFormat.recordHeaderSize + Int(length))
    }

    static func decodeNames(_ payload: [UInt8]) throws(FormatError) -> [String] {
        var r = ByteReader(payload)
        guard try r.readU8("record kind") == SummaryCacheFormat.namesKind else {
            throw .invalid(what: "summary cache names", offset: 0, reason: "not a names record")
        }
        let count = try r.readCount("name count", limit: r.remaining)
        var names: [String] = []
        names.reserveCapacity(count)
        for _ in 0..<count { names.append(try r.readString("name")) }
        try r.requireAtEnd("summary cache names")
        return names
    }
}
