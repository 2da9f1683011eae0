import TapeFormat

/// Imports a CSV file into a `RowSink`: header, schema (given or inferred), conversion.
///
/// Streaming with bounded memory: `inferSchema()` buffers at most `inferRows` records, which
/// `run(into:)` replays before reading on.
public final class CSVImporter {
    public let options: ImportOptions
    /// Column names from the header (or `column_N`).
    public private(set) var header: [String] = []

    private let reader: CSVReader
    private var headerLine = 0
    private var buffered: [CSVRecord] = []
    private var schema: Schema?
    /// For each schema column, the index of the CSV field holding it.
    private var mapping: [Int] = []
    private var policy: MalformedPolicy
    private var row: [Value] = []
    private var firstRecordPending = false

    /// Opens `source` and reads the header.
    public init(_ source: TextSource, options: ImportOptions = ImportOptions()) throws {
        self.options = options
        self.policy = MalformedPolicy(options)
        reader = try CSVReader(source, delimiter: options.delimiter)
        try readHeader()
    }

    private func readHeader() throws {
        // A malformed header is always fatal: there is nothing to match later lines against.
        guard try reader.readRecord() else {
            if options.hasHeader { throw TextInputError(.emptyInput, line: 0) }
            header = (options.schema?.columns.map(\.name)) ?? []
            return
        }
        headerLine = reader.recordLine
        if options.hasHeader {
            header = try columnNames(reader.fields, line: headerLine)
        } else {
            header = (0..<reader.fieldCount).map { "column_\($0 + 1)" }
            if let s = options.schema, s.count == reader.fieldCount { header = s.columns.map(\.name) }
            firstRecordPending = true
        }
    }

    /// The schema rows are imported with: `options.schema` matched against the header, or types
    /// inferred from the first `options.inferRows` records (nullable, named by the header).
    public func inferSchema() throws -> Schema {
        if let s = schema { return s }
        if let given = options.schema {
            try match(given)
            schema = given
            return given
        }
        var inference = TypeInference(columnCount: header.count)
        while buffered.count < options.inferRows, let record = try nextRecord() {
            for i in 0..<record.fieldCount { record.withField(i) { inference.observe($0, column: i) } }
            buffered.append(record)
        }
        let s = try makeSchema(names: header, types: inference.columnTypes, line: headerLine)
        mapping = Array(0..<header.count)
        schema = s
        row = Array(repeating: .null, count: s.count)
        return s
    }

    private func match(_ given: Schema) throws {
        let fileColumns = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        mapping = []
        for c in given.columns {
            guard let j = fileColumns[c.name] else {
                throw TextInputError(.missingColumn(c.name), line: headerLine)
            }
            mapping.append(j)
        }
        if !options.ignoreExtraColumns {
            let wanted = Set(given.columns.map(\.name))
            if let extra = header.first(where: { !wanted.contains($0) }) {
                throw TextInputError(.unexpectedColumn(extra), line: headerLine)
            }
        }
        row = Array(repeating: .null, count: given.count)
    }

    /// Reads every record (buffered ones first) into `sink`.
    public func run(into sink: RowSink) throws -> ImportReport {
        let schema = try inferSchema()
        let types = schema.columns.map(\.type)
        let nullable = schema.columns.map(\.nullable)
        for record in buffered {
            try importRecord(record, types: types, nullable: nullable, sink: sink)
        }
        buffered = []
        while true {
            do {
                if firstRecordPending {
                    firstRecordPending = false
                } else {
                    guard try reader.readRecord() else { break }
                }
            } catch let e as TextInputError {
                try policy.handle(e)
                try reader.skipAfterError()
                continue
            }
            try importRecord(reader, types: types, nullable: nullable, sink: sink)
        }
        return policy.report
    }

    /// The next well-formed record during inference (malformed ones are skipped or thrown).
    private func nextRecord() throws -> CSVRecord? {
        while true {
            do {
                if firstRecordPending {
                    firstRecordPending = false
                } else {
                    guard try reader.readRecord() else { return nil }
                }
            } catch let e as TextInputError {
                try policy.handle(e)
                try reader.skipAfterError()
                continue
            }
            if reader.fieldCount != header.count {
                try policy.handle(fieldCountError(reader))
                continue
            }
            return reader.copyRecord()
        }
    }

    private func fieldCountError<F: CSVFields>(_ r: F) -> TextInputError {
        TextInputError(.wrongFieldCount(expected: header.count, found: r.fieldCount), line: r.recordLine)
    }

    private func importRecord<F: CSVFields>(_ r: F, types: [ColumnType], nullable: [Bool], sink: RowSink) throws {
        do {
            try convert(r, types: types, nullable: nullable)
        } catch let e as TextInputError {
            try policy.handle(e)
            return
        }
        try sink.appendRow(row)
        policy.report.rowsImported += 1
    }

    /// Fills `row` from one record.
    private func convert<F: CSVFields>(_ r: F, types: [ColumnType], nullable: [Bool]) throws {
        guard r.fieldCount == header.count else { throw fieldCountError(r) }
        for c in 0..<mapping.count {
            let j = mapping[c]
            let v: Value
            do {
                v = try r.withField(j) { try ValueParser.parse($0, as: types[c], quoted: r.isQuoted(j)) }
            } catch let e as ValueParseError {
                throw TextInputError(problem(e), line: r.recordLine, field: header[j])
            }
            if !nullable[c], v.isNull {
                throw TextInputError(.nullInNonNullableColumn, line: r.recordLine, field: header[j])
            }
            row[c] = v
        }
    }
}

func problem(_ e: ValueParseError) -> TextInputError.Problem {
    switch e {
    case .invalid(let t, let text): return .invalidValue(expected: t, text: text)
    case .invalidUTF8: return .invalidUTF8
    }
}
