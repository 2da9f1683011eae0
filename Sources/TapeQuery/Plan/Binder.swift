import Tape
import TapeFormat

/// Resolves a parsed statement against the runs being queried and type-checks it into a
/// `QueryPlan`. Every error points at the offending place in the query.
struct Binder {
    let runs: RunSet
    var options = QueryOptions(threads: 1)
    /// WITH queries visible to this SELECT, by lower-cased name.
    var ctes: [String: CTEBinding] = [:]
    /// Generic path (FROM is not one stored table): the FROM items' columns; slots index them.
    var scope: Scope?
    /// Single-table path: the name `t.col` may use for the table (its alias, else its name).
    var tableQualifier: String?
    var plan = QueryPlan()
    var columns: [RunSet.UnionColumn] = []
    var slotIndex: [InputSlot: Int] = [:]
    /// While binding post-aggregation expressions: the group keys' texts.
    var keyTexts: [String] = []
    var statement = SelectStatement()
    /// Select items after `*` expansion (for aliases used in HAVING).
    var selectItems: [SelectItem] = []

    /// Whether `run` and metadata keys resolve as columns (false for standalone conditions).
    var virtualColumns = true
    /// The query around this one when it is a subquery (resolves outer references).
    var outer: OuterScope?
    /// Correlated subqueries (generic path only): their results are slots after the input's
    /// (pre-aggregation) or after the keys and aggregates (post), filled by
    /// `CorrelatedSubqueryOperator`.
    var subqueries: [CorrelatedSubquery] = []

    init(runs: RunSet) { self.runs = runs }

    /// Binds a standalone boolean condition over `columns` (no tables, no virtual columns), for
    /// filters outside SQL queries such as `tape summary --where`. Returns the expression and the
    /// columns it reads, in slot order.
    static func bindCondition(_ e: Expr, columns: [RunSet.UnionColumn]) throws(QueryError) -> (BoundExpr, [InputSlot]) {
        var b = Binder(runs: RunSet.empty)
        b.virtualColumns = false
        b.plan.table = "(row)"
        b.columns = columns
        if let agg = Binder.findAggregate(e) { throw QueryError(.binding, "aggregate functions are not allowed here", at: agg) }
        let bound = try b.bindInput(e)
        try b.expectBool(bound, "the condition")
        return (bound, b.plan.slots)
    }

    // MARK: - Statement

    /// Binds one SELECT over a stored table (or no FROM) into the plan the Tape scan runs fused.
    mutating func bindStatement(_ s: SelectStatement) throws(QueryError) -> QueryPlan {
        statement = s
        plan.limit = s.limit
        plan.offset = s.offset
        plan.distinct = s.distinct
        if case .table(let table, let alias, let position)? = s.from {
            plan.table = try checkTable(table, at: position)
            tableQualifier = alias ?? table
            columns = try runs.unionSchema(of: plan.table!, at: position)
        } else if s.from != nil {
            throw QueryError(.binding, "internal: FROM needs the generic planner", at: s.from?.position)
        }
        return try bindBody(s)
    }

    /// The stored table `table` names (exactly, else case-insensitively).
    func checkTable(_ table: String, at position: Int) throws(QueryError) -> String {
        if runs.runs.isEmpty { throw QueryError(.execution, "no run files given to query") }
        let names = runs.tableNames
        if names.contains(table) { return table }
        if case let m = names.filter({ $0.lowercased() == table.lowercased() }), m.count == 1 { return m[0] }
        // A table missing from every run is an error only when no run has it at all.
        let known = NameList.describe(names + ctes.values.map(\.name), near: table, label: "tables", empty: "the runs have no tables")
        throw QueryError(.binding, "no table '\(table)' in any run (\(known))", at: position)
    }

    /// Binds the clauses of `s` (FROM already bound into `columns` or `scope`) into `plan`.
    mutating func bindBody(_ s: SelectStatement) throws(QueryError) -> QueryPlan {
        statement = s
        plan.limit = s.limit
        plan.offset = s.offset
        plan.distinct = s.distinct

        // Expand `*`.
        var items: [SelectItem] = []
        for item in s.items {
            if let scope {
                items += try scope.expandStar(item)
            } else if case .qualifiedStar(let t) = item.expr.kind {
                guard let q = tableQualifier, q.lowercased() == t.lowercased() else {
                    throw QueryError(.binding, "no table '\(t)' in FROM\(tableQualifier.map { " (it has '\($0)')" } ?? "")", at: item.expr.position)
                }
                items += try expandStar(SelectItem(expr: Expr(.star, at: item.expr.position), alias: nil, text: "*"))
            } else {
                items += try expandStar(item)
            }
        }
        return try bindClauses(s, items)
    }

