import TapeFormat

/// Timestamp functions. A TIMESTAMP is nanoseconds since 1970 in an Int64 (UTC); a result outside
/// that range is an error naming the call.
enum TimeFunctions {
    static let entries: [ScalarFunction] = [
        ScalarFunction(name: "time_bucket", signature: "time_bucket(width, ts[, origin])",
                       doc: "start of ts's bucket of a constant INTERVAL width (aligned on 2000-01-03, a Monday, as DuckDB; month widths on 2000-01-01)",
                       example: "time_bucket(INTERVAL '15 minutes', ts)", bind: timeBucketRule, kernel: timeBucket),
        ScalarFunction(name: "date_trunc", aliases: ["datetrunc"], signature: "date_trunc(unit, ts)",
                       doc: "ts truncated to second, minute, hour, day, week (Monday), month, quarter or year",
                       example: "date_trunc('hour', ts)", bind: { a throws(QueryError) in try datePartRule(&a, trunc: true) }, kernel: dateTrunc),
        ScalarFunction(name: "date_part", aliases: ["datepart"], signature: "date_part(part, ts)",
                       doc: "a field of ts as BIGINT: year, quarter, month, week, day, dow, isodow, doy, hour, minute, second, millisecond, microsecond; epoch as DOUBLE; also written extract(part FROM ts)",
                       example: "date_part('dow', ts)", bind: { a throws(QueryError) in try datePartRule(&a, trunc: false) }, kernel: datePart),
        ScalarFunction(name: "epoch", signature: "epoch(ts)", doc: "seconds since 1970 as DOUBLE", example: "epoch(ts)",
                       bind: timestampRule(.double),
                       kernel: { a, _, count throws(QueryError) in
                           Evaluator.result(.double, .float64(map1(Evaluator.ints(a[0]), count) { Double($0) / 1e9 }), a, count)
                       }),
        ScalarFunction(name: "epoch_ms", signature: "epoch_ms(ts)", doc: "milliseconds since 1970 as BIGINT, rounded to the nearest (as DuckDB)",
                       example: "epoch_ms(ts)", bind: timestampRule(.int),
                       kernel: { a, _, count throws(QueryError) in
                           // Rounded half away from zero, as DuckDB (which converts its microseconds so).
                           Evaluator.result(.int, .int64(map1(Evaluator.ints(a[0]), count) { ns in
                               let q = ns / 1_000_000, r = ns % 1_000_000
                               return r >= 500_000 ? q + 1 : (r <= -500_000 ? q - 1 : q)
                           }), a, count)
                       }),
        ScalarFunction(name: "to_timestamp", signature: "to_timestamp(seconds)", doc: "the TIMESTAMP that many seconds after 1970", example: "to_timestamp(qty * 86400)",
                       bind: { a throws(QueryError) in
                           try a.arity(1...1)
                           try a.need(0, \.isNumeric, "a number of seconds")
                           try a.cast(0, to: .double)
                           return .timestamp
                       }, kernel: toTimestamp),
    ]

    /// One TIMESTAMP argument; the result is `type`.
    static func timestampRule(_ type: SQLType) -> ScalarFunction.Rule {
        { a throws(QueryError) in
            try a.arity(1...1)
            try a.need(0, { $0 == .timestamp }, "a timestamp")
            return type
        }
    }

    static let timeBucketRule: ScalarFunction.Rule = { a throws(QueryError) in
        try a.arity(2...3)
        if a.type(0) == .string, a[0].constantValue != nil { try a.cast(0, to: .interval, explicit: true) }
        try a.need(0, { $0 == .interval }, "an interval such as INTERVAL '1 hour'")
        guard case .interval(let width)? = a[0].constantValue else {
            throw QueryError(.binding, "time_bucket() needs a constant interval", at: a[0].position)
        }
        guard (width.months > 0 && width.days == 0 && width.nanos == 0) || (width.months == 0 && (width.fixedNanos ?? 0) > 0) else {
            throw QueryError(.binding, "time_bucket() needs a positive interval of months or of days/hours/…, not a mix", at: a[0].position)
        }
        try a.need(1, { $0 == .timestamp }, "a timestamp")
        if a.count == 3 {
            if a.type(2) == .string { try a.cast(2, to: .timestamp, explicit: true) }
            try a.need(2, { $0 == .timestamp }, "a timestamp origin")
        }
        return .timestamp
    }

