import TapeQuery
import Tape
#if canImport(Glibc)
import Glibc
#endif

/// The errno-style code a libTapeArrow call returns for an error (tools/python/tape/_errors.py
/// picks the Python exception class from it):
///   EINVAL   bad arguments or data (BridgeError.invalid, TapeError's argument/schema/type errors)
///   EDOM     a query that does not parse, bind or run (QueryError)
///   EBADMSG  a damaged or unsealed file (TapeError.corrupt / .unsealed)
///   EAGAIN   another writer holds the file (TapeError.locked)
///   errno    of a failed file operation (TapeError.io: ENOENT, EACCES, ENOSPC ...)
///   EIO      anything else
enum ErrorCodes {
    static func code(for error: Error) -> Int32 {
        switch error {
        case let e as BridgeError: return e.code
        case let e as QueryError:
            // A file the query could not open is a file error, not a query error.
            if e.kind == .execution, let underlying = fileCode(in: e.message) { return underlying }
            return EDOM
        case let e as TapeError:
            switch e {
            case .corrupt, .unsealed: return EBADMSG
            case .locked: return EAGAIN
            case .io(_, _, let errno): return errno == 0 ? EIO : errno
            default: return EINVAL
            }
        default: return EIO
        }
    }

    /// ENOENT when a query's execution error says a file is missing (its message is Tape's text).
    private static func fileCode(in message: String) -> Int32? {
        message.contains("No such file or directory") ? ENOENT : nil
    }
}
