import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Expands command-line run arguments into `.tape` file paths: the one code path of every command
/// that takes runs (`cat`, `info`, `export`, `sql`, `trades`, `summary`, `plot`, `report`, `verify`,
/// `compact`, `recover`, `top`): a file is taken as is, a directory
/// contributes every `*.tape` file below it (recursively), and an argument that does not exist but
/// contains `*`, `?` or `[` is expanded as a glob (for patterns the shell did not expand, e.g.
/// quoted ones). The result is sorted within each argument and free of duplicates. An argument
/// that names nothing, or a directory or pattern holding no `.tape` file, is an error (exit 1).
enum RunPaths {
    /// The one run `argument` names (a file, or a directory or pattern holding exactly one run).
    static func single(_ argument: String) throws -> String {
        let paths = try expand([argument])
        guard paths.count == 1 else {
            throw RunPathsError(message: "'\(argument)' names \(paths.count) runs; this command reads one (give one file)")
        }
        return paths[0]
    }

    /// `expand(arguments)` as a compact `RunPathList` (one directory is walked straight into it).
    static func expandCompact(_ arguments: [String]) throws -> RunPathList {
        var isDir: ObjCBool = false
        if arguments.count == 1, FileManager.default.fileExists(atPath: arguments[0], isDirectory: &isDir), isDir.boolValue {
            var list = RunPathList()
            try walk(arguments[0], workers: ProcessInfo.processInfo.activeProcessorCount, into: &list)
            guard !list.isEmpty else { throw RunPathsError(message: "no .tape file in directory '\(arguments[0])'") }
            return list
        }
        return RunPathList(try expand(arguments))
    }