    /// `*` as the stored table's columns (with `run` first when several runs are queried).
    func expandStar(_ item: SelectItem) throws(QueryError) -> [SelectItem] {
        var items: [SelectItem] = []
            if case .star = item.expr.kind {
                guard statement.from != nil else { throw QueryError(.binding, "SELECT * needs a FROM clause", at: item.expr.position) }
                if runs.runs.count > 1 {
                    items.append(SelectItem(expr: Expr(.column("run", quoted: true), at: item.expr.position), alias: nil, text: "run"))
                }
                for c in columns {
                    items.append(SelectItem(expr: Expr(.column(c.name, quoted: true), at: item.expr.position), alias: nil, text: c.name))
                }
            } else {
                items.append(item)
            }
        return items
    }

    mutating func bindClauses(_ s: SelectStatement, _ items: [SelectItem]) throws(QueryError) -> QueryPlan {
        if let w = s.whereClause {
            if let agg = Binder.findAggregate(w) { throw QueryError(.binding, "aggregate functions are not allowed in WHERE (use HAVING)", at: agg) }
            if let win = Binder.findWindow(w) { throw QueryError(.binding, "window functions are not allowed in WHERE (use QUALIFY)", at: win) }
            let f = try bindInput(w)
            try expectBool(f, "WHERE")
            plan.filter = f
            if scope == nil { splitPushdown(f) }
        }

        selectItems = items
        let aggregating = !s.groupBy.isEmpty || s.having != nil
            || items.contains { Binder.findAggregate($0.expr) != nil }
            || s.orderBy.contains { Binder.findAggregate($0.expr) != nil }
        if aggregating {
            try bindAggregate(items)
        } else {
            for item in items {
                plan.outputs.append(try bindInput(item.expr))
                plan.outputNames.append(outputName(item))
            }
            try bindOrder(items, post: false)
        }
        if let q = s.qualify { try bindQualify(q, post: aggregating) }
        for c in s.groupBy + (s.having.map { [$0] } ?? []) {
            if let win = Binder.findWindow(c) { throw QueryError(.binding, "window functions are not allowed in GROUP BY or HAVING (use QUALIFY)", at: win) }
        }
        try placeSubqueryResults()
        placeWindowResults()
        if plan.distinct {
            for k in plan.order where k.column >= plan.outputs.count {
                _ = k
                throw QueryError(.binding, "with SELECT DISTINCT, ORDER BY expressions must appear in the select list", at: s.orderBy.first?.expr.position)
            }
        }
        return plan
    }

    func outputName(_ item: SelectItem) -> String {
        if let a = item.alias { return a }
        if case .column(let n, _) = item.expr.kind { return n }
        if case .qualified(_, let n, _) = item.expr.kind { return n }
        return item.text
    }

    mutating func bindAggregate(_ items: [SelectItem]) throws(QueryError) {
        var keys: [BoundExpr] = []
        var groupBy = statement.groupBy
        // GROUP BY ALL: every select item that has no aggregate (DuckDB's shorthand).
        if groupBy.count == 1, case .column(let name, false) = groupBy[0].kind, name.uppercased() == "ALL",
           try resolveInput(name, quoted: true) == nil {
            groupBy = items.filter { Binder.findAggregate($0.expr) == nil }.map(\.expr)
        }
        for g in groupBy {
            var e = g
            if case .literal(.int(let k)) = g.kind {
                guard k >= 1 && k <= items.count else {
                    throw QueryError(.binding, "GROUP BY position \(k) is not in the select list (1…\(items.count))", at: g.position)
                }
                e = items[Int(k) - 1].expr
            } else if case .column(let name, _) = g.kind, try resolveInput(name, quoted: false) == nil,
                      let item = items.first(where: { $0.alias == name }) {
                e = item.expr
            }
            if let agg = Binder.findAggregate(e) { throw QueryError(.binding, "aggregate functions are not allowed in GROUP BY", at: agg) }
            keys.append(try bindInput(e))
        }
        plan.keys = keys
        keyTexts = keys.map(\.text)
        for item in items {
            plan.outputs.append(try bindPost(item.expr))
            plan.outputNames.append(outputName(item))
        }
        if let h = statement.having {
            let b = try bindPost(h)
            try expectBool(b, "HAVING")
            plan.having = b
        }
        try bindOrder(items, post: true)
    }

