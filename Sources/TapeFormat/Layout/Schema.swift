/// The logical type of a column (format-spec §3.1).
public enum ColumnType: UInt8, Sendable, CaseIterable, CustomStringConvertible, Codable {
    case int64 = 1
    case float64 = 2
    /// Nanoseconds since 1970-01-01T00:00:00Z, stored like `int64`.
    case timestamp = 3
    case bool = 4
    case string = 5
    /// A length of time in nanoseconds (format 1.3), stored like `int64`: holding times, bar
    /// intervals. A logical type over int64 storage, so encodings, statistics and zone maps are
    /// those of `int64`; readers print and compute with it as a duration (SQL INTERVAL).
    case duration = 6

    public var description: String {
        switch self {
        case .int64: return "int64"
        case .float64: return "float64"
        case .timestamp: return "timestamp"
        case .bool: return "bool"
        case .string: return "string"
        case .duration: return "duration"
        }
    }

    /// Whether values are `Int64`s (int64, timestamp, duration): storage, encodings and statistics.
    public var hasInt64Storage: Bool { self == .int64 || self == .timestamp || self == .duration }

    /// Parses the names printed by `description` (plus a few common aliases).
    public init?(name: String) {
        switch name.lowercased() {
        case "int64", "int", "integer", "bigint", "i64": self = .int64
        case "float64", "double", "float", "f64", "real": self = .float64
        case "timestamp", "ts", "datetime", "time": self = .timestamp
        case "bool", "boolean": self = .bool
        case "string", "str", "text", "varchar", "utf8": self = .string
        case "duration", "timedelta", "interval": self = .duration
        default: return nil
        }
    }
}

/// One column of a table's schema.
public struct ColumnDef: Sendable, Equatable, Hashable {
    public var name: String
    public var type: ColumnType
    public var nullable: Bool

    public init(_ name: String, _ type: ColumnType, nullable: Bool = true) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }
}

/// The ordered columns of a table. Column names are unique.
public struct Schema: Sendable, Equatable, Hashable {
    public private(set) var columns: [ColumnDef]
    private var indexByName: [String: Int]

    /// Most columns a table may have (format-spec §3.1).
    public static let maxColumns = 4096
    /// Longest column name in bytes.
    public static let maxNameBytes = NameRules.maxBytes

    /// Builds a schema; throws `SchemaError` for names that break `NameRules` or repeat.
    public init(_ columns: [ColumnDef]) throws(SchemaError) {
        guard !columns.isEmpty else { throw .noColumns }
        guard columns.count <= Schema.maxColumns else { throw .tooManyColumns(columns.count) }
        var index: [String: Int] = [:]
        for (i, c) in columns.enumerated() {
            guard NameRules.problem(c.name) == nil else { throw .badName(c.name) }
            guard index[c.name] == nil else { throw .duplicateColumn(c.name) }
            index[c.name] = i
        }
        self.columns = columns
        self.indexByName = index
    }

    public var count: Int { columns.count }
    public subscript(i: Int) -> ColumnDef { columns[i] }

    /// Position of the column named `name`, or nil.
    public func index(of name: String) -> Int? { indexByName[name] }

    public static func == (a: Schema, b: Schema) -> Bool { a.columns == b.columns }
    public func hash(into h: inout Hasher) { h.combine(columns) }
}

/// Why a schema was rejected.
public enum SchemaError: Error, Equatable, CustomStringConvertible, Sendable {
    case noColumns
    case tooManyColumns(Int)
    /// A name that breaks `NameRules`.
    case badName(String)
    case duplicateColumn(String)

    public var description: String {
        switch self {
        case .noColumns: return "a table needs at least one column"
        case .tooManyColumns(let n): return "\(n) columns exceed the limit of \(Schema.maxColumns)"
        case .badName(let n): return "invalid column name \(NameRules.quoted(n)): \(NameRules.problem(n) ?? "")"
        case .duplicateColumn(let n): return "duplicate column name '\(n)'"
        }
    }
}

extension Schema {
    /// Encodes `column_count` and the column definitions (format-spec §3.1).
    public func encode(into w: inout ByteWriter) {
        w.writeVarint(UInt64(columns.count))
        for c in columns {
            w.writeString(c.name)
            w.writeU8(c.type.rawValue)
            w.writeU8(c.nullable ? 1 : 0)
        }
    }

    /// Decodes what `encode(into:)` wrote, validating types, flags and names.
    public init(decoding r: inout ByteReader) throws(FormatError) {
        let at = r.absoluteOffset
        let n = try r.readCount("column count", limit: min(Schema.maxColumns, r.remaining / 4))
        var cols: [ColumnDef] = []
        cols.reserveCapacity(n)
        for _ in 0..<n {
            let name = try r.readString("column name")
            let tagAt = r.absoluteOffset
            let tag = try r.readU8("column type")
            guard let type = ColumnType(rawValue: tag) else {
                throw .invalid(what: "column type", offset: tagAt, reason: "unknown type tag \(tag)")
            }
            let flags = try r.readU8("column flags")
            guard flags & ~1 == 0 else {
                throw .invalid(what: "column flags", offset: tagAt + 1, reason: "unknown flag bits \(flags)")
            }
            cols.append(ColumnDef(name, type, nullable: flags & 1 != 0))
        }
        do {
            self = try Schema(cols)
        } catch {
            throw .invalid(what: "schema", offset: at, reason: error.description)
        }
    }
}
