/// Every SQL function Tape knows: each family file registers its entries (names, signature, binding
/// rule, kernel, documentation), and the binder, the evaluator, `tape sql --help`/`--functions` and
/// README's function table all read them from here. Adding a function is one entry in one family.
///
/// Names are looked up once, while binding; a bound call keeps its entry.
enum FunctionRegistry {
    static let scalars: [ScalarFunction] = MathFunctions.entries + ConditionalFunctions.entries + StringFunctions.entries + TimeFunctions.entries
    static let aggregates: [AggregateEntry] = AggregateFunctions.entries
    static let windows: [WindowEntry] = WindowFunctions.entries

    /// Every entry, in documentation order (scalars, aggregates, window functions).
    static var all: [any SQLFunction] { scalars + aggregates + windows }

    private static let scalarIndex = index(scalars)
    private static let aggregateIndex = index(aggregates)
    private static let windowIndex = index(windows)

    private static func index<F: SQLFunction>(_ entries: [F]) -> [String: F] {
        var out: [String: F] = [:]
        for e in entries { for n in e.names { out[n] = e } }
        return out
    }

    static func scalar(named n: String) -> ScalarFunction? { scalarIndex[n] }
    static func aggregate(named n: String) -> AggregateEntry? { aggregateIndex[n] }

    /// The entry of each aggregate function: the first entry naming it (median shares
    /// quantile_cont's); count(*) and count(DISTINCT x) are the count entry's.
    static let aggregateByFunction: [AggregateFunction: AggregateEntry] = {
        var out: [AggregateFunction: AggregateEntry] = [:]
        for e in aggregates where out[e.function] == nil { out[e.function] = e }
        out[.countStar] = out[.count]
        out[.countDistinct] = out[.count]
        return out
    }()

    /// The entry that computes `f`. REQUIRES: every `AggregateFunction` has one (a test checks).
    static func aggregate(for f: AggregateFunction) -> AggregateEntry {
        guard let e = aggregateByFunction[f] else { preconditionFailure("no registry entry computes \(f.rawValue)") }
        return e
    }
    static func window(named n: String) -> WindowEntry? { windowIndex[n] }

    /// " (did you mean x?)" for the listed name of `kinds` nearest to `n`, when within 2 edits.
    static func suggestion(for n: String, among kinds: Set<FunctionKind>) -> String {
        let known = all.filter { kinds.contains($0.kind) && $0.isListed }.flatMap(\.names)
        let near = known.min { editDistance($0, n) < editDistance($1, n) }
        return near.flatMap { editDistance($0, n) <= 2 ? " (did you mean \($0)?)" : nil } ?? ""
    }

    /// Binds a scalar call: finds the entry, lets its rule check and cast the arguments.
    static func bindScalar(_ name: String, _ args: [BoundExpr], at pos: Int) throws(QueryError) -> BoundExpr {
        guard let f = scalar(named: name) else {
            throw QueryError(.binding, "unknown function \(name)()\(suggestion(for: name, among: [.scalar]))", at: pos)
        }
        var a = FunctionArguments(name: name, position: pos, args: args)
        let type = try f.bind(&a)
        return BoundExpr(.function(f, a.args), type, at: pos)
    }

    /// The window function a call `n(…) OVER …` names: a ranking or navigation function, or an
    /// aggregate (first/arbitrary/any_value are first_value, last is last_value).
    static func windowFunction(named n: String, distinct: Bool) -> WindowFunction? {
        if let w = window(named: n) { return w.function }
        guard let a = AggregateFunction.named(n, distinct: distinct) else { return nil }
        switch a {
        case .first, .anyValue: return .firstValue
        case .last: return .lastValue
        default: return .aggregate(a)
        }
    }
}
