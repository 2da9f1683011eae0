import TapeFormat

/// Imports NDJSON (one flat object per line) into a `RowSink`.
///
/// Keys map to columns by name. Without a given schema, columns are the keys of the first
/// `inferRows` objects in first-seen order, typed by `TypeInference`. A key missing from an object
/// is null; a key not in the schema is an error unless `ignoreExtraColumns`.
///
/// Conversions of JSON scalars to column types: numbers to int64 (only integral values in range),
/// float64 (ints widen); strings to any type by the text rules of `ValueParser` (so `"1.5"` fits a
/// float64 column and ISO strings a timestamp column); booleans only to bool; anything to string
/// (numbers and booleans as their JSON text). Numbers are never read as timestamps.
public final class NDJSONImporter {
    public let options: ImportOptions

    private let reader: NDJSONReader
    private var buffered: [(line: Int, keys: [String], values: [JSONScalar])] = []
    private var schema: Schema?
    private var columnIndex: [String: Int] = [:]
    private var policy: MalformedPolicy
    private var row: [Value] = []
    private var present: [Bool] = []
    /// Per key position, the last key seen there and its column (-1: ignored key).
    private var keyCache: [(key: String, column: Int)] = []

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
            install(given)
            return given
        }
        var names: [String] = []
        var index: [String: Int] = [:]
        var inference = TypeInference()
        while buffered.count < options.inferRows {
            do {
                guard try reader.readObject() else { break }
            } catch let e as TextInputError {
                try policy.handle(e)
                continue
            }
            for (k, v) in zip(reader.keys, reader.values) {
                let c: Int
                if let known = index[k] {
                    c = known
                } else {
                    c = names.count
                    index[k] = c
                    names.append(k)
                }
                inference.observe(v, column: c)
            }
            buffered.append((reader.recordLine, reader.keys, reader.values))
        }
        guard !names.isEmpty else { throw TextInputError(.emptyInput, line: 0) }
        let s = try makeSchema(names: names, types: inference.columnTypes, line: buffered.first?.line ?? 0)
        install(s)
        return s
    }

    private func install(_ s: Schema) {
        schema = s
        columnIndex = Dictionary(s.columns.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        row = Array(repeating: .null, count: s.count)
        present = Array(repeating: false, count: s.count)
    }

    /// Reads every object (buffered ones first) into `sink`.
    public func run(into sink: RowSink) throws -> ImportReport {
        let schema = try inferSchema()
        let columns = schema.columns
        for b in buffered {
            try importObject(line: b.line, keys: b.keys, values: b.values, columns: columns, sink: sink)
        }
        buffered = []
        while true {
            do {
                guard try reader.readObject() else { break }
            } catch let e as TextInputError {
                try policy.handle(e)
                continue
            }
            try importObject(line: reader.recordLine, keys: reader.keys, values: reader.values, columns: columns, sink: sink)
        }
        return policy.report
    }

    private func importObject(line: Int, keys: [String], values: [JSONScalar], columns: [ColumnDef], sink: RowSink) throws {
        do {
            try convert(line: line, keys: keys, values: values, columns: columns)
        } catch let e as TextInputError {
            try policy.handle(e)
            return
        }
        try sink.appendRow(row)
        policy.report.rowsImported += 1
    }

    private func column(for key: String, at position: Int) -> Int? {
        if position < keyCache.count, keyCache[position].key == key { return keyCache[position].column }
        let c = columnIndex[key] ?? -1
        if c < 0 && !options.ignoreExtraColumns { return nil }
        if position < keyCache.count {
            keyCache[position] = (key, c)
        } else if position == keyCache.count {
            keyCache.append((key, c))
        }
        return c
    }

    private func convert(line: Int, keys: [String], values: [JSONScalar], columns: [ColumnDef]) throws {
        for i in 0..<present.count { present[i] = false }
        for i in 0..<keys.count {
            guard let c = column(for: keys[i], at: i) else {
                throw TextInputError(.unexpectedColumn(keys[i]), line: line, field: keys[i])
            }
            if c < 0 { continue }
            guard let v = NDJSONImporter.value(values[i], as: columns[c].type) else {
                let text = TextValues.excerpt(values[i].description)
                throw TextInputError(.invalidValue(expected: columns[c].type, text: text), line: line, field: keys[i])
            }
            row[c] = v
            present[c] = true
        }
        for c in 0..<columns.count {
            if !present[c] { row[c] = .null }
            if row[c].isNull && !columns[c].nullable {
                throw TextInputError(.nullInNonNullableColumn, line: line, field: columns[c].name)
            }
        }
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
        case (.int(let v), .int64): return .int(v)
        case (.int(let v), .float64): return .float(Double(v))
        case (.double(let d), .int64):
            guard d == d.rounded(), d >= -0x1p63, d < 0x1p63 else { return nil }
            return .int(Int64(d))
        case (.double(let d), .float64): return .float(d)
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