    mutating func bindOrder(_ items: [SelectItem], post: Bool) throws(QueryError) {
        for o in statement.orderBy {
            var column: Int?
            if case .literal(.int(let k)) = o.expr.kind {
                guard k >= 1 && k <= plan.outputs.count else {
                    throw QueryError(.binding, "ORDER BY position \(k) is not in the select list (1…\(plan.outputs.count))", at: o.expr.position)
                }
                column = Int(k) - 1
            } else if case .column(let name, let quoted) = o.expr.kind,
                      let i = items.firstIndex(where: { $0.alias.map { quoted ? $0 == name : $0.lowercased() == name.lowercased() } ?? false }) {
                column = i
            } else {
                let b = post ? try bindPost(o.expr) : try bindInput(o.expr)
                if let i = plan.outputs.firstIndex(where: { $0.text == b.text }) {
                    column = i
                } else if let i = plan.hidden.firstIndex(where: { $0.text == b.text }) {
                    column = plan.outputs.count + i
                } else {
                    plan.hidden.append(b)
                    column = plan.outputs.count + plan.hidden.count - 1
                }
            }
            plan.order.append(SortKey(column: column!, descending: o.descending, nullsFirst: o.nullsFirst ?? false))
        }
    }

    // MARK: - Names

    /// The slot for a column name: a stored column (exact name, else a unique case-insensitive
    /// match), the virtual `run`, or a metadata key.
    mutating func resolveInput(_ name: String, quoted: Bool, qualifier: String? = nil, at position: Int = 0) throws(QueryError) -> Int? {
        if let scope { return try scope.resolve(name, quoted: quoted, qualifier: qualifier, at: position) }
        if let qualifier {
            guard let q = tableQualifier, q.lowercased() == qualifier.lowercased() else {
                throw QueryError(.binding, "no table '\(qualifier)' in FROM\(tableQualifier.map { " (it has '\($0)')" } ?? "")", at: position)
            }
        }
        guard plan.table != nil else { return nil }   // without FROM there are no columns
        var slot: InputSlot?
        if let c = columns.first(where: { $0.name == name }) {
            slot = .column(name: c.name, type: c.type)
        } else if !quoted, case let m = columns.filter({ $0.name.lowercased() == name.lowercased() }), m.count == 1 {
            slot = .column(name: m[0].name, type: m[0].type)
        } else if !virtualColumns {
            slot = nil
        } else if name == "run" || (!quoted && name.lowercased() == "run") {
            slot = .runID
        } else if runs.metadataKeys.contains(name) {
            slot = .metadata(key: name, type: runs.metadataType(name))
        } else if !quoted, let k = runs.metadataKeys.first(where: { $0.lowercased() == name.lowercased() }) {
            slot = .metadata(key: k, type: runs.metadataType(k))
        }
        guard let slot else { return nil }
        if let i = slotIndex[slot] { return i }
        plan.slots.append(slot)
        slotIndex[slot] = plan.slots.count - 1
        return plan.slots.count - 1
    }

    func unknownColumn(_ name: String, at position: Int) -> QueryError {
        if let scope { return scope.unknownColumn(name, at: position) }
        var known = columns.map(\.name)
        if virtualColumns {
            if !runs.runs.isEmpty { known.append("run") }
            known += runs.metadataKeys
        }
        let table = plan.table.map { " in table '\($0)'" } ?? ""
        let suggestion = known.min { editDistance($0.lowercased(), name.lowercased()) < editDistance($1.lowercased(), name.lowercased()) }
        var msg = "no column '\(name)'\(table)"
        if let s = suggestion, editDistance(s.lowercased(), name.lowercased()) <= max(2, name.count / 3) {
            msg += " (did you mean '\(s)'?)"
        } else if !known.isEmpty {
            msg += " (columns: \(known.prefix(20).joined(separator: ", "))\(known.count > 20 ? ", …" : ""))"
        }
        return QueryError(.binding, msg, at: position)
    }

    // MARK: - Expressions

    mutating func bindInput(_ e: Expr) throws(QueryError) -> BoundExpr {
        try bind(e, post: false)
    }

    /// Binds an expression evaluated after aggregation: aggregates become references to their
    /// results, group-key expressions become references to the keys, and any other column use is
    /// an error.
    mutating func bindPost(_ e: Expr) throws(QueryError) -> BoundExpr {
        try bind(e, post: true)
    }

