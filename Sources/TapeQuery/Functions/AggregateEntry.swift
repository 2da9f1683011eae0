/// One aggregate function: its names, documentation and binding rules. The kernel is the running
/// state `AggregateState.make` creates for `function` (grouped and footer-answered aggregation) and
/// the frame kernels in Window/ (over a window).
struct AggregateEntry: SQLFunction {
    typealias Rule = ScalarFunction.Rule

    let name: String
    var aliases: [String] = []
    /// The state (and window kernel) that computes it.
    let function: AggregateFunction
    let signature: String
    let doc: String
    let example: String?
    /// Checks and casts the arguments of a grouped call; returns the result type. Quantile rules
    /// take the fraction out of the arguments into `FunctionArguments.fraction`.
    let bind: Rule
    /// The same over a window (OVER …), nil when the aggregate has no frame kernel.
    let window: Rule?
    var kind: FunctionKind { .aggregate }
}
