import TapeFormat

/// Imports NDJSON (one flat object per line) into a `RowSink`.
///
/// Keys map to columns by name. Without a given schema, columns are the keys of the first
/// `inferRows` objects in first-seen order, typed by `TypeInference`. A key missing from an object
/// is null; a key not in the schema is an error unless `ignoreExtraColumns`.
///
/// Conversions of JSON scalars to column types: numbers to int64 (only values that are exactly an
/// integer in range, decided on the digits: `1E2` and `5.0` fit, `1.5` and `9223372036854775808`
/// do not), float64 (the correctly rounded double of the literal; `-0` is -0.0); strings to any
/// type by the text rules of `ValueParser` (so `"1.5"` fits a float64 column and ISO strings a
/// timestamp column); booleans only to bool; anything to string (numbers exactly as written,
/// booleans as `true`/`false`). Numbers are never read as timestamps.
public final class NDJSONImporter {
    public let options: ImportOptions

    private let reader: NDJSONReader
    private var buffered: [(line: Int, keys: [String], values: [JSONScalar])] = []
    private var schema: Schema?
    private var policy: MalformedPolicy

    public init(_ source: TextSource, options: ImportOptions = ImportOptions()) throws {
        self.options = options
        self.policy = MalformedPolicy(options)
        reader = try NDJSONReader(source)
    }

    /// The schema rows are imported with: `options.schema`, or inferred from the first
    /// `options.inferRows` objects. Throws `emptyInput` when inferring from an input without objects.
    public func inferSchema() throws -> Schema {
        if let s = schema { return s }
        if let given = options.schema {
            schema = given
            return given
        }
        var sampler = JSONSchemaSampler()
        while buffered.count < options.inferRows {
            do {
                guard try reader.readObject() else { break }
            } catch let e as TextInputError {
                try policy.handle(e)
                continue
            }
            sampler.observe(keys: reader.keys, values: reader.values)
            buffered.append((reader.recordLine, reader.keys, reader.values))
        }
        guard !sampler.names.isEmpty else { throw TextInputError(.emptyInput, line: 0) }
        let s = try sampler.schema(line: buffered.first?.line ?? 0)
        schema = s
        return s
    }

    /// Reads every object (buffered ones first) into `sink`.
    public func run(into sink: RowSink) throws -> ImportReport {
        var converter = JSONRowConverter(schema: try inferSchema(), ignoreExtraColumns: options.ignoreExtraColumns)
        for b in buffered {
            try importObject(line: b.line, keys: b.keys, values: b.values, converter: &converter, sink: sink)
        }
        buffered = []
        while true {
            do {
                guard try reader.readObject() else { break }
            } catch let e as TextInputError {
                try policy.handle(e)
                continue
            }
            try importObject(line: reader.recordLine, keys: reader.keys, values: reader.values,
                             converter: &converter, sink: sink)
        }
        return policy.report
    }

    private func importObject(line: Int, keys: [String], values: [JSONScalar],
                              converter: inout JSONRowConverter, sink: RowSink) throws {
        do {
            try converter.convert(line: line, keys: keys, values: values)
        } catch let e as TextInputError {
            try policy.handle(e)
            return
        }
        try sink.appendRow(converter.row)
        policy.report.rowsImported += 1
    }

    /// `scalar` as a value of `type`, or nil when it does not convert.
    public static func value(_ scalar: JSONScalar, as type: ColumnType) -> Value? {
        switch (scalar, type) {
        case (.null, _): return .null
        case (.string(let s), .string): return .string(s)
        case (.string(var s), .timestamp):
            if let ns = s.withUTF8({ Timestamps.parse(UnsafeRawBufferPointer($0)) }) { return .timestamp(ns) }
            return try? ValueParser.parse(s, as: type)
        case (.string(let s), _): return try? ValueParser.parse(s, as: type)
        case (.int(let v), .int64), (.int(let v), .duration): return .int(v)
        case (.number, .int64), (.number, .duration): return scalar.exactInt64.map { .int($0) }
        case (.int, .float64), (.number, .float64): return scalar.doubleValue.map { .double($0) }
        case (.bool(let b), .bool): return .bool(b)
        case (_, .string): return .string(scalar.description)
        default: return nil
        }
    }
}

extension TextValues {
    static func excerpt(_ s: String, limit: Int = 60) -> String {
        s.count <= limit ? s : String(s.prefix(limit)) + "…"
    }
}
