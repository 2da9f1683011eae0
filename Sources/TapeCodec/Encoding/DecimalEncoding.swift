import TapeFormat

/// DECIMAL (format-spec §5.2): float64 values that are exact decimals.
///
///   exponent  u8     e in 0...18
///   ints      the m integers k_j, encoded exactly as DELTA (§5.1)
///
/// Value j is `Double(k_j) / 10^e` in IEEE-754 double arithmetic. The writer uses DECIMAL only when
/// that reproduces every value bit for bit (so -0.0, NaN and ±inf never qualify).
enum DecimalEncoding {
    static let maxExponent = 18

    /// 10^0 ... 10^18, all exactly representable as doubles.
    static let powersOfTen: [Double] = (0...maxExponent).map { e in
        var p: Int64 = 1
        for _ in 0..<e { p *= 10 }
        return Double(p)
    }

    /// k with `Double(k) / p` bit-identical to `x`, or nil.
    @inline(__always) static func exactInteger(_ x: Double, _ p: Double) -> Int64? {
        let y = x * p
        // Below 2^63 with room for the rounding offset; NaN fails the comparison.
        guard y.magnitude < 9.2e18 else { return nil }
        let k = Int64(y + (y < 0 ? -0.5 : 0.5))
        return (Double(k) / p).bitPattern == x.bitPattern ? k : nil
    }

    /// Finds the smallest exponent that makes every value an exact decimal and writes the scaled
    /// integers to `ints`. Returns nil when no exponent in 0...18 works.
    /// REQUIRES: `ints` has `values.count` writable slots.
    static func scale(_ values: UnsafeBufferPointer<Double>, into ints: UnsafeMutablePointer<Int64>) -> Int? {
        let n = values.count
        var e = 0
        var i = 0
        return powersOfTen.withUnsafeBufferPointer { pow10 -> Int? in
            var p = pow10[0]
            while i < n {
                let x = values[i]
                if let k = exactInteger(x, p) {
                    ints[i] = k
                    i += 1
                    continue
                }
                // Raise the exponent until this value fits, then start over with it.
                var e2 = e + 1
                while e2 <= maxExponent && exactInteger(x, pow10[e2]) == nil { e2 += 1 }
                guard e2 <= maxExponent else { return nil }
                e = e2
                p = pow10[e]
                i = 0
            }
            return e
        }
    }

    /// Appends exponent `e` and the DELTA form of `ints`.
    static func encode(exponent e: Int, ints: UnsafeBufferPointer<Int64>, into w: inout RawWriter) {
        w.writeU8(UInt8(e))
        DeltaEncoding.encode(ints, into: &w)
    }

    /// Decodes `m` values into `out`.
    static func decode(_ r: inout PayloadReader, count m: Int, into out: UnsafeMutablePointer<Double>) throws(FormatError) {
        let at = r.position
        let e = Int(try r.readU8("decimal exponent"))
        guard e <= maxExponent else { throw r.invalid("decimal exponent", at: at, "exponent \(e) > \(maxExponent)") }
        let p = powersOfTen[e]
        try out.withMemoryRebound(to: Int64.self, capacity: m) { (ints) throws(FormatError) in
            try DeltaEncoding.decode(&r, count: m, into: ints)
        }
        for j in 0..<m {
            out[j] = Double(Int64(bitPattern: out[j].bitPattern)) / p
        }
    }
}
