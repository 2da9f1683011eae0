#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// A new file created beside `target` under a unique temporary name, then renamed over `target`
/// once complete: the one way Tape creates a file that replaces another (compaction, a new run,
/// Parquet export, plot).
///
/// The temporary name is `.BASE.PURPOSE-PID-RANDOM.tmp` in `target`'s directory, created with
/// `O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC`: nothing already at that name, a planted symbolic link
/// included, is ever opened or overwritten. `commit()` is the atomic replace of TESTING.md: fsync
/// the file, rename it over `target`, fsync the directory. The PID in the name says whose file it
/// is: `isLeftover(_:in:purposes:)` treats a temporary file as abandoned only when that process is gone.
public final class AtomicReplacement {
    /// The purpose in the temporary name of a new run (`TapeWriter(newRunAt:replacing:)`).
    static let newRunPurpose = "new"
    /// The purpose in the temporary name of a compaction's rewritten file.
    static let compactionPurpose = "compact"

    /// The path the file will have after `commit()`.
    public let target: String
    /// The temporary file's path until `commit()`.
    public let temporaryPath: String
    let file: RawFile
    private var finished = false

    /// Creates the temporary file beside `target` with permission bits `mode` (before the umask).
    /// `purpose` (letters only) goes into the name, e.g. "compact" or "export".
    public init(replacing target: String, purpose: String, mode: mode_t = 0o644) throws {
        self.target = target
        let (dir, base) = AtomicReplacement.split(target)
        var attempt = 0
        while true {
            let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            let name = ".\(base).\(purpose)-\(getpid())-\(random).tmp"
            let path = dir.isEmpty ? name : dir + "/" + name
            do {
                file = try RawFile.createExclusive(path, mode: mode)
                temporaryPath = path
                return
            } catch TapeError.io(_, _, EEXIST) where attempt < 16 {
                attempt += 1
            }
        }
    }

    deinit { if !finished { discard() } }

    /// The descriptor of the temporary file, open for writing (closed by `commit()`/`discard()`).
    public var fileDescriptor: Int32 { file.fd }

    /// Appends `bytes` to the temporary file.
    public func write(_ bytes: [UInt8]) throws { try file.write(bytes) }

    /// fsyncs the temporary file (unless its writer already closed it: then the writer must have
    /// fsynced it), closes it, renames it over `target` and fsyncs the directory. On failure the
    /// temporary file is removed and `target` is untouched (or, if only the directory fsync
    /// failed, replaced but perhaps not durably).
    ///
    /// With `durable: false` nothing is fsynced: readers still see the old file or the new one,
    /// never a mix, but after a crash `target` may be the old file, or the new one empty or cut
    /// short. Only for files whose readers detect that and can do without them (a cache).
    public func commit(durable: Bool = true) throws {
        do {
            if !file.isClosed {
                if durable { try file.sync() }
                try file.close()
            }
        } catch {
            discard()
            throw error
        }
        try publish(replacingExisting: true, durable: durable)
    }

    /// Puts the temporary file at `target`, leaving it open (a new run whose writer goes on
    /// writing it): renamed over `target` when `replacingExisting`, else hard-linked there, which
    /// fails with `EEXIST` when `target` exists, and then unlinked from its temporary name. With
    /// `durable` the directory is fsynced. On failure the temporary file is removed.
    func publish(replacingExisting: Bool, durable: Bool) throws {
        precondition(!finished, "AtomicReplacement committed or discarded twice")
        let moved = replacingExisting ? rename(temporaryPath, target) == 0 : link(temporaryPath, target) == 0
        guard moved else {
            let e = errno
            discard()
            throw TapeError.io(operation: replacingExisting ? "rename to \(target)" : "create", path: replacingExisting ? temporaryPath : target, errno: e)
        }
        finished = true
        if !replacingExisting { _ = unlink(temporaryPath) }
        file.path = target
        if durable { try AtomicReplacement.syncDirectory(of: target) }
    }

    /// Closes and removes the temporary file; `target` is untouched.
    public func discard() {
        guard !finished else { return }
        finished = true
        try? file.close()
        _ = unlink(temporaryPath)
    }

    /// Whether `name` (no directory) has the form of a temporary file made for one of `purposes`:
    /// `.BASE.PURPOSE-PID-RANDOM.tmp`, or the older `.BASE.PURPOSE-PID.tmp`.
    public static func isTemporaryName(_ name: String, purposes: [String]) -> Bool {
        owner(ofTemporaryName: name, purposes: purposes) != nil
    }

    /// The PID in a temporary file's name (see `isTemporaryName`), nil when `name` is not one.
    static func owner(ofTemporaryName name: String, purposes: [String]) -> pid_t? {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return nil }
        let stem = name.dropLast(4)
        for purpose in purposes {
            guard let r = stem.range(of: ".\(purpose)-", options: .backwards), r.lowerBound > stem.index(after: stem.startIndex) else { continue }
            let fields = stem[r.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(fields.count), let pid = pid_t(fields[0]), pid > 0 else { continue }
            if fields.count == 2 { guard !fields[1].isEmpty, fields[1].allSatisfy(\.isHexDigit) else { continue } }
            return pid
        }
        return nil
    }

    /// Whether the temporary file `name` in `directory` was abandoned: its owner process is gone
    /// and no writer holds its lock. A live owner's file (a compaction in progress) is never one.
    public static func isLeftover(_ name: String, in directory: String, purposes: [String]) -> Bool {
        guard let pid = owner(ofTemporaryName: name, purposes: purposes) else { return false }
        if kill(pid, 0) == 0 || errno == EPERM { return false }
        let fd = open(directory + "/" + name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return errno == ELOOP }  // a planted link is removed, never followed
        defer { _ = close(fd) }
        return flock(fd, LOCK_EX | LOCK_NB) == 0
    }

    /// fsyncs the directory holding `path`, making a rename or unlink in it durable.
    static func syncDirectory(of path: String) throws {
        try syncDirectory(split(path).directory.isEmpty ? "." : split(path).directory)
    }

    /// fsyncs `dir`.
    static func syncDirectory(_ dir: String) throws {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw TapeError.io(operation: "open directory", path: dir, errno: errno) }
        defer { _ = close(fd) }
        guard fsync(fd) == 0 else { throw TapeError.io(operation: "fsync directory", path: dir, errno: errno) }
    }

    /// (directory, last component) of `path`; the directory is "" for a bare name.
    static func split(_ path: String) -> (directory: String, base: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        let dir = String(path[..<slash])
        return (dir.isEmpty ? "/" : dir, String(path[path.index(after: slash)...]))
    }
}