    mutating func bind(_ e: Expr, post: Bool) throws(QueryError) -> BoundExpr {
        if post {
            if case .function(let name, let args, let distinct) = e.kind, AggregateFunction.isAggregate(name) {
                return try bindAggregateCall(name, args, distinct, e)
            }
            if case .filtered(let call, let condition) = e.kind, case .function(let name, let args, let distinct) = call.kind,
               AggregateFunction.isAggregate(name) {
                return try bindAggregateCall(name, args, distinct, call, filter: condition)
            }
            if Binder.findAggregate(e) == nil && Binder.findWindow(e) == nil {
                // A group key written again (bound on a copy: a failed attempt leaves no trace).
                var probe = self
                if let b = try? probe.bind(e, post: false), let k = keyTexts.firstIndex(of: b.text) {
                    return BoundExpr(.column(slot: k, name: b.text), b.type, at: e.position)
                }
                if case .column(let name, let quoted) = e.kind {
                    if try resolveInput(name, quoted: quoted) == nil {
                        // An alias of the select list (HAVING total > 0), as DuckDB allows.
                        if let item = selectItems.first(where: { $0.alias == name }), Binder.refersTo(item.expr, name) == false {
                            return try bind(item.expr, post: true)
                        }
                        if let r = try outer?.reference(e) { return r }
                        throw unknownColumn(name, at: e.position)
                    }
                    throw QueryError(.binding, "column '\(name)' must appear in GROUP BY or be used in an aggregate function", at: e.position)
                }
                if case .star = e.kind { throw QueryError(.binding, "'*' cannot be used with GROUP BY or aggregates", at: e.position) }
                if case .qualified(let table, let name, let quoted) = e.kind {
                    if (try? resolveInput(name, quoted: quoted, qualifier: table, at: e.position)) ?? nil == nil, let r = try outer?.reference(e) { return r }
                    throw QueryError(.binding, "column '\(name)' must appear in GROUP BY or be used in an aggregate function", at: e.position)
                }
            }
        }
        switch e.kind {
        case .column(let name, let quoted):
            guard let slot = try resolveInput(name, quoted: quoted, at: e.position) else {
                if let r = try outer?.reference(e) { return r }
                throw unknownColumn(name, at: e.position)
            }
            return BoundExpr(.column(slot: slot, name: plan.slots[slot].name), plan.slots[slot].type, at: e.position)
        case .qualified(let table, let name, let quoted):
            let found: Int?
            do { found = try resolveInput(name, quoted: quoted, qualifier: table, at: e.position) } catch {
                if let r = try outer?.reference(e) { return r }
                throw error
            }
            guard let slot = found else {
                if let r = try outer?.reference(e) { return r }
                throw unknownColumn(name, at: e.position)
            }
            return BoundExpr(.column(slot: slot, name: plan.slots[slot].name), plan.slots[slot].type, at: e.position)
        case .qualifiedStar:
            throw QueryError(.binding, "'t.*' is only allowed as a select item", at: e.position)
        case .filtered(let call, _):
            if case .function(let name, _, _) = call.kind, AggregateFunction.isAggregate(name) {
                throw QueryError(.binding, "aggregate function \(name)() is not allowed here", at: e.position)
            }
            throw QueryError(.binding, "FILTER (WHERE …) applies only to aggregate functions", at: e.position)
        case .scalarSubquery(let q):
            return try bindSubquery(q, at: e.position, post: post)
        case .exists(let q):
            return try bindSubquery(q, at: e.position, exists: true, post: post)
        case .inSubquery(let x, let q, let negated):
            return try bindSubquery(q, at: e.position, member: try bind(x, post: post), negated: negated, post: post)
        case .star:
            throw QueryError(.binding, "'*' is only allowed as a select item or in count(*)", at: e.position)
        case .literal(let l):
            return BoundExpr(.constant(Binder.datum(l)), Binder.datum(l).type, at: e.position)
        case .negate(let a):
            let x = try bind(a, post: post)
            guard x.type.isNumeric || x.type == .null || x.type == .interval else {
                throw QueryError(.binding, "cannot negate a \(x.type) value", at: e.position)
            }
            return try fold(BoundExpr(.negate(x), x.type, at: e.position))
        case .not(let a):
            let x = try bind(a, post: post)
            try expectBool(x, "NOT")
            return try fold(BoundExpr(.not(x), .bool, at: e.position))
        case .binary(let op, let a, let b):
            return try bindBinary(op, try bind(a, post: post), try bind(b, post: post), e.position)
        case .isNull(let a, let negated):
            return try fold(BoundExpr(.isNull(try bind(a, post: post), negated: negated), .bool, at: e.position))
        case .between(let x, let lo, let hi, let negated):
            let v = try bind(x, post: post)
            let r = try bindBinary(.and, try bindBinary(.ge, v, try bind(lo, post: post), e.position),
                                   try bindBinary(.le, v, try bind(hi, post: post), e.position), e.position)
            return negated ? try fold(BoundExpr(.not(r), .bool, at: e.position)) : r
        case .inList(let x, let list, let negated):
            return try bindIn(try bind(x, post: post), list, negated, e.position, post: post)
        case .like(let x, let pattern, let negated, let ci, let escapeExpr):
            let v = try bind(x, post: post)
            guard v.type == .string || v.type == .null else {
                throw QueryError(.binding, "LIKE needs a VARCHAR value, got \(v.type)", at: e.position)
            }
            guard case .literal(.string(let p)) = pattern.kind else {
                throw QueryError(.binding, "LIKE needs a constant string pattern", at: pattern.position)
            }
            var escape: Character?
            if let escapeExpr {
                guard case .literal(.string(let s)) = escapeExpr.kind, s.count <= 1 else {
                    throw QueryError(.binding, "LIKE … ESCAPE needs a constant string of at most one character", at: escapeExpr.position)
                }
                escape = s.first
            }
            guard let compiled = LikePattern(p, caseInsensitive: ci, escape: escape) else {
                throw QueryError(.binding, "LIKE pattern must not end with the escape character", at: pattern.position)
            }
            return try fold(BoundExpr(.like(v, compiled, negated: negated), .bool, at: e.position))
        case .function(let name, let args, let distinct):
            if AggregateFunction.isAggregate(name) {
                throw QueryError(.binding, "aggregate function \(name)() is not allowed here", at: e.position)
            }
            if distinct { throw QueryError(.binding, "DISTINCT is only allowed in aggregate functions", at: e.position) }
            var bound: [BoundExpr] = []
            for a in args { bound.append(try bind(a, post: post)) }
            return try fold(try FunctionRegistry.bindScalar(name, bound, at: e.position))
        case .caseWhen(let operand, let whens, let otherwise):
            return try bindCase(operand, whens, otherwise, e.position, post: post)
        case .cast(let x, let type):
            let v = try bind(x, post: post)
            return try fold(try Binder.cast(v, to: type, at: e.position, explicit: true))
        case .window(let call):
            return try bindWindow(call, e, post: post)
        }
    }