    static func expand(_ arguments: [String]) throws -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        func add(_ p: String) { if seen.insert(p).inserted { out.append(p) } }
        let fm = FileManager.default
        for arg in arguments {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: arg, isDirectory: &isDir) {
                if isDir.boolValue && arguments.count == 1 {
                    // One directory: its walk names each file once (no de-duplication set).
                    out = try tapeFiles(under: arg)
                    guard !out.isEmpty else { throw RunPathsError(message: "no .tape file in directory '\(arg)'") }
                } else if isDir.boolValue {
                    let found = try tapeFiles(under: arg)
                    guard !found.isEmpty else { throw RunPathsError(message: "no .tape file in directory '\(arg)'") }
                    found.forEach(add)
                } else {
                    add(arg)
                }
            } else if arg.contains(where: { "*?[".contains($0) }) {
                let matches = glob(arg)
                guard !matches.isEmpty else { throw RunPathsError(message: "no files match '\(arg)'") }
                for m in matches {
                    if fm.fileExists(atPath: m, isDirectory: &isDir), isDir.boolValue { try tapeFiles(under: m).forEach(add) } else { add(m) }
                }
            } else {
                throw RunPathsError(message: "no such file or directory: '\(arg)'")
            }
        }
        return out
    }

    /// Every `*.tape` file under `dir` (recursively, not into symbolic links to directories), in
    /// the order of sorting the full paths by bytes. Read with readdir, one directory at a time
    /// (a million runs list in well under a second; FileManager's enumerator took seconds).
    static func tapeFiles(under dir: String) throws -> [String] {
        var files: [String] = []
        try walk(dir) { files.append(String(decoding: $0, as: UTF8.self)) }
        return files
    }

    /// Calls `emit` with the path bytes of every `*.tape` file under `dir`, in `tapeFiles` order.
    private static func walk(_ dir: String, _ emit: ([UInt8]) -> Void) throws {
        walk(try top(dir), emit)
    }

    /// `walk(_:workers:into:)` of the directory `dir` names.
    private static func walk(_ dir: String, workers: Int, into list: inout RunPathList) throws {
        walk(try top(dir), workers: workers, into: &list)
    }

    /// The bytes of directory `dir` without a trailing slash; throws when it cannot be listed.
    private static func top(_ dir: String) throws -> [UInt8] {
        guard let top = opendir(dir) else { throw RunPathsError(message: "cannot list directory '\(dir)'") }
        closedir(top)
        return Array((dir.hasSuffix("/") ? String(dir.dropLast()) : dir).utf8)
    }

    /// Calls `emit` with each `*.tape` file below `dir` (path bytes without a trailing slash):
    /// entries sorted by name bytes, a directory's name compared as if followed by "/", so the
    /// depth-first order is the byte order of the full paths.
    private static func walk(_ dir: [UInt8], _ emit: ([UInt8]) -> Void) {
        guard let listing = Listing(dir) else { return }
        var path = dir + [47]
        let prefix = path.count
        for e in listing.entries {
            path.removeSubrange(prefix...)
            path += listing.name(e)
            if e.isDirectory { walk(path, emit) } else { emit(path) }
        }
    }

    /// `walk` of `dir` into `list`, its subdirectories' subtrees listed on `workers` threads side
    /// by side (each into a list of its own, appended in order): a million runs in a thousand
    /// directories are listed on every core.
    static func walk(_ dir: [UInt8], workers: Int, into list: inout RunPathList) {
        guard workers > 1, let listing = Listing(dir) else {
            walk(dir) { list.append($0) }
            return
        }
        let subdirectories = listing.entries.filter(\.isDirectory)
        let parts = Mutex([RunPathList](repeating: RunPathList(), count: subdirectories.count))
        DispatchQueue.concurrentPerform(iterations: subdirectories.count) { k in
            var part = RunPathList()
            walk(dir + [47] + listing.name(subdirectories[k])) { part.append($0) }
            parts.withLock { $0[k] = part }
        }
        var next = 0
        parts.withLock { parts in
            // Sized once (growing by doubling would hold up to twice the list for a million runs).
            let files = listing.entries.filter { !$0.isDirectory }
            list.reserveCapacity(paths: parts.reduce(files.count) { $0 + $1.count },
                                 bytes: parts.reduce(files.reduce(0) { $0 + dir.count + 2 + Int($1.count) }) { $0 + $1.byteCount })
            for e in listing.entries {
                if e.isDirectory {
                    list.append(contentsOf: parts[next])
                    parts[next] = RunPathList()
                    next += 1
                } else {
                    list.append(dir + [47] + listing.name(e))
                }
            }
        }
    }

    /// One directory's subdirectories and `*.tape` files, sorted as `walk` visits them. Its names
    /// are gathered in one byte buffer (no allocation per entry); an entry is stat'ed (relative
    /// to the open directory) only when `readdir` does not give its type, or it is a symbolic link.
    private struct Listing: Sendable {
        /// Every name, back to back (a directory's followed by "/").
        var names: [UInt8] = []
        var entries: [(start: Int32, count: Int32, isDirectory: Bool)] = []

        /// The name of entry `e` (without the "/" of a directory).
        func name(_ e: (start: Int32, count: Int32, isDirectory: Bool)) -> ArraySlice<UInt8> {
            names[Int(e.start)..<Int(e.start + e.count - (e.isDirectory ? 1 : 0))]
        }

        /// The listing of `dir`, nil when it cannot be opened.
        init?(_ dir: [UInt8]) {
            guard let d = dir.withUnsafeBufferPointer({ b in opendir(String(decoding: b, as: UTF8.self)) }) else { return nil }
            let fd = dirfd(d)
            let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
            while let e = readdir(d) {
                // The name in place (a record may be shorter than `dirent`: not copied whole).
                let cName = UnsafeRawPointer(e).advanced(by: nameOffset).assumingMemoryBound(to: CChar.self)
                let n = strlen(cName)
                let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(cName).assumingMemoryBound(to: UInt8.self), count: n)
                if n == 0 || (bytes[0] == 46 && (n == 1 || (n == 2 && bytes[1] == 46))) { continue }
                var type = e.pointee.d_type
                if type == UInt8(DT_UNKNOWN) || type == UInt8(DT_LNK) {
                    var st = stat()
                    // A link to a directory is not followed (lstat for unknown types, stat for links to files).
                    let flags = type == UInt8(DT_LNK) ? 0 : AT_SYMLINK_NOFOLLOW
                    guard fstatat(fd, cName, &st, flags) == 0 else { continue }
                    let isDir = (st.st_mode & S_IFMT) == S_IFDIR
                    if isDir && type == UInt8(DT_LNK) { continue }
                    type = isDir ? UInt8(DT_DIR) : UInt8(DT_REG)
                }
                if type == UInt8(DT_DIR) {
                    entries.append((Int32(names.count), Int32(n + 1), true))
                    names.append(contentsOf: bytes)
                    names.append(47)
                } else if n >= 5, bytes[(n - 5)...].elementsEqual(".tape".utf8) {
                    entries.append((Int32(names.count), Int32(n), false))
                    names.append(contentsOf: bytes)
                }
            }
            closedir(d)
            names.withUnsafeBufferPointer { b in
                guard let base = b.baseAddress else { return }
                entries.sort { x, y in
                    let c = memcmp(base + Int(x.start), base + Int(y.start), Int(min(x.count, y.count)))
                    return c != 0 ? c < 0 : x.count < y.count
                }
            }
        }
    }

    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out.sorted()
    }
}

/// A run argument that names nothing usable.
struct RunPathsError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
