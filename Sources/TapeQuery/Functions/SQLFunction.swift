/// What a registry entry is called as: a scalar function (one value per row), an aggregate (one
/// value per group, and usable over a window when it has a window rule) or a window-only function
/// (ranking and navigation; needs OVER).
enum FunctionKind: String, Sendable, CaseIterable {
    case scalar, aggregate, window
}

/// What every registry entry documents about itself. `tape sql --functions`, the function names
/// in `tape sql --help` and README's function table are all printed from these fields
/// (`FunctionDocs`), so the documentation cannot drift from what the binder accepts.
protocol SQLFunction: Sendable {
    /// The canonical name (lower case, as DuckDB spells it).
    var name: String { get }
    /// Other names that resolve to the same entry (`ceiling` for ceil).
    var aliases: [String] { get }
    /// How the call is written, e.g. `round(x[, n])`.
    var signature: String { get }
    /// One line: what it returns, with the semantics a user might not guess.
    var doc: String { get }
    /// An expression over the differential fixture's `trades` table (columns run, ts, symbol, side,
    /// qty, price, pnl, note) that calls the function; the registry test runs it through Tape and
    /// DuckDB. Nil only for internal entries, which are not documented either.
    var example: String? { get }
    var kind: FunctionKind { get }
}

extension SQLFunction {
    /// Every name the entry answers to.
    var names: [String] { [name] + aliases }
    /// Whether users see it (internal helpers such as `__not_distinct` have no example).
    var isListed: Bool { example != nil }
}
