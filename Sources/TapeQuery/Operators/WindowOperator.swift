/// Window functions over its input (the rows after WHERE, or the groups after HAVING): buffers the
/// whole input (within `memoryLimit`, else fails naming the Window operator and the limit), sorts
/// once per distinct PARTITION BY/ORDER BY (skipped when the input already arrives in that order),
/// evaluates every window function, and emits the input's columns followed by one column per
/// window function, in input order. QUALIFY is a Filter above it.
final class WindowOperator: PhysicalOperator {
    let input: any PhysicalOperator
    let windows: [BoundWindow]
    let memoryLimit: Int
    let columns: [OutputColumn]
    var children: [any PhysicalOperator] { [input] }

    init(_ input: any PhysicalOperator, windows: [BoundWindow], memoryLimit: Int) {
        self.input = input
        self.windows = windows
        self.memoryLimit = memoryLimit
        columns = input.columns + windows.map { OutputColumn(name: $0.text, type: $0.type) }
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        var buffer = WindowInputBuffer(types: input.columns.map(\.type), memoryLimit: memoryLimit)
        try input.run { b throws(QueryError) in
            try buffer.append(b.columns, rows: b.count)
            return true
        }
        let rows = Batch(columns: buffer.build(), count: buffer.count)
        _ = try WindowEvaluator.emitInPieces(try WindowEvaluator.appended(windows, to: rows, base: input.columns.count), emit)
    }

    func explain(analyzed: Bool) -> [String] {
        let specs = Set(windows.map(\.specText)).count
        return ["WINDOW \(windows.map(\.text).joined(separator: ", ")) (materialised; \(specs) sort\(specs == 1 ? "" : "s"), skipped when the input is already in order)"]
    }
}
