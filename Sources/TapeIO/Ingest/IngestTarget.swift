import TapeFormat

/// Where an `IngestSession` puts what it reads: tables, metadata and the expected bar count.
/// `tape ingest` adapts a `TapeWriter` to it; tests use an in-memory one.
public protocol IngestTarget: AnyObject {
    /// Declares table `name` with `schema`; the table's rows then go to the returned sink.
    /// Throws when the name is invalid or already taken.
    func declareTable(_ name: String, schema: Schema) throws -> ColumnBatchSink
    /// Sets a run metadata key; a later value replaces an earlier one. Throws past the format's metadata limits.
    func setMetadata(_ key: String, _ value: String) throws
    /// The run will have `count` bars, counted as rows of `table`.
    func expectBars(_ count: Int, table: String)
}
