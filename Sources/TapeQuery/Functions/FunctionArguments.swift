/// A call's bound arguments while its entry's binding rule checks them, casts them and decides the
/// result type. The rules throw binding errors that name the function as written and point at the
/// offending argument.
struct FunctionArguments {
    /// The function's name as written in the query (an alias stays an alias in messages).
    let name: String
    /// Byte offset of the call.
    let position: Int
    var args: [BoundExpr]
    /// A quantile's fraction, taken out of the argument list by the quantile rules (aggregates).
    var fraction = 0.5

    init(name: String, position: Int, args: [BoundExpr]) {
        self.name = name
        self.position = position
        self.args = args
    }

    var count: Int { args.count }
    subscript(i: Int) -> BoundExpr { args[i] }
    func type(_ i: Int) -> SQLType { args[i].type }

    /// Requires the number of arguments to be in `range`.
    func arity(_ range: ClosedRange<Int>) throws(QueryError) {
        guard range.contains(args.count) else {
            let n = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
            throw QueryError(.binding, "\(name)() takes \(n) argument\(range.upperBound == 1 ? "" : "s"), got \(args.count)", at: position)
        }
    }

    /// Requires at least one argument (variadic functions).
    func nonEmpty() throws(QueryError) {
        guard !args.isEmpty else { throw QueryError(.binding, "\(name)() needs at least one argument", at: position) }
    }

    /// Requires argument `i` to be NULL or of a type `ok` accepts (`what` names it in the error).
    func need(_ i: Int, _ ok: (SQLType) -> Bool, _ what: String) throws(QueryError) {
        guard args[i].type == .null || ok(args[i].type) else {
            throw QueryError(.binding, "\(name)() needs \(what) as argument \(i + 1), got \(args[i].type)", at: args[i].position)
        }
    }

    /// Requires argument `i` to be numeric (aggregates' and window functions' wording).
    func numeric(_ i: Int) throws(QueryError) {
        guard args[i].type.isNumeric || args[i].type == .null else {
            throw QueryError(.binding, "\(name)() needs a numeric argument, got \(args[i].type)", at: args[i].position)
        }
    }

    /// Requires argument `i` to be a BIGINT (or NULL) and casts it to BIGINT (window offsets).
    mutating func integer(_ i: Int) throws(QueryError) {
        guard args[i].type == .int || args[i].type == .null else {
            throw QueryError(.binding, "\(name)() needs an integer argument \(i + 1), got \(args[i].type)", at: args[i].position)
        }
        try cast(i, to: .int)
    }

    /// Casts argument `i` to `type` (implicitly unless `explicit`).
    mutating func cast(_ i: Int, to type: SQLType, explicit: Bool = false) throws(QueryError) {
        args[i] = try Binder.cast(args[i], to: type, at: args[i].position, explicit: explicit)
    }

    /// Argument `i`'s value, which must be a constant string.
    func constantString(_ i: Int) throws(QueryError) -> String {
        guard case .string(let s)? = args[i].constantValue else {
            throw QueryError(.binding, "\(name)() needs a constant string as argument \(i + 1)", at: args[i].position)
        }
        return s
    }

    /// Casts every argument to their common type and returns it (coalesce, greatest, least).
    mutating func unifyAll() throws(QueryError) -> SQLType {
        var t = SQLType.null
        for a in args {
            guard let c = SQLType.common(t, a.type) else {
                throw QueryError(.binding, "\(name)() arguments have incompatible types \(t) and \(a.type)", at: a.position)
            }
            t = c
        }
        for i in args.indices { try cast(i, to: t) }
        return t
    }
}
