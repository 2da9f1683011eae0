import TapeFormat

extension TapeReader {
    /// The run metrics stored in the footer at close (section tag 1), nil for a run without them
    /// (written before metrics existed, or with metrics disabled). Throws `TapeError.corrupt` when
    /// the section is malformed.
    public var metrics: RunMetrics? {
        get throws {
            do { return try RunMetrics(footer: footer) } catch { throw TapeError.corrupt(path: path, error.inFile(ofMinorVersion: formatMinorVersion)) }
        }
    }

    /// The stored metrics, or, for a run without them, metrics computed now by streaming its
    /// equity and trades tables (only the columns used) with `options` and the run's
    /// `tape.metrics.*` metadata applied.
    public func metricsStoredOrComputed(options: MetricsOptions = MetricsOptions()) throws -> RunMetrics {
        if let stored = try metrics { return stored }
        var acc = MetricsAccumulator(options: try options.applying(metadata: metadata))
        try acc.feed(from: self)
        return acc.finish()
    }
}

extension MetricsAccumulator {
    /// Streams the equity and trades tables of `reader` (those present, only the columns the
    /// metrics use) into the accumulator, in row order. `rows(table, columns)`, when given, supplies
    /// each table's batches instead of a full scan (a selection of its rows, in row order).
    public mutating func feed(from reader: TapeReader,
                              rows: ((_ table: String, _ columns: [String]) throws -> () throws -> RecordBatch?)? = nil) throws {
        let o = options
        for (table, roles) in [(o.equityTable, [MetricsOptions.Role.time, .equity, .position]),
                               (o.tradesTable, [.pnl, .entry, .exit])] {
            guard let entry = reader.tables.first(where: { $0.name == table }) else { continue }
            var seen = Set<String>()
            let columns = roles.compactMap { o.column($0, in: entry.schema).map { entry.schema[$0].name } }
                .filter { seen.insert($0).inserted }
            guard !columns.isEmpty else { continue }
            let next = try rows?(table, columns) ?? reader.scan(table, columns: columns).nextBatch
            while let batch = try next() {
                observe(table: table, schema: batch.schema, columns: batch.columns)
            }
        }
    }
}
