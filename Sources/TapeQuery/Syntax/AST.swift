import TapeFormat

/// The syntax tree of a query, as written (names unresolved). Every node keeps the byte offset of
/// its first token so later errors can point at it.
struct Expr: Sendable {
    indirect enum Kind: Sendable {
        /// A column or alias reference; `quoted` names match case-sensitively only.
        case column(String, quoted: Bool)
        /// `t.col`: a column of the FROM item named (or aliased) `t`.
        case qualified(table: String, column: String, quoted: Bool)
        /// `t.*` as a select item.
        case qualifiedStar(table: String)
        /// `(SELECT …)` used as a value: one column, at most one row (uncorrelated).
        case scalarSubquery(QueryNode)
        /// `x [NOT] IN (SELECT …)` (uncorrelated).
        case inSubquery(Expr, QueryNode, negated: Bool)
        /// `EXISTS (SELECT …)` (uncorrelated).
        case exists(QueryNode)
        /// `aggregate(…) FILTER (WHERE condition)`: the call and its condition.
        case filtered(Expr, filter: Expr)
        case literal(Literal)
        /// `*` as a select item or in `count(*)`.
        case star
        case negate(Expr)
        case not(Expr)
        case binary(BinaryOp, Expr, Expr)
        case isNull(Expr, negated: Bool)
        case between(Expr, low: Expr, high: Expr, negated: Bool)
        case inList(Expr, [Expr], negated: Bool)
        case like(Expr, pattern: Expr, negated: Bool, caseInsensitive: Bool, escape: Expr?)
        case function(name: String, args: [Expr], distinct: Bool)
        case caseWhen(operand: Expr?, whens: [(Expr, Expr)], otherwise: Expr?)
        case cast(Expr, SQLType)
        /// `f(args) OVER (…)`: a window function call (see Window/WindowSyntax.swift).
        case window(WindowCall)
    }

    var kind: Kind
    var position: Int

    init(_ kind: Kind, at position: Int) {
        self.kind = kind
        self.position = position
    }
}

/// A constant written in the query.
enum Literal: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case string(String)
    case bool(Bool)
    case timestamp(Int64)
    case interval(Interval)
}

enum BinaryOp: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", intDivide = "//", modulo = "%"
    case eq = "=", ne = "<>", lt = "<", le = "<=", gt = ">", ge = ">="
    case and = "AND", or = "OR"
    case concat = "||"

    var isComparison: Bool { [.eq, .ne, .lt, .le, .gt, .ge].contains(self) }
    var isArithmetic: Bool { [.add, .subtract, .multiply, .divide, .intDivide, .modulo].contains(self) }

    /// The comparison with its operands swapped (`a < b` ⇔ `b > a`).
    var flipped: BinaryOp {
        switch self {
        case .lt: return .gt
        case .le: return .ge
        case .gt: return .lt
        case .ge: return .le
        default: return self
        }
    }
}

struct SelectItem: Sendable {
    var expr: Expr
    var alias: String?
    /// The item's text as written (names an unaliased output column, like DuckDB).
    var text: String
}

struct OrderItem: Sendable {
    var expr: Expr
    var descending: Bool
    /// nil: the default (NULLS LAST, as DuckDB).
    var nullsFirst: Bool?
}

/// `[EXPLAIN] query`.
struct Statement: Sendable {
    var explain = false
    var query: QueryNode
}

/// A query: `[WITH name AS (query), …] body`, where the body is one SELECT or a set operation over
/// queries. ORDER BY/LIMIT belong to the SELECT; over a set operation the parser wraps it as
/// `SELECT * FROM (set operation) ORDER BY … LIMIT …`.
final class QueryNode: Sendable {
    indirect enum Body: Sendable {
        case select(SelectStatement)
        case setOperation(SetOperator, all: Bool, QueryNode, QueryNode, position: Int)
    }
    let with: [CommonTableExpression]
    let body: Body
    let position: Int

    init(with: [CommonTableExpression] = [], body: Body, position: Int) {
        self.with = with
        self.body = body
        self.position = position
    }
}

enum SetOperator: String, Sendable {
    case union = "UNION", intersect = "INTERSECT", except = "EXCEPT"
    /// `UNION [ALL] BY NAME`: columns matched by name; a column one side lacks is NULL there.
    case unionByName = "UNION BY NAME"
}

/// `name [(columns)] AS (query)` in a WITH list.
struct CommonTableExpression: Sendable {
    var name: String
    var columnNames: [String]
    var query: QueryNode
    var position: Int
}

/// A FROM item.
indirect enum TableRef: Sendable {
    /// A stored table or a CTE, with an optional alias.
    case table(name: String, alias: String?, position: Int)
    /// `(SELECT …) [AS] alias`.
    case subquery(QueryNode, alias: String?, position: Int)
    /// `LATERAL (SELECT …) [AS] alias`: a subquery that may read the columns of the FROM items
    /// to its left (the right side of a join).
    case lateral(QueryNode, alias: String?, position: Int)
    /// `left [NATURAL] [kind] JOIN right [ON cond | USING (cols)]`; comma, CROSS and NATURAL JOIN
    /// have neither (NATURAL joins on the columns both sides name alike).
    case join(JoinKind, TableRef, TableRef, on: Expr?, using: [String], natural: Bool, position: Int)

    var position: Int {
        switch self {
        case .table(_, _, let p), .subquery(_, _, let p), .lateral(_, _, let p), .join(_, _, _, _, _, _, let p): return p
        }
    }
}

enum JoinKind: String, Sendable {
    case inner = "INNER", left = "LEFT", right = "RIGHT", full = "FULL", cross = "CROSS"
    case semi = "SEMI", anti = "ANTI", asof = "ASOF", leftAsof = "LEFT ASOF"
}

/// `SELECT [DISTINCT] … [FROM …] [WHERE …] [GROUP BY …] [HAVING …] [WINDOW …] [QUALIFY …] [ORDER BY …] [LIMIT n]
/// [OFFSET m]`.
struct SelectStatement: Sendable {
    var distinct = false
    var items: [SelectItem] = []
    var from: TableRef?
    var whereClause: Expr?
    var groupBy: [Expr] = []
    var having: Expr?
    /// `WINDOW w AS (…), …` and `QUALIFY condition` (filters on window results).
    var windows: [NamedWindow] = []
    var qualify: Expr?
    var orderBy: [OrderItem] = []
    var limit: Int?
    var offset = 0
}

extension SelectStatement {
    /// `SELECT * FROM (query) ORDER BY … LIMIT …`: how ORDER BY and LIMIT apply to a set
    /// operation or a parenthesised query.
    static func over(_ q: QueryNode, orderBy: [OrderItem], limit: Int?, offset: Int, at position: Int) -> SelectStatement {
        var s = SelectStatement()
        s.items = [SelectItem(expr: Expr(.star, at: position), alias: nil, text: "*")]
        s.from = .subquery(q, alias: nil, position: position)
        s.orderBy = orderBy
        s.limit = limit
        s.offset = offset
        return s
    }
}
