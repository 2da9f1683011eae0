import Tape

/// Where an input slot's values come from, per run.
enum InputSlot: Hashable {
    /// A stored column of the queried table (NULL in runs whose table lacks it).
    case column(name: String, type: SQLType)
    /// The run's id (virtual column `run`).
    case runID
    /// A run metadata key (virtual column, constant within a run).
    case metadata(key: String, type: SQLType)
    /// A column of a non-scan input (generic path): slot i is the input operator's column i.
    case input(name: String, type: SQLType)

    var type: SQLType {
        switch self {
        case .column(_, let t), .metadata(_, let t), .input(_, let t): return t
        case .runID: return .string
        }
    }

    var name: String {
        switch self {
        case .column(let n, _), .metadata(let n, _), .input(let n, _): return n
        case .runID: return "run"
        }
    }

    /// Constant within a run (so predicates on it decide whole runs).
    var isRunConstant: Bool {
        switch self {
        case .column, .input: return false
        case .runID, .metadata: return true
        }
    }
}

/// One ORDER BY key: a column of the projected rows (outputs then hidden keys).
struct SortKey {
    let column: Int
    let descending: Bool
    let nullsFirst: Bool
}

/// A bound, checked query ready to execute.
///
/// Pipeline: scan `table` in every run (skipping runs by `runFilter`, chunks by `zonePredicates`)
/// → `filter` → either project `outputs` + `hidden` per batch, or group by `keys` and compute
/// `aggregates`, then `having` → `windows` → `qualify` → `outputs` + `hidden` over (keys…,
/// aggregates…, windows…) or (slots…, windows…) → DISTINCT →
/// sort by `order` (top-N when limited) → OFFSET/LIMIT.
struct QueryPlan {
    var table: String?
    var slots: [InputSlot] = []
    var filter: BoundExpr?
    var runFilter: BoundExpr?
    var zonePredicates: [ColumnPredicate] = []
    /// Present for aggregate queries.
    var keys: [BoundExpr]?
    var aggregates: [AggregateCall] = []
    var having: BoundExpr?
    /// Window functions, evaluated over the rows after WHERE (or the groups after HAVING); their
    /// results are columns `windowBase…` of the stage's rows, which `qualify` then filters.
    var windows: [BoundWindow] = []
    var windowBase = 0
    var qualify: BoundExpr?
    var outputs: [BoundExpr] = []
    var outputNames: [String] = []
    var hidden: [BoundExpr] = []
    var order: [SortKey] = []
    var distinct = false
    var limit: Int?
    var offset = 0

    var isAggregate: Bool { keys != nil }

    /// Input slots the window stage and QUALIFY read (none after aggregation: they read groups).
    var windowInputSlots: Set<Int> {
        guard !isAggregate else { return [] }
        var s = Set<Int>()
        qualify.map { s.formUnion($0.slots) }
        for w in windows { for e in w.inputs { s.formUnion(e.slots) } }
        return s.filter { $0 < slots.count }
    }

    /// Input slots the scan must fill (those some expression reads).
    var neededSlots: [Int] {
        var s = Set<Int>()
        filter.map { s.formUnion($0.slots) }
        if let keys {
            for k in keys { s.formUnion(k.slots) }
            for a in aggregates { for e in a.inputs { s.formUnion(e.slots) } }
        } else {
            for e in outputs + hidden { s.formUnion(e.slots) }
            s.formUnion(windowInputSlots)
        }
        return s.filter { $0 < slots.count }.sorted()
    }
}
