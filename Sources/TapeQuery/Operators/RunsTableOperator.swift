import Tape

/// The virtual table `runs`: one row per queried run, answered from the footers read when the
/// run set was opened (no chunk is read). Columns: `run` (the run id), `path`, every metadata
/// key of any run (typed as the metadata columns of a table are: BIGINT, DOUBLE, BOOLEAN,
/// TIMESTAMP or VARCHAR; NULL where a run lacks the key), then every stored run metric (BIGINT
/// counts, TIMESTAMP start/end, DOUBLE otherwise; NULL where a run has none). A metric whose name
/// is also a metadata key is left out (the metadata column wins). Rows in run order, one batch.
final class RunsTableOperator: PhysicalOperator {
    let runs: RunSet
    let columns: [OutputColumn]
    private let metadataKeys: [String]
    private let metricNames: [String]
    private let metrics: [RunMetrics?]
    var children: [any PhysicalOperator] { [] }
    /// The columns some operator above reads (nil: all); the others come out as NULL constants.
    private(set) var used: Set<Int>?

    /// Adds to the columns read (see `used`).
    func markUsed(_ columns: Set<Int>) { used = (used ?? []).union(columns) }

    /// Reads every run's stored metrics (the footers again; no chunk).
    init(runs: RunSet, qualifier: String) throws(QueryError) {
        self.runs = runs
        let keys = runs.metadataKeys.filter { $0 != "run" && $0 != "path" }
        metadataKeys = keys
        metrics = try runs.storedMetrics()
        let metrics = RunSet.metricColumns(self.metrics).filter { m in !keys.contains(m.name) && m.name != "run" && m.name != "path" }
        metricNames = metrics.map(\.name)
        columns = [OutputColumn(name: "run", type: .string, qualifier: qualifier), OutputColumn(name: "path", type: .string, qualifier: qualifier)]
            + keys.map { OutputColumn(name: $0, type: runs.metadataType($0), qualifier: qualifier) }
            + metrics.map { OutputColumn(name: $0.name, type: $0.type, qualifier: qualifier) }
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        guard !runs.runs.isEmpty else { return }
        var builders = columns.map { VectorBuilder(type: $0.type) }
        let wanted = columns.indices.map { used?.contains($0) ?? true }
        for (run, stored) in zip(runs.runs, metrics) {
            if wanted[0] { builders[0].append(.string(run.id)) }
            if wanted[1] { builders[1].append(.string(run.path)) }
            for (i, k) in metadataKeys.enumerated() where wanted[2 + i] { builders[2 + i].append(RunSet.metadataValue(run.metadata, k, columns[2 + i].type)) }
            let base = 2 + metadataKeys.count
            for (i, name) in metricNames.enumerated() where wanted[base + i] {
                let d: Datum
                switch stored?[name] {
                case .int(let v)?: d = columns[base + i].type == .double ? .double(Double(v)) : .int(v)
                case .double(let v)?: d = .double(v)
                case .timestamp(let v)?: d = .timestamp(v)
                case nil: d = .null
                }
                builders[base + i].append(d)
            }
        }
        let n = runs.runs.count
        var out: [Vector] = []
        for c in columns.indices { out.append(wanted[c] ? try builders[c].build() : .constant(.null, type: columns[c].type, count: n)) }
        _ = try emit(Batch(columns: out, count: n))
    }

    func explain(analyzed: Bool) -> [String] {
        ["RUNS (virtual table: \(runs.runs.count) run\(runs.runs.count == 1 ? "" : "s") from footers, no chunk read)"]
    }
}
