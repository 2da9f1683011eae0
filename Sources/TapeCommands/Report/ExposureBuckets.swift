/// Share of bars in the market per pixel column, from a position column streamed bar by bar:
/// memory is two counters per column whatever the number of bars.
struct ExposureBuckets: Sendable {
    private(set) var bars: [Int]
    private(set) var inMarket: [Int]

    init(columns: Int) {
        bars = Array(repeating: 0, count: max(1, columns))
        inMarket = bars
    }

    mutating func add(column: Int, position: Double) {
        bars[column] += 1
        if position != 0 { inMarket[column] += 1 }
    }

    /// Share of bars with a non-zero position in `column`, nil for a column without bars.
    func share(_ column: Int) -> Double? { bars[column] > 0 ? Double(inMarket[column]) / Double(bars[column]) : nil }

    /// Share over all bars, nil without bars.
    var overall: Double? {
        let n = bars.reduce(0, +)
        return n > 0 ? Double(inMarket.reduce(0, +)) / Double(n) : nil
    }
}
