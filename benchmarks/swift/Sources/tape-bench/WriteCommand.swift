import ArgumentParser
import Foundation
import Tape

/// `tape-bench write`: writes every table of a generated data set into one `.tape` file, the way a
/// backtest would (tables interleaved bar by bar), and prints sizes and timings as one JSON line:
///
///     {"bytes_total", "seconds", "cpu_seconds", "seconds_total", "rows", "rows_per_s", "vmhwm_kb", "mode", ...,
///      "tables": {name: {"rows", "bytes", "chunks", "seconds", "rows_per_s",
///                        "columns": {column: bytes}, "encodings": {column: {encoding: chunks}}}}}
///
/// `seconds` is the time spent inside the writer (opening, `append`/`appendRow`, `close`); reading
/// the raw input slices is excluded from it and included in `seconds_total` (wall clock).
/// `cpu_seconds` is the CPU time of all threads of the process during the same calls.
/// A table's `bytes` sums its chunk frames from the footer; its `columns` sum stored block lengths.
struct WriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write", abstract: "Write a generated data set into one .tape file and report.")

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        /// `TableWriter.append(columns:)` with one slice of columns at a time.
        case batch
        /// `TableWriter.appendRow` once per row, setting each column by index.
        case row
    }

    enum CodecName: String, ExpressibleByArgument, CaseIterable {
        case none, lz4, zstd
    }

    enum DurabilityName: String, ExpressibleByArgument, CaseIterable {
        case none, chunk, close
    }

    @Option(help: "Data set directory (benchmarks/data/<rows>, made by gen.py).")
    var data: String

    @Option(help: "Output .tape file (replaced).")
    var out: String

    @Option(help: "Block compression.")
    var codec: CodecName = .zstd

    @Option(help: "zstd level (1...22).")
    var level: Int32 = 3

    @Option(help: "How rows are handed to the writer.")
    var mode: Mode = .batch

    @Option(help: "When the writer fsyncs (the library default is close).")
    var durability: DurabilityName = .none

    @Option(help: "Rows read from the input per slice (and per append in batch mode).")
    var slice: Int = 65_536

    @Option(help: "Rows per chunk (WriterOptions.rowsPerChunk; default: the library's).")
    var rowsPerChunk: Int?

    @Option(help: "Rows per page of numeric blocks (WriterOptions.rowsPerPage; 0 = unpaged; default: the library's).")
    var rowsPerPage: Int?

    @Option(help: "Pages per compressed group (WriterOptions.pagesPerGroup; 0 = each page on its own, the 1.4 form).")
    var pagesPerGroup: Int?

    @Option(help: "Threads encoding a chunk's columns (WriterOptions.encodingThreads; default: the library's).")
    var threads: Int?

    func validate() throws {
        guard slice >= 1 else { throw ValidationError("--slice must be at least 1") }
    }

    func run() throws {
        let dataSet = try DataSet(directory: data)
        var options = WriterOptions()
        switch codec {
        case .none: options.codec = .none
        case .lz4: options.codec = .lz4
        case .zstd: options.codec = .zstd(level: level)
        }
        options.durability = WriterOptions.Durability(rawValue: durability.rawValue)!
        if let rowsPerChunk { options.rowsPerChunk = rowsPerChunk }
        if let rowsPerPage { options.rowsPerPage = rowsPerPage }
        if let pagesPerGroup { options.pagesPerGroup = pagesPerGroup }
        if let threads { options.encodingThreads = threads }

        let wallStart = monotonicNanos()
        var writerNanos: UInt64 = 0
        var writerCPUNanos: UInt64 = 0
        var tableNanos = [UInt64](repeating: 0, count: dataSet.tables.count)
        func timed<R>(_ table: Int? = nil, _ body: () throws -> R) rethrows -> R {
            let c = processCPUNanos()
            let t = monotonicNanos()
            defer {
                let d = monotonicNanos() - t
                writerNanos += d
                writerCPUNanos += processCPUNanos() - c
                if let table { tableNanos[table] += d }
            }
            return try body()
        }

        let writer = try timed { try TapeWriter(path: out, options: options, metadata: ["strategy": "bench"]) }
        let sources = try dataSet.tables.map { try TableSource($0) }
        let tableWriters = try timed { try dataSet.tables.map { try writer.declareTable($0.name, schema: $0.schema) } }

        // Tables are interleaved as in a backtest: per slice of bars, each table gets its share of
        // rows (tables with as many rows as there are bars move in lockstep, trades proportionally).
        let bars = dataSet.tables.map(\.rows).max() ?? 0
        var barsDone = 0
        while barsDone < bars {
            barsDone = min(bars, barsDone + slice)
            for (i, source) in sources.enumerated() {
                let target = source.table.rows == bars ? barsDone : Int(Int64(source.table.rows) * Int64(barsDone) / Int64(bars))
                while source.rowsRead < target {
                    let columns = try source.next(min(slice, target - source.rowsRead))
                    switch mode {
                    case .batch:
                        try timed(i) { try tableWriters[i].append(columns: columns) }
                    case .row:
                        let rows = RowSlice(columns, schema: source.table.schema)
                        try timed(i) { try rows.append(to: tableWriters[i]) }
                    }
                }
            }
        }
        let summary = try timed { try writer.close() }
        let seconds = Double(writerNanos) / 1e9
        let secondsTotal = Double(monotonicNanos() - wallStart) / 1e9
        let peak = peakRSSKiB()

        let sizes = try FooterSizes(path: out)
        var tables: [String: Any] = [:]
        var totalRows = 0
        for t in sizes.tables {
            guard let idx = dataSet.tables.firstIndex(where: { $0.name == t.name }) else { continue }
            let s = Double(tableNanos[idx]) / 1e9
            totalRows += t.rows
            tables[t.name] = [
                "rows": t.rows, "bytes": t.bytes, "chunks": t.chunks, "seconds": s,
                "rows_per_s": s > 0 ? Double(t.rows) / s : 0,
                "columns": Dictionary(uniqueKeysWithValues: t.columns.map { ($0.name, $0.bytes) }),
                "encodings": Dictionary(uniqueKeysWithValues: t.columns.map { ($0.name, $0.encodings) }),
            ] as [String: Any]
        }
        let result: [String: Any] = [
            "writer": "tape", "mode": mode.rawValue, "codec": codec.rawValue, "level": Int(level),
            "durability": durability.rawValue, "slice": slice, "rows_per_chunk": options.rowsPerChunk, "rows_per_page": options.rowsPerPage, "pages_per_group": options.pagesPerGroup,
            "encoding_threads": options.encodingThreads,
            "bytes_total": sizes.fileBytes, "summary_file_bytes": summary.fileBytes,
            "rows": totalRows, "seconds": seconds, "seconds_total": secondsTotal,
            "cpu_seconds": Double(writerCPUNanos) / 1e9,
            "rows_per_s": seconds > 0 ? Double(totalRows) / seconds : 0,
            "vmhwm_kb": peak ?? NSNull(), "tables": tables,
        ]
        let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}

