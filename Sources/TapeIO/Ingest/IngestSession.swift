import TapeCodec
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TapeFormat

// The `tape ingest` framing: NDJSON, one flat JSON object per line, whose FIRST key is a directive.
//
//   {"$schema":"trades","entry_ts":"timestamp!","pnl":"float64","side":"string"}
//       declares a table: the other keys are its columns in order, each with a type name
//       (int64, float64, timestamp, duration, bool, string; a trailing "!" means not null). Optional.
//   {"$table":"equity","ts":"2024-01-01T00:00:00Z","equity":100000.0}
//       one row of a table; the other keys are its columns (so a column may be named "table").
//       A column missing from the row is null; a key that is not a column is an error.
//       Values convert like `tape import --ndjson` (NDJSONImporter.value): ISO-8601 strings to
//       timestamps, integers to int64 or float64, any scalar to string.
//   {"$metadata":true,"strategy":"sma","fast":10}
//       run metadata: every other key/value (numbers and booleans as their JSON text).
//   {"$expect_bars":525600,"table":"equity"}
//       progress: the run will have this many bars, counted as rows of "table" (default equity).
//   {"$close":true,"final_equity":"101234.5"}
//       the last record: other keys are metadata; the run closes normally.
//   {"$cancel":"reason"}
//       the last record of a run stopped early: closes it with tape.cancelled=true (reason: a
//       string or null); other keys are metadata.
//
// A table without a "$schema" record gets its schema inferred (`JSONSchemaSampler`, as `tape
// import` does) from its first `inferRows` rows, which are held in memory until then (or until
// the input ends): memory stays bounded by inferRows rows per undeclared table plus one chunk per
// table. After "$close"/"$cancel" the input must end (blank lines aside): a record after it is an
// error naming its line, as it would otherwise be lost unnoticed. Column names may not start with "$".

/// Reads the `tape ingest` framing (above) from a text source and feeds an `IngestTarget`.
///
/// Rows reach the target's tables in batches of `Options.batchRows` (as columns, the engine's
/// fastest path). `run()` returns how the input ended; before it returns, and also when it throws
/// (a malformed line without `skipMalformed`, or a write error), every row accepted before the
/// failing line has been handed to the target (tables still being inferred are declared and
/// written first), so the caller can seal the file without losing them. Errors in the input are `TextInputError`s naming
/// the line and, where known, the byte column or the field.
public final class IngestSession {
    /// How a session treats its input.
    public struct Options: Sendable {
        /// Skip and count malformed lines instead of stopping at the first one.
        public var skipMalformed: Bool
        /// Rows of an undeclared table sampled to infer its types.
        public var inferRows: Int
        /// How many skipped lines the report keeps details of.
        public var maxReportedSkips: Int
        /// Rows per batch handed to a table's sink.
        public var batchRows: Int
        /// Parse plain rows of declared tables straight into their batches (`FastRowPlan`); false
        /// sends every line through the general parser (for differential tests).
        public var fastPath = true

        public init(skipMalformed: Bool = false, inferRows: Int = 1000, maxReportedSkips: Int = 10, batchRows: Int = 4096) {
            self.skipMalformed = skipMalformed
            self.inferRows = max(1, inferRows)
            self.maxReportedSkips = maxReportedSkips
            self.batchRows = max(1, batchRows)
        }
    }

    /// How the input ended.
    public enum Ending: Sendable, Equatable {
        /// A `$close` record.
        case closed
        /// A `$cancel` record, with its reason.
        case cancelled(reason: String?)
        /// The end of the input without `$close` or `$cancel`.
        case endOfInput
    }

    /// Rows accepted per table, in the order tables first appeared.
    public private(set) var tableRows: [(table: String, rows: Int)] = []
    /// Malformed lines skipped (only with `skipMalformed`), and the first few of them.
    public var linesSkipped: Int { policy.report.linesSkipped }
    public var skipped: [TextInputError] { policy.report.skipped }
    /// The 1-based line of the record being handled (the last one read).
    public var line: Int { reader.recordLine }

    private let reader: NDJSONReader
    private let target: IngestTarget
    private let options: Options
    private var policy: MalformedPolicy
    private var tables: [String: TableState] = [:]
    /// The table of the previous row, to skip the dictionary lookup for runs of one table.
    private var lastTable: TableState?

    public init(_ source: TextSource, target: IngestTarget, options: Options = Options()) throws {
        reader = try NDJSONReader(source)
        self.target = target
        self.options = options
        policy = MalformedPolicy(ImportOptions(skipMalformed: options.skipMalformed,
                                               maxReportedSkips: options.maxReportedSkips))
    }

