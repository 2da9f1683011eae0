#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A thin POSIX file descriptor wrapper: every call either completes fully or throws
/// `TapeError.io` naming the operation, the path and errno. Closed on deinit.
final class RawFile {
    let fd: Int32
    /// The path opened, for messages; `AtomicReplacement` renames it once the file has moved.
    var path: String
    private var closed = false
    /// This descriptor holds the writer lock (see `openLocked`).
    private(set) var holdsWriterLock = false
    /// `lockSharedIfFree()` found another writer holding the lock: reads may have seen the file change.
    private(set) var readWhileLocked = false

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Takes ownership of the open descriptor `fd` (closed with this file).
    convenience init(adopting fd: Int32, path: String) {
        self.init(fd: fd, path: path)
    }

    deinit { if !closed { _ = Glibc.close(fd) } }

    /// Whether `close()` was called.
    var isClosed: Bool { closed }

    /// A duplicate of this descriptor that any thread may hold and duplicate again, for readers
    /// of the same open file on other threads (`OpenedTape`).
    func shared() throws -> SharedDescriptor {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { throw TapeError.io(operation: "dup", path: path, errno: errno) }
        return SharedDescriptor(fd: copy)
    }

    /// Opens for reading.
    static func openForReading(_ path: String) throws -> RawFile {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TapeError.io(operation: "open", path: path, errno: errno) }
        return RawFile(fd: fd, path: path)
    }

    /// Creates a new file at `path` for reading and writing with `O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC`:
    /// fails (EEXIST, or ELOOP for a symbolic link) when anything is already there, so a planted
    /// link is never followed and no other file is ever truncated. `mode` is masked by the umask.
    static func createExclusive(_ path: String, mode: mode_t = 0o644) throws -> RawFile {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw TapeError.io(operation: "create", path: path, errno: errno) }
        return RawFile(fd: fd, path: path)
    }

    /// `path` with its symbolic links resolved (`realpath`), or `path` itself when that fails (it
    /// does not exist yet): what a writer replaces, so that a link stays a link.
    static func resolvingLinks(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// How `openLocked` opens a file.
    enum Access { case readOnly, readWrite }

    /// How long a writer waits for a lock held by someone else before it is refused: readers hold
    /// a shared lock for the instant of reading a footer, writers for a whole write.
    static let lockWaitNanos: Int64 = 300_000_000

    /// Opens `path` and takes the writer lock (an exclusive `flock`) on the file it names. Every
    /// writer of a path (append, import, ingest, compaction, recovery, resume) takes it before it
    /// reads anything of the file, so writers of one path run one after another.
    ///
    /// A compaction or a new run replaces the file at a path by renaming a new file over it; a
    /// lock on the replaced file would guard nothing. So once the lock is held, the path is checked
    /// to still name the locked file (same device and inode, symbolic links followed); if not, the
    /// file is closed and the path opened again. A lock held by another process is waited for at
    /// most `lockWaitNanos`, then `TapeError.locked` is thrown. `beforeLock` runs between the open
    /// and the lock (tests use it to replace the file there).
    static func openLocked(_ path: String, access: Access, beforeLock: () -> Void = {}) throws -> RawFile {
        let flags = (access == .readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC
        let deadline = monotonicNanos() + lockWaitNanos
        while true {
            let fd = Glibc.open(path, flags)
            guard fd >= 0 else { throw TapeError.io(operation: "open", path: path, errno: errno) }
            let file = RawFile(fd: fd, path: path)
            beforeLock()
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let e = errno
                guard e == EWOULDBLOCK || e == EINTR else { throw TapeError.io(operation: "lock", path: path, errno: e) }
                guard monotonicNanos() < deadline else { throw TapeError.locked(path: path) }
                usleep(2_000)
            }
            file.holdsWriterLock = true
            if try file.isNamed(by: path) { return file }
            guard monotonicNanos() < deadline else { throw TapeError.locked(path: path) }
        }
    }

    /// Whether `path` (symbolic links followed) names this open file.
    func isNamed(by path: String) throws -> Bool {
        var mine = stat(), named = stat()
        guard fstat(fd, &mine) == 0 else { throw TapeError.io(operation: "stat", path: path, errno: errno) }
        guard stat(path, &named) == 0 else {
            if errno == ENOENT { return false }
            throw TapeError.io(operation: "stat", path: path, errno: errno)
        }
        return mine.st_dev == named.st_dev && mine.st_ino == named.st_ino
    }

    /// Takes a shared lock for reading when no writer holds the writer lock, so that a footer
    /// read under it cannot interleave with an append; true when taken (release it with
    /// `unlockShared()`). False, with `readWhileLocked` set, when a writer holds it; also false
    /// when this descriptor holds the writer lock itself (its reads are consistent then).
    func lockSharedIfFree() -> Bool {
        if holdsWriterLock { return false }
        while flock(fd, LOCK_SH | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            readWhileLocked = true
            return false
        }
        return true
    }

    /// Releases the lock taken by `lockSharedIfFree()`.
    func unlockShared() { _ = flock(fd, LOCK_UN) }

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

    /// Takes the writer lock (a non-blocking exclusive `flock`) on a file this process has just
    /// created under a name no other writer knows yet; throws `TapeError.locked` if it is held.
    func lockExclusive() throws {
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let e = errno
            if e == EWOULDBLOCK { throw TapeError.locked(path: path) }
            throw TapeError.io(operation: "lock", path: path, errno: e)
        }
        holdsWriterLock = true
    }

    func close() throws {
        guard !closed else { return }
        closed = true
        guard Glibc.close(fd) == 0 else { throw TapeError.io(operation: "close", path: path, errno: errno) }
    }
}

/// An open file descriptor shared between threads: immutable, never read or written through
/// directly (only duplicated), closed when the last reference goes.
final class SharedDescriptor: Sendable {
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    deinit { _ = Glibc.close(fd) }

    /// A `RawFile` on a new duplicate of the descriptor (named `path` in errors): it reads the
    /// same open file, even if another file has since been renamed over `path`.
    func duplicate(path: String) throws -> RawFile {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { throw TapeError.io(operation: "dup", path: path, errno: errno) }
        return RawFile(adopting: copy, path: path)
    }
}
