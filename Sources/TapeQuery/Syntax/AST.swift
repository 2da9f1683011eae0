/// The syntax tree of a query, as written (names unresolved). Every node keeps the byte offset of
/// its first token so later errors can point at it.
struct Expr: Sendable {
    indirect enum Kind: Sendable {
        /// A column or alias reference; `quoted` names match case-sensitively only.
        case column(String, quoted: Bool)
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

/// `[EXPLAIN] SELECT [DISTINCT] … [FROM table] [WHERE …] [GROUP BY …] [HAVING …] [WINDOW …] [QUALIFY …] [ORDER BY …]
/// [LIMIT n] [OFFSET m]`.
struct SelectStatement: Sendable {
    var explain = false
    var distinct = false
    var items: [SelectItem] = []
    var from: String?
    var fromPosition = 0
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