/// One input slice laid out for row-at-a-time appends: per column a typed array, so the timed loop
/// does what a backtester's per-bar code does (one `row.set` per column) and no parsing.
struct RowSlice {
    enum Values {
        case int([Int64])
        case timestamp([Int64])
        case double([Double])
        case bool([Bool])
        case string([String])
    }

    let count: Int
    let values: [Values]
    /// Per column: nil when no row is null, else true = present.
    let valid: [[Bool]?]

    init(_ columns: [ColumnData], schema: Schema) {
        count = columns.first?.count ?? 0
        values = zip(columns, schema.columns).map { c, def in
            switch c.storage {
            case .int64(let v): return def.type == .timestamp ? .timestamp(v) : .int(v)
            case .float64(let v): return .double(v)
            case .bool(let v): return .bool(Array(v))
            case .strings, .dictionary: return .string((0..<c.count).map { c.string(at: $0) })
            case .interval, .constant:
                // The reader decodes blocks into storage layouts only (ColumnLayout).
                preconditionFailure("tape-bench: a decoded column in a query-only layout")
            }
        }
        valid = columns.map { c in c.validity.map { b in (0..<c.count).map { b[$0] } } }
    }

    func append(to table: TableWriter) throws {
        for r in 0..<count {
            try table.appendRow { row in
                for c in 0..<values.count {
                    if let v = valid[c], !v[r] {
                        try row.setNull(c)
                        continue
                    }
                    switch values[c] {
                    case .int(let v): try row.set(c, int: v[r])
                    case .timestamp(let v): try row.set(c, timestamp: v[r])
                    case .double(let v): try row.set(c, double: v[r])
                    case .bool(let v): try row.set(c, bool: v[r])
                    case .string(let v): try row.set(c, string: v[r])
                    }
                }
            }
        }
    }
}
