/// Type-checks scalar function calls and decides their result types.
enum FunctionBinder {
    static func bind(_ name: String, _ args: [BoundExpr], at pos: Int) throws(QueryError) -> BoundExpr {
        guard let f = ScalarFunction.named(name), f != .notDistinct || name == "__not_distinct" else {
            let known = ScalarFunction.allCases.map(\.name).filter { !$0.hasPrefix("_") }
            let near = known.min { editDistance($0, name) < editDistance($1, name) }
            let hint = near.flatMap { editDistance($0, name) <= 2 ? " (did you mean \($0)?)" : nil } ?? ""
            throw QueryError(.binding, "unknown function \(name)()\(hint)", at: pos)
        }
        var args = args
        func arity(_ range: ClosedRange<Int>) throws(QueryError) {
            guard range.contains(args.count) else {
                let n = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
                throw QueryError(.binding, "\(name)() takes \(n) argument\(range.upperBound == 1 ? "" : "s"), got \(args.count)", at: pos)
            }
        }
        func need(_ i: Int, _ ok: (SQLType) -> Bool, _ what: String) throws(QueryError) {
            guard args[i].type == .null || ok(args[i].type) else {
                throw QueryError(.binding, "\(name)() needs \(what) as argument \(i + 1), got \(args[i].type)", at: args[i].position)
            }
        }
        func toDouble(_ i: Int) throws(QueryError) { args[i] = try Binder.cast(args[i], to: .double, at: args[i].position, explicit: false) }
        func constantString(_ i: Int) throws(QueryError) -> String {
            guard case .string(let s)? = args[i].constantValue else {
                throw QueryError(.binding, "\(name)() needs a constant string as argument \(i + 1)", at: args[i].position)
            }
            return s
        }
        let type: SQLType
        switch f {
        case .abs, .sign:
            try arity(1...1)
            try need(0, \.isNumeric, "a number")
            type = f == .sign ? .int : (args[0].type == .null ? .double : args[0].type)
        case .round:
            try arity(1...2)
            try need(0, \.isNumeric, "a number")
            if args.count == 2 { try need(1, { $0 == .int }, "an integer number of digits") }
            type = args[0].type == .int ? .int : .double
        case .floor, .ceil:
            try arity(1...1)
            try need(0, \.isNumeric, "a number")
            type = args[0].type == .int ? .int : .double
        case .sqrt, .ln, .log10, .log2, .exp:
            try arity(1...1)
            try need(0, \.isNumeric, "a number")
            try toDouble(0)
            type = .double
        case .power:
            try arity(2...2)
            try need(0, \.isNumeric, "a number")
            try need(1, \.isNumeric, "a number")
            try toDouble(0)
            try toDouble(1)
            type = .double
        case .coalesce, .greatest, .least:
            guard !args.isEmpty else { throw QueryError(.binding, "\(name)() needs at least one argument", at: pos) }
            var t = SQLType.null
            for a in args {
                guard let c = SQLType.common(t, a.type) else {
                    throw QueryError(.binding, "\(name)() arguments have incompatible types \(t) and \(a.type)", at: a.position)
                }
                t = c
            }
            for i in args.indices { args[i] = try Binder.cast(args[i], to: t, at: args[i].position, explicit: false) }
            type = t
        case .nullif, .notDistinct:
            try arity(2...2)
            let (a, b) = try Binder.unify(args[0], args[1], op: name, at: pos)
            args = [a, b]
            type = f == .nullif ? a.type : .bool
        case .lower, .upper, .trim:
            try arity(1...1)
            try need(0, { $0 == .string }, "a string")
            type = .string
        case .length:
            try arity(1...1)
            try need(0, { $0 == .string }, "a string")
            type = .int
        case .substr:
            try arity(2...3)
            try need(0, { $0 == .string }, "a string")
            for i in 1..<args.count { try need(i, { $0 == .int }, "an integer") }
            type = .string
        case .concat:
            guard !args.isEmpty else { throw QueryError(.binding, "concat() needs at least one argument", at: pos) }
            for i in args.indices { args[i] = try Binder.cast(args[i], to: .string, at: args[i].position, explicit: true) }
            type = .string
        case .replace:
            try arity(3...3)
            for i in 0..<3 { try need(i, { $0 == .string }, "a string") }
            type = .string
        case .timeBucket:
            try arity(2...3)
            if args[0].type == .string, args[0].constantValue != nil {
                args[0] = try Binder.cast(args[0], to: .interval, at: args[0].position, explicit: true)
            }
            try need(0, { $0 == .interval }, "an interval such as INTERVAL '1 hour'")
            guard case .interval(let width)? = args[0].constantValue else {
                throw QueryError(.binding, "time_bucket() needs a constant interval", at: args[0].position)
            }
            guard (width.months > 0 && width.days == 0 && width.nanos == 0) || (width.months == 0 && (width.fixedNanos ?? 0) > 0) else {
                throw QueryError(.binding, "time_bucket() needs a positive interval of months or of days/hours/…, not a mix", at: args[0].position)
            }
            try need(1, { $0 == .timestamp }, "a timestamp")
            if args.count == 3 {
                if args[2].type == .string { args[2] = try Binder.cast(args[2], to: .timestamp, at: args[2].position, explicit: true) }
                try need(2, { $0 == .timestamp }, "a timestamp origin")
            }
            type = .timestamp
        case .dateTrunc, .datePart:
            try arity(2...2)
            let part = try constantString(0).lowercased()
            if f == .dateTrunc {
                guard CalendarMath.TruncUnit(part) != nil else {
                    throw QueryError(.binding, "date_trunc() unit must be one of second, minute, hour, day, week, month, quarter, year; got '\(part)'", at: args[0].position)
                }
            } else {
                guard CalendarMath.Part(part) != nil else {
                    throw QueryError(.binding, "unknown date part '\(part)' (year, quarter, month, week, day, dow, doy, hour, minute, second, millisecond, microsecond, epoch)", at: args[0].position)
                }
            }
            if args[1].type == .string { args[1] = try Binder.cast(args[1], to: .timestamp, at: args[1].position, explicit: true) }
            try need(1, { $0 == .timestamp }, "a timestamp")
            type = f == .dateTrunc ? .timestamp : (CalendarMath.Part(part) == .epoch ? .double : .int)
        case .epoch, .epochMs:
            try arity(1...1)
            try need(0, { $0 == .timestamp }, "a timestamp")
            type = f == .epoch ? .double : .int
        case .toTimestamp:
            try arity(1...1)
            try need(0, \.isNumeric, "a number of seconds")
            try toDouble(0)
            type = .timestamp
        }
        return BoundExpr(.function(f, args), type, at: pos)
    }
}
