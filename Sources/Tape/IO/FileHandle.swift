#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A thin POSIX file descriptor wrapper: every call either completes fully or throws
/// `TapeError.io` naming the operation, the path and errno. Closed on deinit.
final class RawFile {
    let fd: Int32
    let path: String
    private var closed = false

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { if !closed { _ = Glibc.close(fd) } }

    /// Opens for reading.
    static func openForReading(_ path: String) throws -> RawFile {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TapeError.io(operation: "open", path: path, errno: errno) }
        return RawFile(fd: fd, path: path)
    }

    /// Opens for writing; `create` makes a new file (failing if it exists when `exclusive`).
    static func openForWriting(_ path: String, create: Bool, exclusive: Bool, truncate: Bool) throws -> RawFile {
        var flags = O_RDWR | O_CLOEXEC
        if create { flags |= O_CREAT }
        if exclusive { flags |= O_EXCL }
        if truncate { flags |= O_TRUNC }
        let fd = Glibc.open(path, flags, 0o644)
        guard fd >= 0 else { throw TapeError.io(operation: "open", path: path, errno: errno) }
        return RawFile(fd: fd, path: path)
    }

    func size() throws -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw TapeError.io(operation: "stat", path: path, errno: errno) }
        return Int(st.st_size)
    }

    /// Reads exactly `count` bytes at `offset`; a short read (file shrank) is an error.
    func read(at offset: Int, count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        try out.withUnsafeMutableBytes { try read(at: offset, into: $0) }
        return out
    }

    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw TapeError.io(operation: "read", path: path, errno: errno)
            }
            if n == 0 { throw TapeError.io(operation: "read (unexpected end of file)", path: path, errno: EIO) }
            done += n
        }
    }

    /// Writes all of `buffer` at the current position.
    func write(_ buffer: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw TapeError.io(operation: "write", path: path, errno: errno)
            }
            done += n
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func seek(to offset: Int) throws {
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else {
            throw TapeError.io(operation: "seek", path: path, errno: errno)
        }
    }

    func truncate(to size: Int) throws {
        guard ftruncate(fd, off_t(size)) == 0 else { throw TapeError.io(operation: "truncate", path: path, errno: errno) }
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw TapeError.io(operation: "fsync", path: path, errno: errno) }
    }

    /// Takes a non-blocking exclusive advisory lock; throws if another process holds it.
    func lockExclusive() throws {
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let e = errno
            if e == EWOULDBLOCK {
                throw TapeError.invalidArgument("'\(path)' is locked by another writer")
            }
            throw TapeError.io(operation: "lock", path: path, errno: e)
        }
    }

    func close() throws {
        guard !closed else { return }
        closed = true
        guard Glibc.close(fd) == 0 else { throw TapeError.io(operation: "close", path: path, errno: errno) }
    }
}
