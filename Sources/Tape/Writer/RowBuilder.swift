import TapeFormat

/// Sets the columns of one row inside `TableWriter.appendRow`. Each column may be set once; a
/// setter whose type does not match the column's throws `typeMismatch` (and the row is discarded).
public struct RowBuilder {
    let table: TableWriter
    let serial: UInt64

    public mutating func set(_ column: Int, int value: Int64) throws {
        try table.mark(column, serial: serial)
        guard table.types[column] == .int64 else { throw table.mismatch(column, "int64") }
        table.buffers[column].appendInt(value)
    }

    public mutating func set(_ column: Int, double value: Double) throws {
        try table.mark(column, serial: serial)
        guard table.types[column] == .float64 else { throw table.mismatch(column, "float64") }
        table.buffers[column].appendDouble(value)
    }

    /// Sets a timestamp column from nanoseconds since the Unix epoch (UTC).
    public mutating func set(_ column: Int, timestamp nanoseconds: Int64) throws {
        try table.mark(column, serial: serial)
        guard table.types[column] == .timestamp else { throw table.mismatch(column, "timestamp") }
        table.buffers[column].appendInt(nanoseconds)
    }

    /// Sets a duration column from nanoseconds.
    public mutating func set(_ column: Int, duration nanoseconds: Int64) throws {
        try table.mark(column, serial: serial)
        guard table.types[column] == .duration else { throw table.mismatch(column, "duration") }
        table.buffers[column].appendInt(nanoseconds)
    }

    public mutating func set(_ column: Int, bool value: Bool) throws {
        try table.mark(column, serial: serial)
        guard table.types[column] == .bool else { throw table.mismatch(column, "bool") }
        table.buffers[column].appendBool(value)
    }

    public mutating func set(_ column: Int, string value: String) throws {
        try table.mark(column, serial: serial)
        guard table.types[column] == .string else { throw table.mismatch(column, "string") }
        do { try table.buffers[column].appendString(value) } catch {
            throw TapeError.stringsTooLarge(table: table.name, column: table.schema[column].name, error)
        }
    }

    /// Sets a column to null; throws for a non-nullable column.
    public mutating func setNull(_ column: Int) throws {
        try table.mark(column, serial: serial)
        guard table.schema[column].nullable else {
            throw TapeError.nullInNonNullable(table: table.name, column: table.schema[column].name)
        }
        table.buffers[column].appendNull()
    }

    /// Sets a column from a `Value`. `.int` is accepted for float64, timestamp and duration
    /// (nanoseconds) columns; `.interval` for duration columns when it has no months part.
    public mutating func set(_ column: Int, _ value: Value) throws {
        switch value {
        case .null: try setNull(column)
        case .int(let v):
            guard column >= 0 && column < table.schema.count else { return try set(column, int: v) }
            switch table.schema[column].type {
            case .float64: try set(column, double: Double(v))
            case .timestamp: try set(column, timestamp: v)
            case .duration: try set(column, duration: v)
            default: try set(column, int: v)
            }
        case .double(let v): try set(column, double: v)
        case .timestamp(let v): try set(column, timestamp: v)
        case .bool(let v): try set(column, bool: v)
        case .string(let v): try set(column, string: v)
        case .interval(let i):
            // A duration column takes an interval of fixed length (no calendar months) as nanoseconds.
            if let n = i.fixedNanos { return try set(column, duration: n) }
            guard column >= 0 && column < table.schema.count else { return try set(column, duration: 0) }
            throw table.mismatch(column, "interval with months")
        }
    }

    /// Sets a column by name (a dictionary lookup; prefer indices in hot loops).
    public mutating func set(_ column: String, _ value: Value) throws {
        try set(try table.columnIndex(column), value)
    }
}
