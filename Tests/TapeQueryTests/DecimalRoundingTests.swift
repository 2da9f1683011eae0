import Foundation
import Testing
@testable import TapeQuery

/// `round(x, d)` against an oracle that rounds the exact decimal expansion of x (glibc prints every
/// digit of a double with `%.1100f`) half away from zero, digit by digit.
struct DecimalRoundingTests {
    /// x rounded half away from zero to `digits` places (0...30), from its exact decimal digits.
    static func oracle(_ x: Double, _ digits: Int) -> Double {
        let exact = String(format: "%.1100f", x.magnitude)
        let parts = exact.split(separator: ".")
        var kept = Array(parts[0] + parts[1].prefix(digits))
        let next = parts[1].dropFirst(digits).first ?? "0"
        if next >= "5" {
            var i = kept.count - 1
            while i >= 0 {
                if kept[i] == "9" { kept[i] = "0"; i -= 1 } else { kept[i] = Character(String(kept[i].wholeNumberValue! + 1)); break }
            }
            if i < 0 { kept.insert("1", at: 0) }
        }
        let intDigits = kept.count - digits
        let text = String(kept[..<intDigits]) + "." + String(kept[intDigits...])
        return Double(signOf: x, magnitudeOf: Double(text)!)
    }

    @Test(arguments: [(737.55, 1), (-737.55, 1), (2.5, 0), (-2.5, 0), (1.005, 2), (0.125, 2), (2.675, 2),
                      (0.45, 1), (0.35, 1), (0.5, 0), (-0.5, 0), (1.5, 0), (4503599627370497.0, 0), (1e16 + 2, 1)])
    func knownTies(_ x: Double, _ digits: Int) {
        #expect(DecimalRounding.round(x, digits: Int64(digits)) == Self.oracle(x, digits))
    }

    @Test func randomValuesMatchTheExactOracle() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let digits = Int.random(in: 0...12, using: &rng)
            // Values on a decimal grid one place finer than the rounding: many near-ties.
            let grid = Double(Int64.random(in: -10_000_000...10_000_000, using: &rng)) / pow(10, Double(digits + 1))
            let x = Bool.random(using: &rng) ? grid : Double.random(in: -1e6...1e6, using: &rng)
            let got = DecimalRounding.round(x, digits: Int64(digits))
            #expect(got == Self.oracle(x, digits), "round(\(x), \(digits)) = \(got)")
        }
    }

    @Test func negativeDigitsAndExtremes() {
        #expect(DecimalRounding.round(1234.5, digits: -1) == 1230)
        #expect(DecimalRounding.round(1250.0, digits: -2) == 1300)
        #expect(DecimalRounding.round(-1250.0, digits: -2) == -1300)
        #expect(DecimalRounding.round(123.456, digits: -400) == 0)
        #expect(DecimalRounding.round(123.456, digits: 400) == 123.456)
        #expect(DecimalRounding.round(.leastNonzeroMagnitude, digits: 400) == .leastNonzeroMagnitude)
        #expect(DecimalRounding.round(.greatestFiniteMagnitude, digits: 2) == .greatestFiniteMagnitude)
        #expect(DecimalRounding.round(-0.4, digits: 0).sign == .minus)
        #expect(DecimalRounding.round(Double.nan, digits: 1).isNaN)
        #expect(DecimalRounding.round(-Double.infinity, digits: 1) == -.infinity)
    }

    @Test func integers() {
        #expect(DecimalRounding.round(Int64(1250), digits: -2) == 1300)
        #expect(DecimalRounding.round(Int64(-1250), digits: -2) == -1300)
        #expect(DecimalRounding.round(Int64(1249), digits: -2) == 1200)
        #expect(DecimalRounding.round(Int64(1250), digits: 2) == 1250)
        #expect(DecimalRounding.round(Int64.max, digits: -1) == nil)
        #expect(DecimalRounding.round(Int64.min, digits: -19) == nil)
        #expect(DecimalRounding.round(Int64(4_999_999_999_999_999_999), digits: -19) == 0)
        #expect(DecimalRounding.round(Int64.max, digits: -30) == 0)
    }
}
