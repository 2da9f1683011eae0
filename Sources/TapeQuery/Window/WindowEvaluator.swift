import TapeCodec

/// Computes window function results over a materialised input batch: one sort per distinct
/// PARTITION BY / ORDER BY, then each function's kernel over the sorted rows, put back in input
/// order. Results come back in the order of `windows`.
enum WindowEvaluator {
    static func evaluate(_ windows: [BoundWindow], over input: Batch) throws(QueryError) -> [Vector] {
        var results = [Vector?](repeating: nil, count: windows.count)
        var bySpec: [String: [Int]] = [:]
        var specOrder: [String] = []
        for (i, w) in windows.enumerated() {
            if bySpec[w.specText] == nil { specOrder.append(w.specText) }
            bySpec[w.specText, default: []].append(i)
        }
        for spec in specOrder {
            let members = bySpec[spec] ?? []
            let first = windows[members[0]]
            var part: [Vector] = [], ord: [Vector] = []
            for e in first.partition { part.append(try Evaluator.evaluate(e, input)) }
            for k in first.order { ord.append(try Evaluator.evaluate(k.expr, input)) }
            let layout = WindowLayout(partitionKeys: part, orderKeys: ord, order: first.order.map { ($0.descending, $0.nullsFirst) }, count: input.count)
            let firstKey = ord.first.map { layout.sorted($0) }
            for i in members {
                let w = windows[i]
                var args: [Vector] = []
                for a in w.args { args.append(layout.sorted(try Evaluator.evaluate(a, input).materialized())) }
                var offsets: [Vector?] = []
                for e in [w.frame.startOffset, w.frame.endOffset] {
                    offsets.append(try e.map { (e) throws(QueryError) in layout.sorted(try Evaluator.evaluate(e, input).materialized()) })
                }
                let sortedResult = try kernel(w, args, layout, firstKey, frameOffsets: (offsets[0], offsets[1]))
                results[i] = layout.unsorted(sortedResult)
            }
        }
        return results.map { $0 ?? .constant(.null, count: input.count) }
    }

    /// One function over sorted rows; the result is in sorted order. `frameOffsets`: the values
    /// of the frame's per-row offset expressions, sorted like the rows.
    static func kernel(_ w: BoundWindow, _ args: [Vector], _ layout: WindowLayout, _ orderKey: Vector?,
                       frameOffsets: (start: Vector?, end: Vector?) = (nil, nil)) throws(QueryError) -> Vector {
        switch w.function {
        case .rowNumber, .rank, .denseRank, .percentRank, .cumeDist, .ntile:
            do { return try RankingKernels.evaluate(w.function, layout, ntileBuckets: args.first) } catch {
                throw QueryError(.execution, error.message, at: w.position)
            }
        case .lag, .lead:
            let offsets = args.count > 1 ? args[1] : nil, sign = w.function == .lead ? 1 : -1
            let src = w.ignoreNulls ? IgnoreNullsKernels.shifted(layout, values: args[0], offsets: offsets, sign: sign)
                : NavigationKernels.shifted(layout, offsets: offsets, sign: sign)
            var out = args[0].picking(src)
            if args.count > 2 { out = try withDefault(out, src, args[2]) }
            return out
        default:
            break
        }
        let frames: FrameBounds
        do {
            frames = try FrameBounds(w.frame, layout: layout, orderKey: orderKey, descending: w.order.first?.descending ?? false,
                                     startOffsets: frameOffsets.start, endOffsets: frameOffsets.end)
        } catch {
            throw QueryError(.execution, error.message, at: w.position)
        }
        let partitions = layout.partitions
        let exclusion = FrameExclusion(w.frame.exclude, layout: layout)
        switch w.function {
        case .firstValue where w.ignoreNulls || exclusion != nil, .lastValue where w.ignoreNulls || exclusion != nil:
            let value = args[0]
            var src = [Int32](repeating: -1, count: layout.count)
            let edge = EdgeRowFrame(counts: w.ignoreNulls ? { !value.isNull($0) } : { _ in true }, last: w.function == .lastValue)
            SlidingAggregation.run(edge, frames: frames, partitions: partitions, excluding: exclusion) { src[$0] = $1 }
            return value.picking(src)
        case .nthValue where w.ignoreNulls:
            do { return args[0].picking(try IgnoreNullsKernels.nth(args[0], frames, nth: args[1], excluding: exclusion)) } catch {
                throw QueryError(.execution, error.message, at: w.position)
            }
        case .firstValue, .lastValue, .nthValue:
            do { return args[0].picking(try NavigationKernels.framed(w.function, frames, nth: args.count > 1 ? args[1] : nil, excluding: exclusion)) } catch {
                throw QueryError(.execution, error.message, at: w.position)
            }
        case .aggregate(let f) where w.distinct:
            return try DistinctFrameKernel.evaluate(f, w, args[0], frames, partitions, exclusion)
        case .aggregate(let f):
            return try aggregate(f, w, args, frames, partitions, layout.count, exclusion)
        default:
            return .constant(.null, type: w.type, count: layout.count)
        }
    }

