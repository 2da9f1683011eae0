import TapeFormat
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Errors of the Tape engine. Each names what went wrong and where (path, table, column, offset).
public enum TapeError: Error, CustomStringConvertible, Equatable {
    /// A system call failed.
    case io(operation: String, path: String, errno: Int32)
    /// The file's bytes are damaged or not a Tape file.
    case corrupt(path: String, FormatError)
    /// The file has no valid trailer: its writer did not close it (or it was cut short).
    case unsealed(path: String, size: Int)
    case unknownTable(String)
    case unknownColumn(table: String, column: String)
    case tableExists(String)
    /// A value of the wrong type was given for a column.
    case typeMismatch(table: String, column: String, expected: ColumnType, got: String)
    /// A non-nullable column was left unset or set to null.
    case nullInNonNullable(table: String, column: String)
    case columnSetTwice(table: String, column: String)
    /// A column batch does not match the table's schema.
    case badBatch(table: String, reason: String)
    /// A string column's buffered bytes would pass what one string array addresses (4 GiB).
    case stringsTooLarge(table: String, column: String, StringArrayOverflow)
    case writerClosed
    case schema(table: String, SchemaError)
    case invalidArgument(String)
    /// Another process is writing the file (an append, import, ingest, compaction or recovery holds
    /// its writer lock), so it cannot be written now, or was changing while it was read.
    case locked(path: String)

    public var description: String {
        switch self {
        case let .io(op, path, e): return "\(op) '\(path)' failed: \(String(cString: strerror(e))) (errno \(e))"
        case let .corrupt(path, f): return "'\(path)' is damaged: \(f)"
        case let .unsealed(path, size):
            return "'\(path)' (\(size) bytes) has no footer: its writer did not finish (killed or still running); `tape recover \(path)` keeps its complete chunks and rebuilds the footer"
        case let .unknownTable(t): return "no table named '\(t)'"
        case let .unknownColumn(t, c): return "table '\(t)' has no column '\(c)'"
        case let .tableExists(t): return "table '\(t)' already exists"
        case let .typeMismatch(t, c, exp, got): return "column '\(c)' of table '\(t)' is \(exp), cannot store \(got)"
        case let .nullInNonNullable(t, c): return "column '\(c)' of table '\(t)' is not nullable but got no value"
        case let .columnSetTwice(t, c): return "column '\(c)' of table '\(t)' was set twice in one row"
        case let .badBatch(t, r): return "bad column batch for table '\(t)': \(r)"
        case let .stringsTooLarge(t, c, e): return "column '\(c)' of table '\(t)': \(e); append shorter strings"
        case .writerClosed: return "the writer is closed"
        case let .schema(t, e): return "bad schema for table '\(t)': \(e)"
        case let .invalidArgument(m): return m
        case let .locked(path):
            return "'\(path)' is locked by another writer (an import, ingest, compaction or recovery of it is under way); try again when it has finished"
        }
    }
}