    /// Reads records until `$close`, `$cancel` or the end of the input.
    public func run() throws -> Ending {
        do {
            var ending = Ending.endOfInput
            var closingLine = 0
            while true {
                do {
                    guard let line = try reader.readLine() else { break }
                    if options.fastPath, try appendFast(line) { continue }
                    try reader.parseLine()
                    if let end = try handleRecord() {
                        ending = end
                        closingLine = reader.recordLine
                        break
                    }
                } catch let e as TextInputError {
                    try policy.handle(e)
                }
            }
            try finish()
            if ending != .endOfInput, try reader.readLine() != nil {
                // Silently dropping it would lose data the producer believes written.
                let last = ending == .closed ? "$close" : "$cancel"
                throw TextInputError(.invalidRecord("a record after the \(last) record of line \(closingLine); \(last) must be the last record (nothing after it is stored)"),
                                     line: reader.recordLine)
            }
            return ending
        } catch {
            try? finish()
            throw error
        }
    }

    // MARK: Records

    /// Appends `line` through the fast path (`FastRowPlan`) when it is a plain row of a declared
    /// table in its usual key order; false when the general path must handle it.
    private func appendFast(_ line: UnsafeRawBufferPointer) throws -> Bool {
        guard let (name, cursor) = FastRowPlan.tableTag(line) else { return false }
        var table = lastTable
        if table.map({ !$0.isNamed(name) }) ?? true {
            // A hash lookup (a linear search of the declared tables made n tables cost O(n²)).
            // isNamed: invalid UTF-8 decodes lossily, so compare the bytes too.
            table = tables[String(decoding: name, as: UTF8.self)].flatMap { $0.isNamed(name) ? $0 : nil }
        }
        guard let t = table, var plan = t.plan, var batch = t.batch else { return false }
        t.plan = nil  // keep both uniquely referenced while appending
        t.batch = nil
        var c = cursor
        let appended = plan.scanRow(&c, into: &batch)
        let full = batch.isFull(rows: options.batchRows)
        t.plan = plan
        t.batch = batch
        guard appended else { return false }
        lastTable = t
        tableRows[t.order].rows += 1
        if full { try flush(t) }
        return true
    }

    private func handleRecord() throws -> Ending? {
        let keys = reader.keys, values = reader.values
        let line = reader.recordLine
        guard let directive = keys.first, directive.utf8.first == UInt8(ascii: "$") else {
            throw TextInputError(.invalidRecord("a record must start with a directive key ($table, $schema, $metadata, $expect_bars, $close, $cancel)"),
                                 line: line)
        }
        switch directive {
        case "$table":
            try appendRow(table: try tableName(values[0], directive, line), line: line)
        case "$schema":
            try declare(table: try tableName(values[0], directive, line), line: line)
        case "$metadata":
            try setMetadata(from: 1)
        case "$expect_bars":
            guard case .int(let n) = values[0], n >= 0 else {
                throw TextInputError(.invalidRecord("$expect_bars needs a non-negative integer"), line: line, field: directive)
            }
            var table = "equity"
            for i in 1..<keys.count {
                guard keys[i] == "table", case .string(let t) = values[i] else {
                    throw TextInputError(.invalidRecord("$expect_bars takes only a \"table\" string"), line: line, field: keys[i])
                }
                table = t
            }
            target.expectBars(Int(n), table: table)
        case "$close":
            try setMetadata(from: 1)
            return .closed
        case "$cancel":
            let reason: String?
            switch values[0] {
            case .null: reason = nil
            case .string(let s): reason = s
            default: throw TextInputError(.invalidRecord("$cancel needs a reason string or null"), line: line, field: directive)
            }
            try setMetadata(from: 1)
            return .cancelled(reason: reason)
        default:
            throw TextInputError(.invalidRecord("unknown directive \"\(directive)\""), line: line, field: directive)
        }
        return nil
    }

    private func tableName(_ value: JSONScalar, _ directive: String, _ line: Int) throws -> String {
        guard case .string(let name) = value, !name.isEmpty else {
            throw TextInputError(.invalidRecord("\(directive) needs a table name string"), line: line, field: directive)
        }
        return name
    }

    private func setMetadata(from first: Int) throws {
        let keys = reader.keys, values = reader.values
        for i in first..<max(first, keys.count) { try target.setMetadata(keys[i], values[i].description) }
    }

    private func state(_ name: String) -> TableState {
        if let last = lastTable, last.name == name { return last }
        if let t = tables[name] {
            lastTable = t
            return t
        }
        let t = TableState(name: name)
        tables[name] = t
        tableRows.append((name, 0))
        t.order = tableRows.count - 1
        lastTable = t
        return t
    }

