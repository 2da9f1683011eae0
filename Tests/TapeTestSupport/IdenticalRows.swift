import TapeFormat

extension Sequence where Element == [Value] {
    /// Whether the rows hold the same cells bit for bit (`Datum.isIdentical(to:)`: -0.0 is not
    /// 0.0), for storage round trips; `==` is SQL grouping equality and would let those pass.
    public func isIdentical<S: Sequence<[Value]>>(to other: S) -> Bool {
        let a = Array(self), b = Array(other)
        return a.count == b.count && zip(a, b).allSatisfy { x, y in
            x.count == y.count && zip(x, y).allSatisfy { $0.isIdentical(to: $1) }
        }
    }
}
