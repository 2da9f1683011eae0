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
        try run(into: writer, resumingFrom: nil, progress: progress)
    }

    /// Runs bars `0..<parameters.bars` into `writer`, continuing a killed run when `state` comes
    /// from `TapeWriter.resume` on that run's file (with the same `parameters`).
    ///
    /// The strategy's state (rolling windows, cash, position, open entry, last cross, random
    /// generator) is rebuilt by simulating every bar again from bar 0, which is pure arithmetic;
    /// a row is written only if its index in its table is at or past the table's durable row count
    /// (trades are indexed by trade number), because each table reached the disk up to a different
    /// point. The finished file then holds exactly the rows of an uninterrupted run. Metadata is set
    /// again (a recovered footer lost it). Throws if `state` cannot come from these parameters.
    public func run(into writer: TapeWriter, resumingFrom state: ResumeState?, progress: ((Progress) -> Void)? = nil) throws {
        let p = parameters
        try writer.setMetadata("strategy", "sma_cross")
        try writer.setMetadata("symbol", p.symbol)
        try writer.setMetadata("params", "fast=\(p.fast),slow=\(p.slow),fee=\(p.feeRate)")
        try writer.setMetadata("seed", String(p.seed))
        writer.expectBars(p.bars)
        let equity = try writer.declareTable("equity", columns: Self.equitySchema)
        let decisions = try writer.declareTable("decisions", columns: Self.decisionSchema)
        let trades = try writer.declareTable("trades", columns: Self.tradeSchema)
        // Rows already in the file per table: those of the resumed state, which the writer carries.
        let equityDone = state == nil ? 0 : equity.rowCount
        let decisionsDone = state == nil ? 0 : decisions.rowCount, tradesDone = state == nil ? 0 : trades.rowCount
        if let state {
            for t in [equity, decisions, trades] where state.rowCount(t.name) != t.rowCount {
                throw TapeError.invalidArgument("resume state has \(state.rowCount(t.name)) rows of '\(t.name)' but the writer has \(t.rowCount)")
            }
        }
        guard equityDone <= p.bars, decisionsDone <= p.bars else {
            throw TapeError.invalidArgument("the file already holds \(max(equityDone, decisionsDone)) bars, more than --bars \(p.bars)")
        }
        if equityDone > 0, state?.lastTimestamp("equity").map({ $0 != p.start + Int64(equityDone - 1) * 60_000_000_000 }) == true {
            throw TapeError.invalidArgument("the file's last equity timestamp does not match these demo parameters")
        }
        var tradeIndex = 0

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
                        if tradeIndex >= tradesDone {
                            try trades.appendRow { r in
                                try r.set(0, timestamp: e.ts); try r.set(1, timestamp: ts)
                                try r.set(2, string: p.symbol); try r.set(3, string: "long")
                                try r.set(4, int: position); try r.set(5, double: e.price); try r.set(6, double: price)
                                try r.set(7, double: roundCents(pnl)); try r.set(8, double: roundCents(e.fee + fee))
                            }
                        }
                        tradeIndex += 1
                        position = 0; entry = nil
                        action = "sell"; reason = "fast crossed below slow"
                    }
                }
                lastFastAbove = above
            }
            if bar >= equityDone {
                let equityValue = roundCents(cash + Double(position) * price)
                try equity.appendRow { r in
                    try r.set(0, timestamp: ts); try r.set(1, double: equityValue); try r.set(2, double: roundCents(cash))
                    try r.set(3, int: position); try r.set(4, double: price)
                }
            }
            if bar >= decisionsDone {
                try decisions.appendRow { r in
                    try r.set(0, timestamp: ts); try r.set(1, string: p.symbol); try r.set(2, string: action)
                    if let fastMA { try r.set(3, double: fastMA) }
                    if let slowMA { try r.set(4, double: slowMA) }
                    if let signal { try r.set(5, double: signal) }
                    try r.set(6, bool: blocked)
                    if let reason { try r.set(7, string: reason) }
                }
            }
            if let progress, bar % 8192 == 0 { progress(writer.progress) }
        }
        guard tradeIndex >= tradesDone else {
            throw TapeError.invalidArgument("the file holds \(tradesDone) trades but these demo parameters make \(tradeIndex)")
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