    private func declare(table name: String, line: Int) throws {
        if let t = tables[name] {
            let why = t.converter != nil ? "is already declared" : "already has rows; declare it before its first row"
            throw TextInputError(.invalidRecord("table '\(name)' \(why)"), line: line, field: "$schema")
        }
        var defs: [ColumnDef] = []
        let keys = reader.keys, values = reader.values
        for i in 1..<keys.count {
            guard case .string(let spec) = values[i], let def = ColumnDef(name: keys[i], spec: spec) else {
                throw TextInputError(.invalidRecord("column type must be a string: int64, float64, timestamp, duration, bool or string, with an optional trailing '!' for not null"),
                                     line: line, field: keys[i])
            }
            defs.append(def)
        }
        let schema: Schema
        do { schema = try Schema(defs) } catch {
            throw TextInputError(.invalidRecord("table '\(name)': \(error)"), line: line, field: "$schema")
        }
        try install(state(name), schema: schema, line: line)
    }

    private func install(_ t: TableState, schema: Schema, line: Int) throws {
        if let bad = schema.columns.first(where: { $0.name.utf8.first == UInt8(ascii: "$") }) {
            throw TextInputError(.invalidRecord("column names may not start with '$'"), line: line, field: bad.name)
        }
        do {
            t.sink = try target.declareTable(t.name, schema: schema)
            t.batch = ColumnBatchBuilder(schema: schema)
        } catch {
            throw TextInputError(.invalidRecord("cannot declare table '\(t.name)': \(error)"), line: line)
        }
        t.converter = JSONRowConverter(schema: schema)
        t.plan = FastRowPlan(schema: schema)
    }

    private func appendRow(table name: String, line: Int) throws {
        let t = state(name)
        if t.converter == nil {
            t.sampler.observe(keys: reader.keys, values: reader.values, from: 1)
            t.pending.append((line, reader.keys, reader.values))
            if t.pending.count >= options.inferRows { try declareInferred(t) }
            return
        }
        try write(t, line: line, keys: reader.keys, values: reader.values)
    }

    private func write(_ t: TableState, line: Int, keys: [String], values: [JSONScalar]) throws {
        guard var converter = t.converter else { return }
        t.converter = nil  // keep the converter's buffers uniquely referenced while converting
        defer { t.converter = converter }
        try converter.convert(line: line, keys: keys, values: values, from: 1)
        t.plan?.learn(keys: keys, from: 1, schema: converter.schema)
        t.batch?.append(converter.row)
        tableRows[t.order].rows += 1
        if let b = t.batch, b.isFull(rows: options.batchRows) { try flush(t) }
    }

    /// Hands `t`'s batched rows to its sink.
    private func flush(_ t: TableState) throws {
        guard let sink = t.sink, var batch = t.batch, batch.count > 0 else { return }
        t.batch = nil
        defer { t.batch = batch }
        let columns: [ColumnData]
        do { columns = try batch.take() } catch {
            throw TextInputError(.invalidRecord("table '\(t.name)': \(error)"), line: 0)
        }
        try sink.append(columns: columns)
    }

    /// Declares the tables still being inferred, then hands every table's batched rows to its sink.
    private func finish() throws {
        try declarePending()
        for (name, _) in tableRows {
            if let t = tables[name] { try flush(t) }
        }
    }

    /// Declares a table from its sampled rows and writes them. Rows that do not fit the inferred
    /// schema are malformed lines (skipped or thrown by the policy).
    private func declareInferred(_ t: TableState) throws {
        let pending = t.pending
        t.pending = []
        guard let first = pending.first else { return }
        let schema = try t.sampler.schema(line: first.line)
        try install(t, schema: schema, line: first.line)
        for p in pending {
            do {
                try write(t, line: p.line, keys: p.keys, values: p.values)
            } catch let e as TextInputError {
                try policy.handle(e)
            }
        }
    }

    /// Declares every table still being inferred and writes its held rows.
    private func declarePending() throws {
        for (name, _) in tableRows {
            guard let t = tables[name], t.converter == nil, !t.pending.isEmpty else { continue }
            try declareInferred(t)
        }
    }

    private final class TableState {
        let name: String
        let nameUTF8: [UInt8]
        var order = 0
        var plan: FastRowPlan?
        var sink: ColumnBatchSink?
        var converter: JSONRowConverter?
        var batch: ColumnBatchBuilder?
        var sampler = JSONSchemaSampler()
        var pending: [(line: Int, keys: [String], values: [JSONScalar])] = []

        init(name: String) {
            self.name = name
            nameUTF8 = Array(name.utf8)
        }

        func isNamed(_ bytes: UnsafeRawBufferPointer) -> Bool {
            nameUTF8.count == bytes.count
                && nameUTF8.withUnsafeBytes { bytes.count == 0 || memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
        }
    }
}

extension ColumnDef {
    /// A column from a type spec such as `float64` or `timestamp!` (`!`: not null); nil when the
    /// type name is unknown (see `ColumnType(name:)`).
    public init?(name: String, spec: String) {
        var typeName = Substring(spec)
        let notNull = typeName.hasSuffix("!")
        if notNull { typeName = typeName.dropLast() }
        guard let type = ColumnType(name: String(typeName)) else { return nil }
        self.init(name, type, nullable: !notNull)
    }
}
