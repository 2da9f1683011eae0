/// One aggregate function: its names, documentation, binding rules and kernel — the running state
/// `state` makes for a bound call (grouped aggregation, `AggregateState.make`); over a window the
/// frame kernels in Window/ compute it. Adding an aggregate is one entry.
struct AggregateEntry: SQLFunction {
    typealias Rule = ScalarFunction.Rule
    /// Makes the running state of one bound call (its types pick the variant, e.g. exact BIGINT sums).
    typealias StateFactory = @Sendable (AggregateCall) -> AggregateState

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
    let state: StateFactory
    var kind: FunctionKind { .aggregate }
}
