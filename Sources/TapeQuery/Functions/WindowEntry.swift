/// One ranking or navigation function (usable only with OVER): names, documentation, binding rule;
/// its kernel is `WindowEvaluator`'s for `function`.
struct WindowEntry: SQLFunction {
    typealias Rule = ScalarFunction.Rule

    let name: String
    var aliases: [String] = []
    let function: WindowFunction
    let signature: String
    let doc: String
    let example: String?
    let bind: Rule
    var kind: FunctionKind { .window }
}
