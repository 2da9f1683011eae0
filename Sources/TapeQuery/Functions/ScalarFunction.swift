/// One scalar function: its names, documentation, binding rule and kernel, registered together in
/// a family file (`MathFunctions`, `StringFunctions`, …) and found through `FunctionRegistry`.
///
/// A bound call holds its entry (`BoundExpr.Kind.function`), so evaluation calls the kernel
/// directly, once per batch, with whole vectors: no name lookup at run time.
struct ScalarFunction: SQLFunction {
    /// Checks and casts the arguments; returns the result type.
    typealias Rule = @Sendable (inout FunctionArguments) throws(QueryError) -> SQLType
    /// Computes the result for `count` rows from the argument vectors; `call` gives the result
    /// type and the position for execution errors.
    typealias Kernel = @Sendable (_ args: [Vector], _ call: BoundExpr, _ count: Int) throws(QueryError) -> Vector

    let name: String
    var aliases: [String] = []
    let signature: String
    let doc: String
    let example: String?
    /// When true (most functions) a NULL constant argument makes the whole result NULL without
    /// running the kernel; coalesce-like functions see their NULL arguments.
    var propagatesNull = true
    let bind: Rule
    let kernel: Kernel
    var kind: FunctionKind { .scalar }

    /// The function's result over a batch of `count` rows.
    func evaluate(_ args: [Vector], _ call: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        if propagatesNull, args.contains(where: Evaluator.isNullConstant) { return .constant(.null, type: call.type, count: count) }
        return try kernel(args, call, count)
    }
}
