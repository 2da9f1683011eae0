import Tape
import TapeFormat

/// What the report shows of a run's trades table, in two streaming passes over its pnl, entry
/// and exit columns (the first finds the pnl range for the histogram): PnL histogram, win/loss
/// statistics, holding-time histogram, PnL by hour of day and weekday of entry (UTC), and the 10
/// best and worst trades. Memory is fixed whatever the number of trades.
struct TradeAnalysis: Sendable {
    struct Trade: Sendable, Equatable {
        var row: Int
        var entry: Int64?
        var exit: Int64?
        var pnl: Double
    }

    static let pnlBins = 30
    /// Upper bounds (seconds) of the holding-time bins; the last bin is open-ended.
    static let holdingBounds: [(seconds: Int64, label: String)] = [
        (60, "< 1 min"), (300, "1–5 min"), (900, "5–15 min"), (3_600, "15–60 min"), (14_400, "1–4 h"),
        (86_400, "4–24 h"), (259_200, "1–3 d"), (604_800, "3–7 d"), (2_419_200, "1–4 wk"), (7_776_000, "1–3 mo"),
        (Int64.max, "≥ 3 mo"),
    ]
    static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    private(set) var count = 0
    private(set) var wins = 0
    private(set) var losses = 0
    private(set) var grossProfit = 0.0
    private(set) var grossLoss = 0.0
    private(set) var maxWinStreak = 0
    private(set) var maxLossStreak = 0
    private(set) var pnlRange: ClosedRange<Double>?
    private(set) var pnlHistogram = [Int](repeating: 0, count: pnlBins)
    private(set) var holding = [Int](repeating: 0, count: holdingBounds.count)
    private(set) var timedTrades = 0
    /// Σ pnl and trade count per entry hour (0-23 UTC) and weekday (Monday first).
    private(set) var hourPnL = [Double](repeating: 0, count: 24)
    private(set) var hourCount = [Int](repeating: 0, count: 24)
    private(set) var weekdayPnL = [Double](repeating: 0, count: 7)
    private(set) var weekdayCount = [Int](repeating: 0, count: 7)
    /// Best trades, best first, and worst trades, worst first (at most 10 each).
    private(set) var best: [Trade] = []
    private(set) var worst: [Trade] = []

    /// Reads the trades table named by `options` (nil when the run has none or it lacks a numeric
    /// pnl column). `selection` (`--from/--to`) chooses the trades read, else every trade is.
    init?(reader: TapeReader, options: MetricsOptions, selection: ReportSelection? = nil) throws {
        guard let table = reader.tables.first(where: { $0.name == options.tradesTable }),
              let p = table.schema.index(of: options.pnlColumn), [.int64, .float64].contains(table.schema[p].type) else { return nil }
        let timed = [options.entryColumn, options.exitColumn].filter { name in
            table.schema.index(of: name).map { table.schema[$0].type == .timestamp } ?? false
        }
        let columns = [options.pnlColumn] + timed
        // Pass 1: the pnl range.
        var lo = Double.infinity, hi = -Double.infinity
        try Self.forEach(reader, options, columns, selection) { _, pnl, _ in lo = min(lo, pnl); hi = max(hi, pnl) }
        if lo <= hi { pnlRange = lo...hi }
        // Pass 2: everything else.
        let entryIndex = timed.firstIndex(of: options.entryColumn), exitIndex = timed.firstIndex(of: options.exitColumn)
        var streak = 0
        try Self.forEach(reader, options, columns, selection) { row, pnl, times in
            let entry = entryIndex.flatMap { times[$0] }, exit = exitIndex.flatMap { times[$0] }
            add(Trade(row: row, entry: entry, exit: exit, pnl: pnl), streak: &streak)
        }
    }

    private mutating func add(_ t: Trade, streak: inout Int) {
        count += 1
        if t.pnl > 0 {
            wins += 1; grossProfit += t.pnl
            streak = max(streak, 0) + 1; maxWinStreak = max(maxWinStreak, streak)
        } else if t.pnl < 0 {
            losses += 1; grossLoss += t.pnl
            streak = min(streak, 0) - 1; maxLossStreak = max(maxLossStreak, -streak)
        } else {
            streak = 0
        }
        if let r = pnlRange {
            pnlHistogram[histogramBin(t.pnl, lo: r.lowerBound, width: r.upperBound - r.lowerBound, bins: Self.pnlBins)] += 1
        }
        if let entry = t.entry {
            let seconds = Compactor.floorDiv(entry, 1_000_000_000)
            let hour = Int(Compactor.floorDiv(seconds, 3_600) - Compactor.floorDiv(seconds, 86_400) * 24)
            let weekday = Int((Compactor.floorDiv(seconds, 86_400) % 7 + 7 + 3) % 7)   // 1970-01-01 was a Thursday
            hourPnL[hour] += t.pnl; hourCount[hour] += 1
            weekdayPnL[weekday] += t.pnl; weekdayCount[weekday] += 1
            if let exit = t.exit {
                let held = exit >= entry ? (exit &- entry) / 1_000_000_000 : 0
                holding[Self.holdingBounds.firstIndex { held < $0.seconds } ?? Self.holdingBounds.count - 1] += 1
                timedTrades += 1
            }
        }
        Self.keep(t, in: &best, limit: 10) { $0.pnl > $1.pnl }
        Self.keep(t, in: &worst, limit: 10) { $0.pnl < $1.pnl }
    }

    /// Inserts `t` into `list` (ordered by `before`, at most `limit` long), keeping the first of equals.
    private static func keep(_ t: Trade, in list: inout [Trade], limit: Int, before: (Trade, Trade) -> Bool) {
        guard list.count < limit || before(t, list[list.count - 1]) else { return }
        let at = list.firstIndex { before(t, $0) } ?? list.count
        list.insert(t, at: at)
        if list.count > limit { list.removeLast() }
    }

    /// Calls `body(row, pnl, times)` for every row with a finite pnl; `times[k]` is the k-th
    /// timestamp column's value (nil when null).
    private static func forEach(_ reader: TapeReader, _ options: MetricsOptions, _ columns: [String], _ selection: ReportSelection?,
                                _ body: (Int, Double, [Int64?]) -> Void) throws {
        // A period (--from/--to) skips the trades outside it here, so that rows keep their numbers.
        let entry = try reader.table(options.tradesTable)
        let timeColumn = try selection?.timeColumn(of: entry)
        let extra = timeColumn.map { columns.contains($0) ? [] : [$0] } ?? []
        let timeIndex = timeColumn.flatMap { (columns + extra).firstIndex(of: $0) }
        let scan = try reader.scan(options.tradesTable, columns: columns + extra)
        var row = 0
        while let batch = try scan.nextBatch() {
            guard let pnl = NumericColumn(batch.columns[0]) else { row += batch.count; continue }
            let times = batch.columns.dropFirst().map { NumericColumn($0, timestampsOnly: true) }
            let period = timeIndex.map { NumericColumn(batch.columns[$0], timestampsOnly: true) }
            for i in 0..<batch.count {
                defer { row += 1 }
                guard let v = pnl[i], v.isFinite else { continue }
                if let selection, let period {
                    guard let ts = period?.int(i), selection.contains(ts) else { continue }
                }
                body(row, v, times.map { $0?.int(i) })
            }
        }
    }
}
