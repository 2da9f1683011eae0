/// A run of rows being evaluated: one vector per input slot (or, after aggregation, per group key
/// and aggregate), all with `count` rows.
struct Batch {
    var columns: [Vector]
    var count: Int

    /// The rows at `rows` of every column.
    func gather(_ rows: [Int32]) -> Batch {
        Batch(columns: columns.map { $0.gather(rows) }, count: rows.count)
    }
}

/// Either one value for every row or one value per row, so kernels can skip materialising
/// constants.
enum Operand<T> {
    case scalar(T)
    case array([T])
}

/// Applies `f` row by row over two operands into a new array of `count` results.
@inline(__always)
func map2<T, U, R>(_ a: Operand<T>, _ b: Operand<U>, _ count: Int, _ f: (T, U) -> R) -> [R] {
    switch (a, b) {
    case (.array(let x), .array(let y)):
        return x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                [R](unsafeUninitializedCapacity: count) { out, n in
                    for i in 0..<count { (out.baseAddress! + i).initialize(to: f(xp[i], yp[i])) }
                    n = count
                }
            }
        }
    case (.array(let x), .scalar(let s)):
        return x.withUnsafeBufferPointer { xp in
            [R](unsafeUninitializedCapacity: count) { out, n in
                for i in 0..<count { (out.baseAddress! + i).initialize(to: f(xp[i], s)) }
                n = count
            }
        }
    case (.scalar(let s), .array(let y)):
        return y.withUnsafeBufferPointer { yp in
            [R](unsafeUninitializedCapacity: count) { out, n in
                for i in 0..<count { (out.baseAddress! + i).initialize(to: f(s, yp[i])) }
                n = count
            }
        }
    case (.scalar(let s), .scalar(let t)):
        return [R](repeating: f(s, t), count: count)
    }
}

/// Applies `f` to every element of an operand.
@inline(__always)
func map1<T, R>(_ a: Operand<T>, _ count: Int, _ f: (T) -> R) -> [R] {
    switch a {
    case .array(let x):
        return x.withUnsafeBufferPointer { xp in
            [R](unsafeUninitializedCapacity: count) { out, n in
                for i in 0..<count { (out.baseAddress! + i).initialize(to: f(xp[i])) }
                n = count
            }
        }
    case .scalar(let s):
        return [R](repeating: f(s), count: count)
    }
}
