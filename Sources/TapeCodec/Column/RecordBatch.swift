import TapeFormat

/// A run of rows of some columns: what a scan yields and what output formatters print.
public struct RecordBatch: Sendable {
    /// The batch's columns (a projection of a table's schema, in output order).
    public var schema: Schema
    /// One `ColumnData` per schema column, all with `count` rows.
    public var columns: [ColumnData]
    public var count: Int

    public init(schema: Schema, columns: [ColumnData], count: Int) {
        precondition(columns.count == schema.count && columns.allSatisfy { $0.count == count })
        self.schema = schema
        self.columns = columns
        self.count = count
    }

    /// The value at `row` of column `column` as a `Value` (slow path, for printing and tests).
    public func value(row: Int, column: Int) -> Value {
        let c = columns[column]
        if c.isNull(row) { return .null }
        switch c.storage {
        case .int64(let v): return c.type == .timestamp ? .timestamp(v[row]) : .int(v[row])
        case .float64(let v): return .double(v[row])
        case .bool(let v): return .bool(v[row])
        case .strings, .dictionary: return .string(c.string(at: row))
        case .interval(let v): return .interval(v[row])
        case .constant(let d): return d
        }
    }
}