    /// date_trunc / date_part: a constant unit or part name, then a timestamp (a string is cast).
    static func datePartRule(_ a: inout FunctionArguments, trunc: Bool) throws(QueryError) -> SQLType {
        try a.arity(2...2)
        let part = try a.constantString(0).lowercased()
        if trunc {
            guard CalendarMath.TruncUnit(part) != nil else {
                throw QueryError(.binding, "date_trunc() unit must be one of second, minute, hour, day, week, month, quarter, year; got '\(part)'", at: a[0].position)
            }
        } else {
            guard CalendarMath.Part(part) != nil else {
                throw QueryError(.binding, "unknown date part '\(part)' (year, quarter, month, week, day, dow, doy, hour, minute, second, millisecond, microsecond, epoch)", at: a[0].position)
            }
        }
        if a.type(1) == .string { try a.cast(1, to: .timestamp, explicit: true) }
        try a.need(1, { $0 == .timestamp }, "a timestamp")
        return trunc ? .timestamp : (CalendarMath.Part(part) == .epoch ? .double : .int)
    }

    static func timeBucket(_ a: [Vector], _ e: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        guard case .constant(.interval(let width)) = a[0].storage else { return .constant(.null, type: .timestamp, count: count) }
        if let problem = CalendarMath.bucketWidthProblem(width) {
            throw QueryError(.execution, "time_bucket(): \(problem) (got INTERVAL '\(width)')", at: e.position)
        }
        var origin: Int64?
        if a.count > 2 {
            guard case .constant(.timestamp(let o)) = a[2].storage else {
                throw QueryError(.execution, "time_bucket() origin must be a constant", at: e.position)
            }
            origin = o
        }
        return try Evaluator.timestamps(a[1], count, e, { "time_bucket(INTERVAL '\(width)', \(Datum.timestamp($0).sqlLiteral))" }) {
            CalendarMath.bucket($0, width: width, origin: origin)
        }
    }

    static func dateTrunc(_ a: [Vector], _ e: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        guard case .constant(.string(let p)) = a[0].storage, let unit = CalendarMath.TruncUnit(p.lowercased()) else {
            throw QueryError(.execution, "date_trunc() needs a constant unit", at: e.position)
        }
        if case .nanos(let n) = unit {
            // Fixed-width units, vectorised: only a value within n of Int64.min can overflow,
            // and then the checked path below names it.
            var overflow = false
            let out = map1(Evaluator.ints(a[1]), count) { t -> Int64 in
                let (r, o) = CalendarMath.floorDiv(t, n).multipliedReportingOverflow(by: n)
                overflow = overflow || o
                return r
            }
            if !overflow { return Evaluator.result(.timestamp, .int64(out), [a[1]], count) }
        }
        return try Evaluator.timestamps(a[1], count, e, { "date_trunc('\(p)', \(Datum.timestamp($0).sqlLiteral))" }) { CalendarMath.trunc($0, unit) }
    }

    static func datePart(_ a: [Vector], _ e: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        guard case .constant(.string(let p)) = a[0].storage, let part = CalendarMath.Part(p.lowercased()) else {
            throw QueryError(.execution, "date_part() needs a constant part name", at: e.position)
        }
        if part == .epoch { return Evaluator.result(.double, .float64(map1(Evaluator.ints(a[1]), count) { Double($0) / 1e9 }), [a[1]], count) }
        return Evaluator.result(.int, .int64(map1(Evaluator.ints(a[1]), count) { CalendarMath.part($0, part) }), [a[1]], count)
    }

    static func toTimestamp(_ a: [Vector], _ e: BoundExpr, _ count: Int) throws(QueryError) -> Vector {
        let x = Evaluator.doubles(a[0])
        if (0..<count).contains(where: { !a[0].isNull($0) && !(x.at($0).magnitude < 9.2e9) }) {
            throw QueryError(.execution, "to_timestamp() value out of range", at: e.position)
        }
        return Evaluator.result(.timestamp, .int64(map1(x, count) { Int64(($0 * 1e9).rounded()) }), a, count)
    }
}