    mutating func bindAggregateCall(_ name: String, _ args: [Expr], _ distinct: Bool, _ e: Expr, filter: Expr? = nil) throws(QueryError) -> BoundExpr {
        for a in args + (filter.map { [$0] } ?? []) {
            if let inner = Binder.findAggregate(a) { throw QueryError(.binding, "aggregate functions cannot be nested", at: inner) }
        }
        var boundFilter: BoundExpr?
        if let filter {
            let f = try bindInput(filter)
            try expectBool(f, "FILTER")
            boundFilter = f
        }
        guard let entry = FunctionRegistry.aggregate(named: name) else {
            throw QueryError(.binding, "unknown aggregate \(name)", at: e.position)
        }
        var f = entry.function == .count && distinct ? .countDistinct : entry.function
        var bound: [BoundExpr] = []
        if args.count == 1, case .star = args[0].kind {
            guard f == .count else { throw QueryError(.binding, "\(name)(*) is not valid; only count(*)", at: e.position) }
            f = .countStar
        } else {
            for a in args { bound.append(try bindInput(a)) }
        }
        if distinct && f != .countDistinct {
            throw QueryError(.binding, "DISTINCT is supported in count(DISTINCT x) only", at: e.position)
        }
        var fraction = 0.5
        let type: SQLType
        if f == .countStar {
            type = .int
        } else {
            var a = FunctionArguments(name: name, position: e.position, args: bound)
            type = try entry.bind(&a)
            bound = a.args
            fraction = a.fraction
        }
        let text = "\(f == .countStar ? "count" : name)(\(distinct ? "DISTINCT " : "")\(f == .countStar ? "*" : bound.map(\.text).joined(separator: ", "))\(name != "median" && (f == .quantileCont || f == .quantileDisc) ? ", \(fraction)" : ""))"
            + (boundFilter.map { " FILTER (WHERE \($0.text))" } ?? "")
        let slot: Int
        if let i = plan.aggregates.firstIndex(where: { $0.text == text }) {
            slot = i
        } else {
            plan.aggregates.append(AggregateCall(function: f, args: bound, fraction: fraction, type: type, text: text, position: e.position, filter: boundFilter))
            slot = plan.aggregates.count - 1
        }
        return BoundExpr(.column(slot: keyTexts.count + slot, name: text), type, at: e.position)
    }

    mutating func bindBinary(_ op: BinaryOp, _ a: BoundExpr, _ b: BoundExpr, _ pos: Int) throws(QueryError) -> BoundExpr {
        switch op {
        case .and, .or:
            try expectBool(a, op.rawValue)
            try expectBool(b, op.rawValue)
            return try fold(BoundExpr(op == .and ? .and(a, b) : .or(a, b), .bool, at: pos))
        case .concat:
            let x = try Binder.cast(a, to: .string, at: pos, explicit: true)
            let y = try Binder.cast(b, to: .string, at: pos, explicit: true)
            return try fold(BoundExpr(.arithmetic(.concat, x, y), .string, at: pos))
        case .eq, .ne, .lt, .le, .gt, .ge:
            let (x, y) = try Binder.unify(a, b, op: op.rawValue, at: pos)
            if x.type == .bool && ![.eq, .ne].contains(op) {
                // allowed: false < true, as DuckDB
            }
            return try fold(BoundExpr(.compare(op, x, y), .bool, at: pos))
        case .add, .subtract, .multiply, .divide, .intDivide, .modulo:
            return try fold(try bindArithmetic(op, a, b, pos))
        }
    }

