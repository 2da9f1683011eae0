/// Computes `expressions` over each input batch: one output column per expression, named by
/// `names`. Streaming.
final class ProjectOperator: MorselOperator {
    let input: any PhysicalOperator
    let expressions: [BoundExpr]
    let columns: [OutputColumn]
    var children: [any PhysicalOperator] { [input] }

    init(_ input: any PhysicalOperator, _ expressions: [BoundExpr], names: [String], qualifier: String? = nil) {
        self.input = input
        self.expressions = expressions
        columns = zip(names, expressions).map { OutputColumn(name: $0.0, type: $0.1.type, qualifier: qualifier) }
    }

    /// Evaluates the expressions over one batch.
    static func project(_ expressions: [BoundExpr], _ b: Batch) throws(QueryError) -> Batch {
        var cols: [Vector] = []
        cols.reserveCapacity(expressions.count)
        for e in expressions { cols.append(try Evaluator.evaluate(e, b)) }
        return Batch(columns: cols, count: b.count)
    }

    func run(_ emit: @escaping (Batch) throws(QueryError) -> Bool) throws(QueryError) {
        let expressions = self.expressions
        try input.run { b throws(QueryError) in try emit(ProjectOperator.project(expressions, b)) }
    }

    var streamInput: any PhysicalOperator { input }
    func prepareMorsels() -> Bool { true }
    func morsel(_ b: Batch, _ emit: (Batch) throws(QueryError) -> Void) throws(QueryError) {
        try emit(ProjectOperator.project(expressions, b))
    }
    func finishMorsels() {}

    func explain(analyzed: Bool) -> [String] {
        ["PROJECT " + zip(columns, expressions).map { $0.0.name == $0.1.text ? $0.0.name : "\($0.1.text) AS \($0.0.name)" }.joined(separator: ", ")]
    }
}
