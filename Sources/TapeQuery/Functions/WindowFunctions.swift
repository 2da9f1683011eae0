/// Ranking and navigation functions: usable only with OVER (every aggregate with a window rule
/// works over a window too). Ranking functions and lag/lead see the whole partition; first_value,
/// last_value and nth_value see the frame.
enum WindowFunctions {
    typealias Rule = ScalarFunction.Rule

    static let entries: [WindowEntry] = [
        WindowEntry(name: "row_number", function: .rowNumber, signature: "row_number()", doc: "1, 2, 3, … within the partition",
                    example: "row_number() OVER (PARTITION BY run ORDER BY ts)", bind: noArguments(.int)),
        WindowEntry(name: "rank", function: .rank, signature: "rank()", doc: "rank with gaps (peers share a rank)",
                    example: "rank() OVER (PARTITION BY run ORDER BY qty)", bind: noArguments(.int)),
        WindowEntry(name: "dense_rank", function: .denseRank, signature: "dense_rank()", doc: "rank without gaps",
                    example: "dense_rank() OVER (PARTITION BY run ORDER BY qty)", bind: noArguments(.int)),
        WindowEntry(name: "percent_rank", function: .percentRank, signature: "percent_rank()", doc: "(rank − 1) / (rows − 1), DOUBLE",
                    example: "percent_rank() OVER (PARTITION BY run ORDER BY qty)", bind: noArguments(.double)),
        WindowEntry(name: "cume_dist", function: .cumeDist, signature: "cume_dist()", doc: "fraction of rows up to and including the row's peers",
                    example: "cume_dist() OVER (PARTITION BY run ORDER BY qty)", bind: noArguments(.double)),
        WindowEntry(name: "ntile", function: .ntile, signature: "ntile(n)", doc: "bucket 1 … n of the row, buckets as equal as possible",
                    example: "ntile(4) OVER (PARTITION BY run ORDER BY ts)",
                    bind: { a throws(QueryError) in
                        try a.arity(1...1)
                        try a.integer(0)
                        return .int
                    }),
        WindowEntry(name: "lag", function: .lag, signature: "lag(x[, offset[, default]])",
                    doc: "x offset rows (default 1) before, else default (offset and default may vary per row)",
                    example: "lag(pnl, 2, 0) OVER (PARTITION BY run ORDER BY ts)", bind: navigation),
        WindowEntry(name: "lead", function: .lead, signature: "lead(x[, offset[, default]])",
                    doc: "x offset rows (default 1) after, else default",
                    example: "lead(price) OVER (PARTITION BY run ORDER BY ts)", bind: navigation),
        WindowEntry(name: "first_value", function: .firstValue, signature: "first_value(x)", doc: "x at the frame's first row",
                    example: "first_value(pnl) OVER (PARTITION BY run ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)",
                    bind: AggregateFunctions.oneArgument(nil)),
        WindowEntry(name: "last_value", function: .lastValue, signature: "last_value(x)", doc: "x at the frame's last row",
                    example: "last_value(pnl) OVER (PARTITION BY run ORDER BY ts)", bind: AggregateFunctions.oneArgument(nil)),
        WindowEntry(name: "nth_value", function: .nthValue, signature: "nth_value(x, n)", doc: "x at the frame's n-th row (1-based), else NULL",
                    example: "nth_value(qty, 2) OVER (PARTITION BY run ORDER BY ts)",
                    bind: { a throws(QueryError) in
                        try a.arity(2...2)
                        try a.integer(1)
                        return a.type(0)
                    }),
    ]

    static func noArguments(_ type: SQLType) -> Rule {
        { a throws(QueryError) in
            try a.arity(0...0)
            return type
        }
    }

    /// lag / lead: the offset is a BIGINT, the default is cast to x's type (or gives the type when
    /// x is NULL).
    static let navigation: Rule = { a throws(QueryError) in
        try a.arity(1...3)
        if a.count > 1 { try a.integer(1) }
        let type = a.type(0) == .null && a.count > 2 ? a.type(2) : a.type(0)
        if a.count > 2 { try a.cast(2, to: type) }
        return type
    }
}