    func bindArithmetic(_ op: BinaryOp, _ a: BoundExpr, _ b: BoundExpr, _ pos: Int) throws(QueryError) -> BoundExpr {
        let ta = a.type == .null ? (b.type == .null ? SQLType.int : b.type) : a.type
        let tb = b.type == .null ? ta : b.type
        func bad() -> QueryError {
            QueryError(.binding, "cannot apply \(op.rawValue) to \(a.type) and \(b.type)", at: pos)
        }
        switch (ta, tb) {
        case (.int, .int):
            return BoundExpr(.arithmetic(op, a, b), op == .divide ? .double : .int, at: pos)
        case (.int, .double), (.double, .int), (.double, .double):
            let x = try Binder.cast(a, to: .double, at: pos, explicit: false)
            let y = try Binder.cast(b, to: .double, at: pos, explicit: false)
            return BoundExpr(.arithmetic(op, x, y), op == .intDivide ? .double : .double, at: pos)
        case (.timestamp, .interval) where op == .add || op == .subtract:
            return BoundExpr(.arithmetic(op, a, b), .timestamp, at: pos)
        case (.interval, .timestamp) where op == .add:
            return BoundExpr(.arithmetic(op, b, a), .timestamp, at: pos)
        case (.timestamp, .timestamp) where op == .subtract:
            return BoundExpr(.arithmetic(op, a, b), .interval, at: pos)
        case (.timestamp, .string) where op == .subtract, (.timestamp, .string) where op == .add:
            let y = try Binder.cast(b, to: .interval, at: pos, explicit: false)
            return BoundExpr(.arithmetic(op, a, y), .timestamp, at: pos)
        case (.interval, .interval) where op == .add || op == .subtract:
            return BoundExpr(.arithmetic(op, a, b), .interval, at: pos)
        case (.interval, .int) where op == .multiply || op == .divide || op == .intDivide:
            return BoundExpr(.arithmetic(op == .multiply ? .multiply : .intDivide, a, b), .interval, at: pos)
        case (.int, .interval) where op == .multiply:
            return BoundExpr(.arithmetic(op, b, a), .interval, at: pos)
        default:
            throw bad()
        }
    }

    mutating func bindIn(_ x: BoundExpr, _ list: [Expr], _ negated: Bool, _ pos: Int, post: Bool) throws(QueryError) -> BoundExpr {
        var items: [BoundExpr] = []
        for l in list { items.append(try bind(l, post: post)) }
        if items.allSatisfy({ $0.constantValue != nil }) && x.type != .null {
            var set = Set<Datum>()
            var hasNull = false
            let target: SQLType = items.contains { $0.type == .double } && x.type == .int ? .double : x.type
            let v = try Binder.cast(x, to: target, at: pos, explicit: false)
            for item in items {
                let d = item.constantValue!
                if d == .null { hasNull = true; continue }
                guard let c = d.coerced(to: target) else {
                    throw QueryError(.binding, "cannot compare \(x.type) with \(d.type) in IN list", at: item.position)
                }
                set.insert(c)
            }
            return try fold(BoundExpr(.inList(v, set, hasNull: hasNull, negated: negated), .bool, at: pos))
        }
        // Non-constant list: x = a OR x = b …
        var r: BoundExpr?
        for item in items {
            let eq = try bindBinary(.eq, x, item, pos)
            r = try r.map { (prev: BoundExpr) throws(QueryError) -> BoundExpr in try bindBinary(.or, prev, eq, pos) } ?? eq
        }
        guard let r else { throw QueryError(.binding, "IN needs at least one value", at: pos) }
        return negated ? try fold(BoundExpr(.not(r), .bool, at: pos)) : r
    }

