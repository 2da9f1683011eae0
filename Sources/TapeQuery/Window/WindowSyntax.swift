/// The syntax of a window: `OVER (w PARTITION BY … ORDER BY … frame)` or `OVER w`, as written.
///
/// `base` names a window of the statement's `WINDOW` clause that this one extends (DuckDB's and
/// PostgreSQL's rule: the extension may add ORDER BY only when the base has none, may not repeat
/// PARTITION BY, and its frame replaces the base's).
struct WindowSpec: Sendable {
    var base: String?
    var partitionBy: [Expr] = []
    var orderBy: [OrderItem] = []
    var frame: WindowFrame?
    /// Byte offset of `OVER`'s window (the name or the opening parenthesis).
    var position: Int
}

/// `ROWS|RANGE|GROUPS BETWEEN start AND end` (or `… start`, meaning `AND CURRENT ROW`).
struct WindowFrame: Sendable {
    enum Unit: String, Sendable { case rows = "ROWS", range = "RANGE", groups = "GROUPS" }

    /// One end of a frame; offsets are expressions (bound to constants by the binder).
    enum Bound: Sendable {
        case unboundedPreceding
        case preceding(Expr)
        case currentRow
        case following(Expr)
        case unboundedFollowing
    }

    /// `EXCLUDE CURRENT ROW | GROUP | TIES | NO OTHERS`: rows left out of every frame.
    enum Exclude: String, Sendable {
        case noOthers = "NO OTHERS", currentRow = "CURRENT ROW", group = "GROUP", ties = "TIES"
    }

    var unit: Unit
    var start: Bound
    var end: Bound
    var exclude: Exclude = .noOthers
    var position: Int
}

/// `WINDOW name AS (spec)` in a statement.
struct NamedWindow: Sendable {
    var name: String
    var spec: WindowSpec
    var position: Int
}

/// A window function call as written: `name(args) OVER window`.
struct WindowCall: Sendable {
    var name: String
    var args: [Expr]
    var distinct: Bool
    var over: WindowSpec
    /// `IGNORE NULLS` (lag, lead, first_value, last_value, nth_value skip NULL values).
    var ignoreNulls = false
    /// `FILTER (WHERE …)` on an aggregate: rows failing it do not count in any frame.
    var filter: Expr?
}
