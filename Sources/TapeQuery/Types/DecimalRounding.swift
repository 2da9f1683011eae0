import Foundation

/// SQL `round(x, digits)`: round half away from zero at a decimal position, decided on the exact
/// binary value of `x` (as DuckDB and Python do), not on `x * 10^digits` after it has been rounded.
///
/// 737.55 is stored as 737.54999999999995453…, so `round(737.55, 1)` is 737.5; 0.125 is exact, so
/// `round(0.125, 2)` is the tie 12.5 hundredths and goes away from zero to 0.13.
enum DecimalRounding {
    /// Powers of ten that a Double holds exactly (10^0 … 10^22).
    private static let exactPowers: [Double] = (0...22).map { pow(10.0, Double($0)) }

    /// The double nearest to `x` rounded half away from zero to `digits` decimal places (negative
    /// `digits` round to tens, hundreds, …). NaN and ±inf come back unchanged; the sign of zero is kept.
    static func round(_ x: Double, digits: Int64) -> Double {
        guard x.isFinite, x != 0 else { return x }
        let magnitude = x.magnitude
        let rounded: Double
        if digits >= 0 {
            // Past 2^53, x * 10^digits is within half a unit of x's own spacing: x is its own answer.
            guard digits <= 22 else { return roundFar(x, digits: digits) }
            let p = exactPowers[Int(digits)]
            let y = magnitude * p
            guard y < 0x1p53 else { return x }
            // magnitude * p == y + error exactly (fused multiply-add has no intermediate rounding).
            let error = (-y).addingProduct(magnitude, p)
            rounded = awayFromZero(y, error: error) / p
        } else {
            guard digits >= -22 else { return roundFar(x, digits: digits) }
            let q = exactPowers[Int(-digits)]
            let y = magnitude / q
            guard y < 0x1p53 else { return x }
            // magnitude - y * q has the sign of magnitude / q - y.
            let remainder = magnitude.addingProduct(-y, q)
            rounded = awayFromZero(y, error: remainder / q) * q
        }
        return Double(signOf: x, magnitudeOf: rounded)
    }

    /// Rounds the non-negative value `y + error` half away from zero to an integer, where `error` is
    /// the (exact or sign-correct) rest that rounding to `y` dropped. REQUIRES: 0 <= y < 2^53.
    private static func awayFromZero(_ y: Double, error: Double) -> Double {
        let whole = y.rounded(.down)
        // Exact: y - whole is a fraction of y's own ulp grid. The sum's sign is exact in floating point
        // (a + b rounds to 0 only when a == -b), so ties (sum exactly 0) go away from zero.
        let distance = y - whole - 0.5
        return distance + error >= 0 ? whole + 1 : whole
    }

    /// Positions beyond 10^±22, where no exact power of ten exists: ties cannot occur there for the
    /// values that are not returned unchanged, so the C library's correctly rounded conversion decides.
    private static func roundFar(_ x: Double, digits: Int64) -> Double {
        if digits > 0 {
            // x * 10^22 >= 2^52 already has no fraction left to round.
            guard x.magnitude < 0x1p52 / 1e22 else { return x }
            let text = String(format: "%.*f", Int32(Swift.min(digits, 1100)), x)
            return Double(text) ?? x
        }
        // |x| < 1.8e308 < 10^309 / 2: every double rounds to zero past 10^308.
        guard digits >= -308 else { return Double(signOf: x, magnitudeOf: 0) }
        let scale = pow(10.0, Double(-digits))
        let y = (x.magnitude / scale).rounded(.toNearestOrAwayFromZero)
        return Double(signOf: x, magnitudeOf: y * scale)
    }

    /// Integer `round(n, digits)`: unchanged for digits >= 0, else half away from zero at 10^-digits.
    /// Returns nil when the result does not fit in a BIGINT.
    static func round(_ n: Int64, digits: Int64) -> Int64? {
        guard digits < 0 else { return n }
        // |n| <= 9.22e18: past 10^19 every value rounds to 0; at 10^19 the upper half overflows.
        guard digits >= -18 else { return digits < -19 || n.magnitude < 5_000_000_000_000_000_000 ? 0 : nil }
        var q: Int64 = 1
        for _ in 0..<(-digits) { q *= 10 }
        let (whole, remainder) = n.quotientAndRemainder(dividingBy: q)
        var result = whole
        if remainder.magnitude * 2 >= q.magnitude { result += n < 0 ? -1 : 1 }
        let (product, overflow) = result.multipliedReportingOverflow(by: q)
        return overflow ? nil : product
    }
}