    mutating func bindCase(_ operand: Expr?, _ whens: [(Expr, Expr)], _ otherwise: Expr?, _ pos: Int, post: Bool) throws(QueryError) -> BoundExpr {
        let op = try operand.map { (o: Expr) throws(QueryError) -> BoundExpr in try bind(o, post: post) }
        var conds: [BoundExpr] = []
        var values: [BoundExpr] = []
        for (w, t) in whens {
            let c = try bind(w, post: post)
            if let op {
                conds.append(try bindBinary(.eq, op, c, w.position))
            } else {
                try expectBool(c, "WHEN")
                conds.append(c)
            }
            values.append(try bind(t, post: post))
        }
        let elseValue = try otherwise.map { (o: Expr) throws(QueryError) -> BoundExpr in try bind(o, post: post) } ?? BoundExpr(.constant(.null), .null, at: pos)
        var type = SQLType.null
        for v in values + [elseValue] {
            guard let t = SQLType.common(type, v.type) else {
                throw QueryError(.binding, "CASE branches have incompatible types \(type) and \(v.type)", at: v.position)
            }
            type = t
        }
        var casted: [BoundExpr] = []
        for v in values { casted.append(try Binder.cast(v, to: type, at: v.position, explicit: false)) }
        let e = try Binder.cast(elseValue, to: type, at: elseValue.position, explicit: false)
        return try fold(BoundExpr(.caseWhen(Array(zip(conds, casted)), otherwise: e), type, at: pos))
    }

    // MARK: - Types

    func expectBool(_ e: BoundExpr, _ context: String) throws(QueryError) {
        guard e.type == .bool || e.type == .null else {
            throw QueryError(.binding, "\(context) needs a boolean condition, got \(e.type)", at: e.position)
        }
    }

    /// Brings two operands of a comparison to one type: numbers to DOUBLE when mixed, a string
    /// constant to TIMESTAMP when compared with a timestamp.
    static func unify(_ a: BoundExpr, _ b: BoundExpr, op: String, at pos: Int) throws(QueryError) -> (BoundExpr, BoundExpr) {
        if a.type == b.type { return (a, b) }
        if a.type == .null || b.type == .null {
            let t = a.type == .null ? b.type : a.type
            return (try cast(a, to: t, at: pos, explicit: false), try cast(b, to: t, at: pos, explicit: false))
        }
        if a.type.isNumeric && b.type.isNumeric {
            return (try cast(a, to: .double, at: pos, explicit: false), try cast(b, to: .double, at: pos, explicit: false))
        }
        if a.type == .timestamp && b.type == .string, b.constantValue != nil { return (a, try cast(b, to: .timestamp, at: b.position, explicit: true)) }
        if b.type == .timestamp && a.type == .string, a.constantValue != nil { return (try cast(a, to: .timestamp, at: a.position, explicit: true), b) }
        if a.type == .interval && b.type == .string, b.constantValue != nil { return (a, try cast(b, to: .interval, at: b.position, explicit: true)) }
        if b.type == .interval && a.type == .string, a.constantValue != nil { return (try cast(a, to: .interval, at: a.position, explicit: true), b) }
        throw QueryError(.binding, "cannot compare \(a.type) with \(b.type) using \(op)", at: pos)
    }

    /// `e` converted to `type`. Implicit casts only widen int → double and type NULL; explicit
    /// casts (CAST, `::`) also convert between strings, numbers, booleans and timestamps.
    static func cast(_ e: BoundExpr, to type: SQLType, at pos: Int, explicit: Bool) throws(QueryError) -> BoundExpr {
        if e.type == type { return e }
        if e.type == .null { return BoundExpr(.constant(.null), type, at: e.position) }
        let ok: Bool
        switch (e.type, type) {
        case (.int, .double): ok = true
        case (_, .string): ok = explicit
        case (.string, _), (.double, .int), (.bool, .int), (.int, .bool), (.timestamp, .int), (.int, .timestamp), (.double, .bool), (.bool, .double):
            ok = explicit
        case (.timestamp, .timestamp): ok = true
        default: ok = false
        }
        guard ok else { throw QueryError(.binding, "cannot convert \(e.type) to \(type)", at: pos) }
        return try foldStatic(BoundExpr(.cast(e, type), type, at: pos))
    }

    /// Evaluates an expression that reads no columns once, at bind time.
    func fold(_ e: BoundExpr) throws(QueryError) -> BoundExpr { try Binder.foldStatic(e) }

    static func foldStatic(_ e: BoundExpr) throws(QueryError) -> BoundExpr {
        if e.constantValue != nil || !e.slots.isEmpty { return e }
        let v = try Evaluator.evaluate(e, Batch(columns: [], count: 1))
        return BoundExpr(.constant(v.datum(0)), e.type, at: e.position)
    }

    static func datum(_ l: Literal) -> Datum {
        switch l {
        case .null: return .null
        case .int(let v): return .int(v)
        case .double(let v): return .double(v)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .timestamp(let t): return .timestamp(t)
        case .interval(let i): return .interval(i)
        }
    }

    /// Whether `e` is the bare column `name` (an alias defined as itself must not recurse).
    static func refersTo(_ e: Expr, _ name: String) -> Bool {
        if case .column(let n, _) = e.kind { return n == name }
        return false
    }

