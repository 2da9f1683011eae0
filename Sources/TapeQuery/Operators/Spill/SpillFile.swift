import Foundation
import Glibc

/// A temporary file an operator spills rows to when they outgrow `--memory-limit`.
///
/// Created in the system temp dir (`TMPDIR`, else `/tmp`) with
/// `O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC`, mode 0600, under a fresh random name, and unlinked right
/// after opening: it has no name from then on, so nothing is left behind however the query ends
/// (success, error, LIMIT stopping early, even `kill -9`); the space is freed when the descriptor
/// closes (`deinit`). Data is appended as blocks and read back by (offset, length).
final class SpillFile {
    private let fd: Int32
    /// Bytes written so far (the offset of the next block).
    private(set) var size = 0
    /// Names the operator in error messages.
    let owner: String

    /// Throws a QueryError naming `owner` when no temp file can be made. `directory` (tests)
    /// replaces the system temp dir.
    init(owner: String, directory: String? = nil) throws(QueryError) {
        self.owner = owner
        let env = directory ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var lastError: Int32 = 0
        for _ in 0..<16 {
            let path = env + (env.hasSuffix("/") ? "" : "/") + "tape-spill-\(UInt64.random(in: 0...UInt64.max))"
            let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 {
                unlink(path)
                self.fd = fd
                return
            }
            lastError = errno
            if lastError != EEXIST { break }
        }
        throw QueryError(.execution, "\(owner): cannot create a temporary file in \(env) to spill to (\(String(cString: strerror(lastError)))); set TMPDIR or raise --memory-limit")
    }

    deinit { close(fd) }

    /// Appends `bytes`; returns where they start.
    func append(_ bytes: [UInt8]) throws(QueryError) -> Int {
        let at = size
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(at + done)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw ioError("write to") }
            done += n
        }
        size += bytes.count
        return at
    }

    /// The `count` bytes at `offset` (a block this file wrote).
    func read(at offset: Int, count: Int) throws(QueryError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw ioError("read from") }
            done += n
        }
        return out
    }

    private func ioError(_ what: String) -> QueryError {
        QueryError(.execution, "\(owner): cannot \(what) its temporary spill file (\(String(cString: strerror(errno)))); free space in TMPDIR or raise --memory-limit")
    }
}