    /// lag/lead's default where no row was taken.
    private static func withDefault(_ v: Vector, _ src: [Int32], _ fallback: Vector) throws(QueryError) -> Vector {
        guard src.contains(-1) else { return v }
        var b = VectorBuilder(type: v.type)
        for (i, s) in src.enumerated() { b.append(s < 0 ? fallback.datum(i).coerced(to: v.type) ?? .null : v.datum(i)) }
        return try b.build()
    }

    private static func aggregate(_ f: AggregateFunction, _ w: BoundWindow, _ args: [Vector], _ frames: FrameBounds,
                                  _ partitions: [Range<Int>], _ n: Int, _ exclusion: FrameExclusion?) throws(QueryError) -> Vector {
        var valid = Bitmap(count: n, value: true)
        var anyNull = false
        func null(_ i: Int) { valid[i] = false; anyNull = true }
        switch f {
        case .countStar, .count:
            var out = [Int64](repeating: 0, count: n)
            let v = f == .countStar ? nil : args[0]
            if let v, Evaluator.isNullConstant(v) { return Vector(type: .int, storage: .int64(out), count: n) }
            SlidingAggregation.run(CountFrame(valid: v?.validity), frames: frames, partitions: partitions, excluding: exclusion) { out[$0] = $1 }
            return Vector(type: .int, storage: .int64(out), count: n)
        case .sum, .avg:
            if case .int64(let a) = args[0].storage {
                var ints = [Int64](repeating: 0, count: n), doubles = [Double](repeating: 0, count: n)
                var overflow: Int128?
                SlidingAggregation.run(SumIntFrame(values: a, valid: args[0].validity), frames: frames, partitions: partitions, excluding: exclusion) { i, s in
                    if s.1 == 0 { null(i); return }
                    if f == .avg { doubles[i] = Double(s.0) / Double(s.1); return }
                    if let x = Int64(exactly: s.0) { ints[i] = x } else if overflow == nil { overflow = s.0 }
                }
                if let overflow {
                    throw QueryError(.execution, "\(w.text) = \(overflow) overflows BIGINT; use sum(CAST(x AS DOUBLE))", at: w.position)
                }
                let validity = anyNull ? valid : nil
                return f == .avg ? Vector(type: .double, storage: .float64(doubles), validity: validity, count: n)
                    : Vector(type: .int, storage: .int64(ints), validity: validity, count: n)
            }
            guard case .float64(let a) = args[0].storage else { return .constant(.null, type: w.type, count: n) }
            var out = [Double](repeating: 0, count: n)
            SlidingAggregation.run(SumDoubleFrame(values: a, valid: args[0].validity), frames: frames, partitions: partitions, excluding: exclusion) { i, s in
                if s.n == 0 { null(i); return }
                out[i] = f == .avg ? (s.sum + s.comp) / Double(s.n) : s.sum + s.comp
            }
            return Vector(type: .double, storage: .float64(out), validity: anyNull ? valid : nil, count: n)
        case .stddevSamp, .stddevPop, .varSamp, .varPop:
            let x = args[0]
            let values: [Double]
            switch x.storage {
            case .float64(let a): values = a
            case .int64(let a): values = a.map(Double.init)
            default: return .constant(.null, type: .double, count: n)
            }
            let sample = f == .stddevSamp || f == .varSamp, root = f == .stddevSamp || f == .stddevPop
            var out = [Double](repeating: 0, count: n)
            SlidingAggregation.run(MomentsFrame(values: values, valid: x.validity), frames: frames, partitions: partitions, excluding: exclusion) { i, m in
                if let r = m.result(sample: sample, root: root) { out[i] = r } else { null(i) }
            }
            return Vector(type: .double, storage: .float64(out), validity: anyNull ? valid : nil, count: n)
        case .min, .max, .argMin, .argMax:
            let value = args[0]
            let key = f == .min || f == .max ? value : args[1]
            if Evaluator.isNullConstant(value) || Evaluator.isNullConstant(key) { return .constant(.null, type: w.type, count: n) }
            let counts: (Int) -> Bool = f == .min || f == .max ? { !value.isNull($0) } : { !value.isNull($0) && !key.isNull($0) }
            var src = [Int32](repeating: -1, count: n)
            let agg = ExtremeFrame(order: key.rowOrder(), counts: counts, isMax: f == .max || f == .argMax)
            SlidingAggregation.run(agg, frames: frames, partitions: partitions, excluding: exclusion) { src[$0] = $1 }
            return value.picking(src)
        case .quantileCont, .quantileDisc:
            return QuantileFrameKernel.evaluate(continuous: f == .quantileCont, fraction: w.fraction, args[0], frames, partitions, exclusion)
        default:
            throw QueryError(.binding, "\(w.text) is not supported as a window function", at: w.position)
        }
    }
}
