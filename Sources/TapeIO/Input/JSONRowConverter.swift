import TapeFormat

/// Maps the keys and scalars of one parsed JSON object onto a schema's columns, in schema order.
///
/// Shared by `NDJSONImporter` and `IngestSession`. Keys map to columns by name; a key missing from
/// the object is null; a key not in the schema is an `unexpectedColumn` error unless
/// `ignoreExtraColumns`. Values convert by `NDJSONImporter.value(_:as:)`. A per-position cache of
/// the last key seen there makes repeated objects with the same key order cost no dictionary lookup.
struct JSONRowConverter {
    let schema: Schema
    let ignoreExtraColumns: Bool
    /// The converted row, one entry per column (reused between objects).
    private(set) var row: [Value]
    private var present: [Bool]
    private let columnIndex: [String: Int]
    /// Per key position, the last key seen there and its column (-1: ignored key).
    private var keyCache: [(key: String, column: Int)] = []

    init(schema: Schema, ignoreExtraColumns: Bool = false) {
        self.schema = schema
        self.ignoreExtraColumns = ignoreExtraColumns
        columnIndex = Dictionary(schema.columns.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        row = Array(repeating: .null, count: schema.count)
        present = Array(repeating: false, count: schema.count)
    }

    private mutating func column(for key: String, at position: Int) -> Int? {
        if position < keyCache.count, keyCache[position].key == key { return keyCache[position].column }
        let c = columnIndex[key] ?? -1
        if c < 0 && !ignoreExtraColumns { return nil }
        if position < keyCache.count {
            keyCache[position] = (key, c)
        } else if position == keyCache.count {
            keyCache.append((key, c))
        }
        return c
    }

    /// Converts `keys[first...]` / `values[first...]` into `row`. Throws a `TextInputError` naming
    /// `line` and the offending key: unknown key, value that does not convert, null (or missing)
    /// in a non-nullable column.
    mutating func convert(line: Int, keys: [String], values: [JSONScalar], from first: Int = 0) throws {
        let columns = schema.columns
        for i in 0..<present.count { present[i] = false }
        var i = first
        while i < keys.count {
            defer { i += 1 }
            guard let c = column(for: keys[i], at: i - first) else {
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
}

/// Collects column names (first-seen order) and observed kinds from sample JSON objects, then
/// resolves a schema by `TypeInference` (every column nullable).
struct JSONSchemaSampler {
    private(set) var names: [String] = []
    private var index: [String: Int] = [:]
    private var inference = TypeInference()

    /// Records the keys and values of one object, from position `first` on.
    mutating func observe(keys: [String], values: [JSONScalar], from first: Int = 0) {
        for i in first..<max(first, keys.count) {
            let k = keys[i]
            let c: Int
            if let known = index[k] {
                c = known
            } else {
                c = names.count
                index[k] = c
                names.append(k)
            }
            inference.observe(values[i], column: c)
        }
    }

    /// The schema for everything observed; `line` is reported when the names are invalid.
    func schema(line: Int) throws -> Schema {
        try makeSchema(names: names, types: inference.columnTypes, line: line)
    }
}