    /// Position of the first aggregate call in `e`, if any (a window function's own call is not
    /// one; an aggregate in its arguments is).
    static func findAggregate(_ e: Expr) -> Int? {
        switch e.kind {
        case .function(let name, let args, _):
            if AggregateFunction.isAggregate(name) { return e.position }
            return args.lazy.compactMap(findAggregate).first
        case .column, .literal, .star, .qualified, .qualifiedStar, .scalarSubquery, .exists: return nil
        case .inSubquery(let a, _, _): return findAggregate(a)
        case .filtered(let call, _): return findAggregate(call) ?? call.position
        case .negate(let a), .not(let a), .isNull(let a, _), .cast(let a, _): return findAggregate(a)
        case .binary(_, let a, let b), .like(let a, let b, _, _, _): return findAggregate(a) ?? findAggregate(b)
        case .between(let a, let b, let c, _): return findAggregate(a) ?? findAggregate(b) ?? findAggregate(c)
        case .inList(let a, let l, _): return findAggregate(a) ?? l.lazy.compactMap(findAggregate).first
        case .caseWhen(let o, let w, let x):
            return o.flatMap(findAggregate) ?? w.lazy.compactMap { findAggregate($0.0) ?? findAggregate($0.1) }.first ?? x.flatMap(findAggregate)
        case .window(let c):
            // The window function itself is not an aggregate; one in its arguments or keys is.
            return (c.args + c.over.partitionBy + c.over.orderBy.map(\.expr)).lazy.compactMap(findAggregate).first
        }
    }

    // MARK: - Pushdown

    /// Splits the WHERE conjuncts into zone-map predicates on stored columns and a filter on
    /// run-constant columns (run id, metadata) that can skip whole runs.
    mutating func splitPushdown(_ f: BoundExpr) {
        var runConjuncts: [BoundExpr] = []
        for c in Self.conjuncts(f) {
            let slots = c.slots
            if !slots.isEmpty && slots.allSatisfy({ plan.slots[$0].isRunConstant }) {
                runConjuncts.append(c)
                continue
            }
            plan.zonePredicates += zonePredicates(c)
        }
        plan.runFilter = runConjuncts.dropFirst().reduce(runConjuncts.first) { acc, c in
            acc.map { BoundExpr(.and($0, c), .bool, at: c.position) }
        }
    }

    /// The operands of the top-level ANDs of `e`, in order (`e` itself when it is not an AND).
    static func conjuncts(_ e: BoundExpr) -> [BoundExpr] {
        if case .and(let a, let b) = e.kind { return conjuncts(a) + conjuncts(b) }
        return [e]
    }

    /// Zone-map predicates implied by the `column OP constant` conjuncts of `condition`, bound by
    /// `bindCondition` to `slots` (what a `TableScan` skips chunks and pages by).
    static func conditionZonePredicates(_ condition: BoundExpr, slots: [InputSlot]) -> [ColumnPredicate] {
        var b = Binder(runs: RunSet.empty)
        b.plan.slots = slots
        return conjuncts(condition).flatMap { b.zonePredicates($0) }
    }

    /// Zone-map predicates implied by one conjunct (none when it is not `column OP constant`).
    func zonePredicates(_ c: BoundExpr) -> [ColumnPredicate] {
        func storedColumn(_ e: BoundExpr) -> String? {
            var e = e
            if case .cast(let inner, .double) = e.kind, inner.type == .int { e = inner }
            if case .column(let s, _) = e.kind, case .column(let name, _) = plan.slots[s] { return name }
            return nil
        }
        switch c.kind {
        case .compare(let op, let a, let b):
            guard op != .ne else { return [] }
            let cop: ColumnPredicate.Op = [.eq: .eq, .lt: .lt, .le: .le, .gt: .gt, .ge: .ge][op]!
            if let col = storedColumn(a), let k = b.constantValue, k != .null, k.type != .interval {
                return [ColumnPredicate(col, cop, k.value)]
            }
            if let col = storedColumn(b), let k = a.constantValue, k != .null, k.type != .interval {
                let flipped: ColumnPredicate.Op = [.eq: .eq, .lt: .gt, .le: .ge, .gt: .lt, .ge: .le][cop]!
                return [ColumnPredicate(col, flipped, k.value)]
            }
        case .inList(let a, let set, _, let negated):
            guard !negated, let col = storedColumn(a), !set.isEmpty else { return [] }
            let order: (Datum, Datum) -> Bool = { Datum.compare($0, $1) < 0 }
            if let lo = set.min(by: order), let hi = set.max(by: order) {
                return [ColumnPredicate(col, .ge, lo.value), ColumnPredicate(col, .le, hi.value)]
            }
        default:
            break
        }
        return []
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int { NameList.editDistance(a, b) }
