import TapeQuery
import Tape
import TapeIO
#if canImport(Glibc)
import Glibc
#endif

/// The errno-style code a libTapeArrow call returns for an error (tools/python/tape/_errors.py
/// picks the Python exception class from it):
///   EINVAL   bad arguments or data (BridgeError.invalid, ArrowImportError, TapeError's argument/schema/type errors)
///   EDOM     a query that does not parse, bind or run (QueryError)
///   EBADMSG  a damaged or unsealed file (TapeError.corrupt / .unsealed)
///   EAGAIN   another writer holds the file (TapeError.locked)
///   errno    of a failed file operation (TapeError.io: ENOENT, EACCES, ENOSPC ...)
///   EIO      anything else
enum ErrorCodes {
    static func code(for error: Error) -> Int32 {
        switch error {
        case let e as BridgeError: return e.code
        case is ArrowImportError: return EINVAL
        case let e as SummaryFailure: return code(for: e.error)
        case is QueryError: return EDOM
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

    /// Runs `body` (which opens the runs at `paths`); a `QueryError` raised while running it
    /// that comes from a file the query could not open (missing, damaged, unsealed) is rethrown
    /// with that file's code and the query's message. The files are probed only on that failure
    /// path, so a successful call reads nothing twice.
    static func classifyingFileErrors<T>(_ paths: @autoclosure () -> [String], _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as QueryError where e.kind == .execution {
            for path in paths() {
                do { _ = try TapeReader(path: path) } catch {
                    throw BridgeError(code: code(for: error), message: "\(e)")
                }
            }
            throw e
        }
    }
}
