import Tape

/// A deterministic moving-average crossover backtest over a synthetic 1-minute price series,
/// streaming its equity curve, decisions and trades into a `TapeWriter`.
///
/// Everything is incremental: rolling sums for the averages (no re-slicing of history), one row
/// per bar written as it happens, so memory stays flat however many bars run. The same
/// `Parameters` always produce the same bytes of data.
public struct DemoBacktest {
    public struct Parameters: Sendable, Equatable {
        public var bars: Int = 525_600                 // one year of 1-minute bars
        public var start: Int64 = 1_704_067_200_000_000_000   // 2024-01-01T00:00:00Z
        public var seed: UInt64 = 42
        public var fast = 30
        public var slow = 240
        public var initialCash = 100_000.0
        public var feeRate = 0.0005
        public var symbol = "SYN"
        public init() {}
    }

    public let parameters: Parameters

    public init(_ parameters: Parameters = Parameters()) {
        self.parameters = parameters
    }

    public static let equitySchema: [ColumnDef] = [
        ColumnDef("ts", .timestamp, nullable: false), ColumnDef("equity", .float64, nullable: false),
        ColumnDef("cash", .float64, nullable: false), ColumnDef("position", .int64, nullable: false),
        ColumnDef("price", .float64, nullable: false),
    ]
    public static let decisionSchema: [ColumnDef] = [
        ColumnDef("ts", .timestamp, nullable: false), ColumnDef("symbol", .string, nullable: false),
        ColumnDef("action", .string, nullable: false), ColumnDef("fast_ma", .float64),
        ColumnDef("slow_ma", .float64), ColumnDef("signal", .float64), ColumnDef("blocked", .bool, nullable: false),
        ColumnDef("reason", .string),
    ]
    public static let tradeSchema: [ColumnDef] = [
        ColumnDef("entry_ts", .timestamp, nullable: false), ColumnDef("exit_ts", .timestamp, nullable: false),
        ColumnDef("symbol", .string, nullable: false), ColumnDef("side", .string, nullable: false),
        ColumnDef("qty", .int64, nullable: false), ColumnDef("entry_price", .float64, nullable: false),
        ColumnDef("exit_price", .float64, nullable: false), ColumnDef("pnl", .float64, nullable: false),
        ColumnDef("fees", .float64, nullable: false),
    ]

    /// Runs bars `0..<parameters.bars` into `writer` (which it does not close).
    public func run(into writer: TapeWriter, progress: ((Progress) -> Void)? = nil) throws {
        let p = parameters
        writer.setMetadata("strategy", "sma_cross")
        writer.setMetadata("symbol", p.symbol)
        writer.setMetadata("params", "fast=\(p.fast),slow=\(p.slow),fee=\(p.feeRate)")
        writer.setMetadata("seed", String(p.seed))
        writer.expectBars(p.bars)
        let equity = try writer.declareTable("equity", columns: Self.equitySchema)
        let decisions = try writer.declareTable("decisions", columns: Self.decisionSchema)
        let trades = try writer.declareTable("trades", columns: Self.tradeSchema)

        var rng = DemoRandom(seed: p.seed)
        var cents: Int64 = 10_000                      // price 100.00
        var window = [Int64](repeating: 0, count: p.slow)
        var fastSum: Int64 = 0, slowSum: Int64 = 0
        var cash = p.initialCash
        var position: Int64 = 0
        var entry: (ts: Int64, price: Double, fee: Double)? = nil
        let minute: Int64 = 60_000_000_000
        var lastFastAbove: Bool? = nil

        for bar in 0..<p.bars {
            let ts = p.start + Int64(bar) * minute
            // Random walk in cents with mild volatility clustering; floor at 1.00.
            let step = Int64(rng.next() % 21) - 10 + (rng.next() % 97 == 0 ? Int64(rng.next() % 101) - 50 : 0)
            cents = max(100, cents + step)
            let price = Double(cents) / 100

            let slot = bar % p.slow
            slowSum += cents - window[slot]
            fastSum += cents - (bar >= p.fast ? window[(bar - p.fast) % p.slow] : 0)
            window[slot] = cents

            var action = "hold", reason: String? = nil, blocked = false
            var fastMA: Double? = nil, slowMA: Double? = nil, signal: Double? = nil
            if bar + 1 >= p.slow {
                let f = Double(fastSum) / Double(p.fast) / 100, s = Double(slowSum) / Double(p.slow) / 100
                fastMA = f; slowMA = s; signal = (f - s) / s * 10_000
                let above = f > s
                if let was = lastFastAbove, was != above {
                    if above && position == 0 {
                        let qty = Int64((cash * 0.95) / price)
                        if qty > 0 {
                            let fee = Double(qty) * price * p.feeRate
                            cash -= Double(qty) * price + fee
                            position = qty
                            entry = (ts, price, fee)
                            action = "buy"; reason = "fast crossed above slow"
                        } else {
                            blocked = true; reason = "insufficient cash"
                        }
                    } else if !above && position > 0, let e = entry {
                        let fee = Double(position) * price * p.feeRate
                        cash += Double(position) * price - fee
                        let pnl = Double(position) * (price - e.price) - e.fee - fee
                        try trades.appendRow { r in
                            try r.set(0, timestamp: e.ts); try r.set(1, timestamp: ts)
                            try r.set(2, string: p.symbol); try r.set(3, string: "long")
                            try r.set(4, int: position); try r.set(5, double: e.price); try r.set(6, double: price)
                            try r.set(7, double: roundCents(pnl)); try r.set(8, double: roundCents(e.fee + fee))
                        }
                        position = 0; entry = nil
                        action = "sell"; reason = "fast crossed below slow"
                    }
                }
                lastFastAbove = above
            }
            let equityValue = roundCents(cash + Double(position) * price)
            try equity.appendRow { r in
                try r.set(0, timestamp: ts); try r.set(1, double: equityValue); try r.set(2, double: roundCents(cash))
                try r.set(3, int: position); try r.set(4, double: price)
            }
            try decisions.appendRow { r in
                try r.set(0, timestamp: ts); try r.set(1, string: p.symbol); try r.set(2, string: action)
                if let fastMA { try r.set(3, double: fastMA) }
                if let slowMA { try r.set(4, double: slowMA) }
                if let signal { try r.set(5, double: signal) }
                try r.set(6, bool: blocked)
                if let reason { try r.set(7, string: reason) }
            }
            if let progress, bar % 8192 == 0 { progress(writer.progress) }
        }
    }
}

@inline(__always) func roundCents(_ x: Double) -> Double { (x * 100).rounded() / 100 }

/// SplitMix64: tiny, fast, and identical on every platform.
struct DemoRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
