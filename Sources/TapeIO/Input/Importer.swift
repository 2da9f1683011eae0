import TapeFormat

/// Receives imported rows. The engine's table writer is adapted to this elsewhere.
public protocol RowSink: AnyObject {
    /// Appends one row; `values` has one entry per schema column, in schema order. The array is
    /// reused by the caller after the call returns.
    func appendRow(_ values: [Value]) throws
}

/// How a text import behaves.
public struct ImportOptions: Sendable {
    /// The table's schema. When given, CSV columns are matched to it by header name (every schema
    /// column must be in the header; header columns not in the schema are an error unless
    /// `ignoreExtraColumns`); NDJSON keys are matched by name per object (a missing key is null).
    /// When nil, the schema is inferred from the first `inferRows` records.
    public var schema: Schema?
    /// Drop input columns (CSV header names, NDJSON keys) that are not in the schema.
    public var ignoreExtraColumns: Bool
    /// Records sampled for type inference.
    public var inferRows: Int
    /// Skip and count malformed lines instead of failing on the first one.
    public var skipMalformed: Bool
    /// CSV field delimiter (one byte; not a quote, CR or LF).
    public var delimiter: UInt8
    /// Whether the CSV's first record names the columns. Without a header, columns are named
    /// `column_1`, `column_2`, ... (or taken positionally from `schema`).
    public var hasHeader: Bool
    /// How many skipped lines the report keeps details of.
    public var maxReportedSkips: Int

    public init(schema: Schema? = nil, ignoreExtraColumns: Bool = false, inferRows: Int = 1000,
                skipMalformed: Bool = false, delimiter: UInt8 = UInt8(ascii: ","), hasHeader: Bool = true,
                maxReportedSkips: Int = 10) {
        self.schema = schema
        self.ignoreExtraColumns = ignoreExtraColumns
        self.inferRows = inferRows
        self.skipMalformed = skipMalformed
        self.delimiter = delimiter
        self.hasHeader = hasHeader
        self.maxReportedSkips = maxReportedSkips
    }
}

/// What an import did.
public struct ImportReport: Sendable, Equatable {
    /// Rows handed to the sink.
    public var rowsImported = 0
    /// Malformed records skipped (only with `skipMalformed`).
    public var linesSkipped = 0
    /// The first few skipped records: line and reason.
    public var skipped: [TextInputError] = []

    public init() {}
}

/// Shared bookkeeping for malformed records.
struct MalformedPolicy {
    let skip: Bool
    let keep: Int
    var report = ImportReport()

    init(_ options: ImportOptions) {
        skip = options.skipMalformed
        keep = max(0, options.maxReportedSkips)
    }

    /// Records `error` if skipping; otherwise rethrows it.
    mutating func handle(_ error: TextInputError) throws {
        guard skip else { throw error }
        report.linesSkipped += 1
        if report.skipped.count < keep { report.skipped.append(error) }
    }
}

/// Column names for a header: empty names (pandas writes one for its index) become `column_N`;
/// duplicates are an error.
func columnNames(_ raw: [String], line: Int) throws -> [String] {
    var names: [String] = []
    var seen = Set<String>()
    for (i, n) in raw.enumerated() {
        let name = n.isEmpty ? "column_\(i + 1)" : n
        guard name.utf8.count <= Schema.maxNameBytes else {
            throw TextInputError(.badHeader("column name longer than \(Schema.maxNameBytes) bytes"), line: line)
        }
        guard seen.insert(name).inserted else {
            throw TextInputError(.badHeader("duplicate column name '\(name)'"), line: line)
        }
        names.append(name)
    }
    return names
}

/// A schema from names and types (all nullable).
func makeSchema(names: [String], types: [ColumnType], line: Int) throws -> Schema {
    do {
        return try Schema(zip(names, types).map { ColumnDef($0, $1, nullable: true) })
    } catch {
        throw TextInputError(.badHeader(error.description), line: line)
    }
}
