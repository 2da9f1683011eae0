import TapeCodec
import TapeFormat

/// Results for consumers that have a duration type (the Arrow bridge: pyarrow `duration[ns]`,
/// pandas `timedelta64[ns]`, polars `Duration`): INTERVAL columns arrive as `ColumnType.duration`
/// (Int64 nanoseconds) instead of the text `schema` and `run` give formatters.
///
/// Contract: an INTERVAL of `days` and `nanos` is `days × 86,400 s + nanos` (Tape's timestamps are
/// UTC, so a day is always 24 hours: `ts + INTERVAL '1 day'` adds exactly that), which is the
/// stored duration it was read from, bit for bit. An INTERVAL holding calendar months
/// (`INTERVAL '1 month'`) has no fixed length: the run fails with an execution error naming the
/// column, as does one beyond the Int64 nanosecond range. NULL stays NULL.
extension Query {
    /// `schema` with every INTERVAL column typed `.duration`.
    public func durationSchema() throws(QueryError) -> Schema {
        do {
            return try Schema(columns.map { ColumnDef($0.name, $0.type == .interval ? .duration : $0.type.columnType) })
        } catch {
            throw QueryError(.binding, "bad result columns: \(error)")
        }
    }

    /// `run` with INTERVAL columns as durations (see the type's contract); batches follow
    /// `durationSchema()`.
    public func runWithDurations(_ body: @escaping (RecordBatch) throws -> Bool) throws(QueryError) {
        let names = columns.map(\.name)
        try deliver(schema: try durationSchema(), body) { v, i throws(QueryError) in
            v.type == .interval ? try Query.durations(v, column: names[i]) : try v.columnData()
        }
    }

    /// An INTERVAL vector as a duration column (nanoseconds).
    static func durations(_ v: Vector, column: String) throws(QueryError) -> ColumnData {
        let m = v.materialized()
        // A stored duration read back: its nanoseconds handed over as they are.
        if case .int64(let nanos) = m.storage { return ColumnData(type: .duration, storage: .int64(nanos), validity: m.validity) }
        guard case .interval(let values) = m.storage else {
            // Unreachable: an INTERVAL vector materialises as intervals (NULL ones as placeholders).
            throw QueryError(.execution, "column '\(column)': an INTERVAL column without interval values")
        }
        var out = [Int64](repeating: 0, count: values.count)
        for (row, i) in values.enumerated() where m.validity?[row] ?? true {
            guard i.months == 0 else {
                throw QueryError(.execution, "column '\(column)': the INTERVAL '\(i)' has calendar months, which have no fixed length as a duration; CAST it to VARCHAR to get it as text")
            }
            let (dayNanos, o1) = i.days.multipliedReportingOverflow(by: Interval.nanosPerDay)
            let (total, o2) = dayNanos.addingReportingOverflow(i.nanos)
            guard !o1, !o2 else {
                throw QueryError(.execution, "column '\(column)': the INTERVAL '\(i)' is beyond the nanosecond range of a duration (±292 years)")
            }
            out[row] = total
        }
        return ColumnData(type: .duration, storage: .int64(out), validity: m.validity)
    }
}
