#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Tape
import TapeIO

/// Where a command's output goes (`-o PATH`, else standard output), the same in every command.
///
/// A regular file is never half-written: the output goes to a fresh temporary file beside PATH
/// (`AtomicReplacement`), which `commit()` fsyncs and renames over PATH. A command that fails
/// before `commit()` leaves PATH as it was (the temporary file is removed when the target is
/// released). A PATH that exists and is not a regular file or a link to one (`/dev/null`, a FIFO,
/// `/dev/stdout`) is written directly; a directory is an error.
final class OutputTarget {
    /// The sink formatters write into.
    let sink: ByteSink
    /// The path given with `-o`, nil for standard output.
    let path: String?
    private let replacement: AtomicReplacement?

    /// Standard output when `path` is nil, else the file at `path` (see the type's contract).
    init(path: String?) throws {
        self.path = path
        guard let path else {
            sink = ByteSink()
            replacement = nil
            return
        }
        var st = stat()
        if stat(path, &st) == 0 {
            let kind = st.st_mode & S_IFMT
            if kind == S_IFDIR { throw TapeError.invalidArgument("-o \(path): is a directory (give a file name)") }
            if kind != S_IFREG {
                sink = try ByteSink(path: path)
                replacement = nil
                return
            }
        }
        // A link to a regular file: the link stays, its target is replaced.
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map { dest in
            dest.hasPrefix("/") ? dest : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(dest)
        } ?? path
        do {
            let r = try AtomicReplacement(replacing: target, purpose: "output")
            replacement = r
            sink = ByteSink(fileDescriptor: r.fileDescriptor, name: path)
        } catch {
            throw TapeError.invalidArgument("-o \(path): cannot create the output file: \(error)")
        }
    }

    /// Flushes everything written and, for a file, makes it durable and puts it at its path.
    func commit() throws {
        try sink.close()
        try replacement?.commit()
    }
}
