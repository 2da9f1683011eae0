/// Why Arrow data could not be taken into Tape (through the C Data Interface or an IPC stream):
/// a message naming what was wrong and where (column, table, row, message).
package struct ArrowImportError: Error, CustomStringConvertible, Sendable {
    package let description: String

    package init(_ description: String) { self.description = description }

    /// Data or metadata that breaks the Arrow format or does not fit the table.
    package static func invalid(_ message: String) -> ArrowImportError { ArrowImportError(message) }
}
