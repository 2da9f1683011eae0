import CArrowABI
import Foundation
import Tape
import TapeCodec
import TapeFormat
import TapeIO

/// A `TapeWriter` driven through libTapeArrow (`tape_writer_*`): tables are created from the first
/// Arrow batch written to them and then take batches column by column, with no per-row work
/// besides the checks and conversions of `ArrowColumnImport`.
///
/// A table's schema is fixed by its first batch (every column nullable; a table already in a
/// resumed or appended file keeps the file's schema). Later batches may omit columns (null) and
/// order them freely, never add new ones. A rejected batch appends nothing: the rows before it
/// stay written and the writer stays usable.
///
/// Thread safety: every method takes `lock` (Python threads may call in parallel: ctypes
/// releases the GIL).
final class BatchWriter: @unchecked Sendable {
    private let lock = NSLock()
    private var writer: TapeWriter?
    private let path: String

    init(_ writer: TapeWriter) {
        self.writer = writer
        path = writer.path
    }

    private func locked<T>(_ body: (TapeWriter) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard let writer else { throw BridgeError.invalid("the writer of '\(path)' is closed") }
        return try body(writer)
    }

    func setMetadata(_ key: String, _ value: String) throws {
        try locked { try $0.setMetadata(key, value) }
    }

    func expectBars(_ count: Int, table: String) throws {
        try locked { $0.expectBars(count, table: table) }
    }

    /// Appends the record batch `array` (a struct array described by `schema`) to `table`.
    func write(table: String, schema: UnsafePointer<ArrowSchema>, array: UnsafePointer<ArrowArray>) throws {
        try locked { w in
            let fields = try ArrowField.fields(of: schema)
            let batch = try ArrayView(array, what: "the batch", parentOffset: 0, count: Int(max(0, array.pointee.length)))
            try batch.expectBuffers(1)
            guard try batch.validity() == nil else {
                throw BridgeError.invalid("the batch's struct array has null rows; write a record batch (no top-level nulls)")
            }
            guard array.pointee.n_children == Int64(fields.count), fields.isEmpty || array.pointee.children != nil else {
                throw BridgeError.invalid("the batch has \(array.pointee.n_children) child arrays, its schema \(fields.count) columns")
            }
            var position: [String: Int] = [:]
            for (i, f) in fields.enumerated() {
                guard position[f.name] == nil else { throw BridgeError.invalid("the batch for table '\(table)' has two columns named '\(f.name)'") }
                position[f.name] = i
            }
            let tableWriter = try w.table(table) ?? w.declareTable(table, schema: try Self.schema(for: table, fields, in: w))
            for f in fields where tableWriter.schema.index(of: f.name) == nil {
                throw BridgeError.invalid("table '\(table)' has no column '\(f.name)' (its columns: \(tableWriter.schema.columns.map(\.name).joined(separator: ", "))); a table's columns are fixed by its first batch")
            }
            var columns: [ColumnData] = []
            columns.reserveCapacity(tableWriter.schema.count)
            for def in tableWriter.schema.columns {
                guard let i = position[def.name] else {
                    columns.append(ArrowColumnImport.nulls(batch.count, of: def.type))
                    continue
                }
                guard let child = array.pointee.children?[i] else { throw BridgeError.invalid("child array \(i) is NULL") }
                columns.append(try ArrowColumnImport(table: table, field: fields[i], target: def.type)
                    .read(UnsafePointer(child), parentOffset: batch.start, count: batch.count))
            }
            try tableWriter.append(columns: columns)
        }
    }

    /// The schema a new table gets from its first batch: the file's schema when the table is
    /// already in it (append, resume), else the batch's columns, all nullable.
    private static func schema(for table: String, _ fields: [ArrowField], in w: TapeWriter) throws -> Schema {
        if let existing = w.carriedSchema(table) { return existing }
        return try ArrowField.naturalSchema(table: table, fields)
    }

    /// Closes (or with `cancelReason`, cancels) the run; returns its summary as JSON.
    func finish(cancelReason: String?, cancel: Bool) throws -> String {
        let summary: RunSummary = try locked { w in
            defer { writer = nil }
            return cancel ? try w.cancel(reason: cancelReason) : try w.close()
        }
        return try summary.json()
    }
}
