import TapeCodec

/// Applies the predicate `f` row by row over two operands into a bit-packed BOOLEAN result
/// (Arrow's layout), 64 rows a word, without an intermediate `[Bool]`.
@inline(__always)
func mapBits2<T, U>(_ a: Operand<T>, _ b: Operand<U>, _ count: Int, _ f: (T, U) -> Bool) -> Bitmap {
    switch (a, b) {
    case (.array(let x), .array(let y)):
        return x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in Bitmap(count: count) { f(xp[$0], yp[$0]) } } }
    case (.array(let x), .scalar(let s)):
        return x.withUnsafeBufferPointer { xp in Bitmap(count: count) { f(xp[$0], s) } }
    case (.scalar(let s), .array(let y)):
        return y.withUnsafeBufferPointer { yp in Bitmap(count: count) { f(s, yp[$0]) } }
    case (.scalar(let s), .scalar(let t)):
        return Bitmap(count: count, value: f(s, t))
    }
}

/// Applies the predicate `f` to every element of an operand, bit-packed.
@inline(__always)
func mapBits1<T>(_ a: Operand<T>, _ count: Int, _ f: (T) -> Bool) -> Bitmap {
    switch a {
    case .array(let x): return x.withUnsafeBufferPointer { xp in Bitmap(count: count) { f(xp[$0]) } }
    case .scalar(let s): return Bitmap(count: count, value: f(s))
    }
}
