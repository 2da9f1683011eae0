import Foundation
import Tape
import TapeFormat

/// The tear sheet of one run: header, stored metrics with their conventions, equity (linear/log)
/// over its underwater curve, the deepest drawdown periods, monthly returns, the distribution of
/// daily returns, rolling Sharpe and volatility, trades, and exposure. Reads the footer, then
/// streams the equity table once and the trades table twice.
struct SingleRunReport {
    let record: RunRecord
    let analysis: RunAnalysis
    let trades: TradeAnalysis?
    let metricsOptions: MetricsOptions
    let options: ReportOptions
    let start: Int64, end: Int64

    let returns: DailyReturns
    let statistics: DailyStatistics
    let monthly: MonthlyReturns
    let drawdowns: DrawdownPeriods
    let rolling: RollingStatistics

    init(record: RunRecord, options: ReportOptions) throws {
        self.record = record
        let reader = try TapeReader(path: record.path)
        metricsOptions = try MetricsOptions().applying(metadata: reader.metadata)
        // Rolling statistics annualise daily returns like the run's own metrics (e.g. 365 for a
        // market open every day) when those are daily too.
        var options = options
        if metricsOptions.returns == .daily { options.periodsPerYear = metricsOptions.periodsPerYear }
        self.options = options
        let table = try RunAnalysis.equityTable(reader, metricsOptions)
        let range = TimestampRange(of: table)
        let (lo, hi) = options.selection?.period(range?.lowerBound, range?.upperBound) ?? (range?.lowerBound, range?.upperBound)
        start = lo ?? 0
        end = hi ?? 0
        analysis = try RunAnalysis(reader: reader, options: metricsOptions, columns: ReportCharts.plotColumns, start: start, end: end, normalize: false,
                                   selection: options.selection)
        trades = try TradeAnalysis(reader: reader, options: metricsOptions, selection: options.selection)
        returns = analysis.daily.returns
        statistics = DailyStatistics(returns.values)
        monthly = MonthlyReturns(returns)
        drawdowns = DrawdownPeriods(analysis.daily)
        rolling = RollingStatistics(returns, window: options.rollingWindow, periodsPerYear: options.periodsPerYear)
    }

    var numbers: ReportNumbers {
        ReportNumbers(run: record.run, returns: returns, statistics: statistics, monthly: monthly, drawdowns: drawdowns,
                      rolling: rolling, window: options.rollingWindow, periodsPerYear: options.periodsPerYear)
    }

    func render(into page: inout ReportPage) {
        page.section("header", "Run", header)
        page.section("metrics", "Metrics", metricsSection)
        page.section("equity", "Equity and drawdown", equitySection)
        page.section("drawdowns", "Deepest drawdowns", drawdownSection)
        page.section("monthly", "Monthly returns", monthlySection)
        page.section("distribution", "Daily returns", distributionSection)
        page.section("rolling", "Rolling Sharpe and volatility", rollingSection)
        page.section("trades", "Trades", tradesSection)
        page.section("exposure", "Exposure", exposureSection)
    }

    // MARK: Sections

    var header: String {
        let m = record.metadata
        var rows: [(String, String)] = [("run", record.run)]
        for key in ["strategy", "symbol", "params"] { if let v = m[key] { rows.append((key, v)) } }
        let others = m.keys.filter { !["run_id", "run", "name", "strategy", "symbol", "params"].contains($0) && !$0.hasPrefix("tape.") }.sorted()
        for key in others { rows.append((key, m[key] ?? "")) }
        if let first = analysis.buckets.buckets.first(where: { $0 != nil }) ?? nil, let last = analysis.buckets.buckets.last(where: { $0 != nil }) ?? nil {
            rows.append(("period", "\(ReportFormat.minute(first.first.ts)) – \(ReportFormat.minute(last.last.ts)) UTC"))
        }
        rows.append(("bars", String(analysis.buckets.bars)))
        rows.append(("days with bars", String(analysis.daily.days.count)))
        let status = RunStatus(metadata: m)
        let reason = (m["tape.cancelled_reason"] ?? m["tape.incomplete_reason"]).map { " (\($0))" } ?? ""
        rows.append(("status", status.description + reason))
        rows.append(("file", record.path))
        return ReportFormat.keyValues(rows, columns: 2) + "<p class=\"note\">Status: complete, cancelled (tape.cancelled), incomplete (tape.incomplete) or recovered (tape recover).</p>"
    }

    var metricsSection: String {
        let o = metricsOptions
        let rows = record.metrics.entries.map { ($0.name, ReportFormat.metric($0.name, $0.value)) }
        let returnsText = o.returns == .daily
            ? "daily returns (last equity of each UTC day with bars)"
            : "per-bar returns"
        let origin = options.selection != nil ? "Computed now over the selected rows (--from/--to/--where), not the whole run"
            : record.metricsStored ? "Stored at close in the file's footer" : "Not stored in the file: computed now from its tables"
        var s = "<p class=\"note\">\(origin). Conventions: \(returnsText), annualised with \(ValueStyle.number(decimals: 0).format(o.periodsPerYear)) periods per year, risk-free rate \(ValueStyle.percent.format(o.riskFreeRate)) a year; max_drawdown is measured on those period closes, bar_max_drawdown on every bar; cagr, sharpe and sortino follow empyrical (README \"Run metrics\").</p>"
        s += rows.isEmpty ? "<p class=\"note\">No metrics: the run has no equity bars or trades.</p>" : ReportFormat.keyValues(rows, cssClass: "kv metrics", columns: 3)
        return s
    }

    var equitySection: String {
        guard analysis.buckets.bars > 0 else { return "<p class=\"note\">No equity bars.</p>" }
        let curve = TimeSeries(name: "equity", points: analysis.buckets.equityPoints, color: 0)
        let positive = (analysis.buckets.equityRange?.lowerBound ?? 0) > 0
        var s = "<div class=\"equity-panel\">"
        if positive { s += "<label class=\"scale-toggle\"><input type=\"checkbox\" class=\"logscale\"> log scale</label>" }
        s += ReportCharts.lines([curve], start: start, end: end, height: 300, style: .number(decimals: 2),
                                           cssClass: "equity", label: "equity curve", logScale: positive)
        s += "</div>"
        s += ReportCharts.underwater([("drawdown", analysis.buckets, 0)], start: start, end: end, height: 150, label: "drawdown (underwater)", colorByRun: false)
        s += "<p class=\"note\">Each pixel column keeps the first, last, lowest and highest equity of its bars, so one-bar spikes show (\(analysis.buckets.bars) bars in \(ReportCharts.plotColumns) columns). Underwater: equity / running peak − 1 per bar, lowest and highest in each column.</p>"
        return s
    }

    var drawdownSection: String {
        let top = drawdowns.deepest(5)
        guard !top.isEmpty else { return "<p class=\"note\">No drawdown: no daily close below an earlier one.</p>" }
        var s = "<table class=\"drawdowns\"><thead><tr><th>#</th><th>start</th><th>trough</th><th>recovery</th><th>depth</th><th>length (days)</th></tr></thead><tbody>"
        for (i, p) in top.enumerated() {
            s += "<tr><td>\(i + 1)</td><td>\(ReportFormat.day(p.start))</td><td>\(ReportFormat.day(p.valley))</td><td>\(p.recovery.map(ReportFormat.day) ?? "not recovered")</td><td class=\"neg\">\(ValueStyle.percent.format(p.depth))</td><td>\(p.days)</td></tr>"
        }
        s += "</tbody></table><p class=\"note\">On daily closes (\(drawdowns.periods.count) periods in all). Start: first day below the previous peak; trough: the lowest close; recovery: first close back at the peak; length: start to last day under water, calendar days (quantstats' drawdown_details).</p>"
        return s
    }

    var monthlySection: String {
        guard !monthly.years.isEmpty else { return "<p class=\"note\">Fewer than two days with bars: no daily returns.</p>" }
        let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let rows = monthly.years.map { String($0.year) }
        let cells = monthly.years.map { $0.months + [$0.total] }
        let tips = monthly.years.map { y in
            (0..<13).map { m in "\(y.year) \(m < 12 ? names[m] : "year"): \(m < 12 ? (y.months[m].map { ValueStyle.percent.format($0) } ?? "no returns") : ValueStyle.percent.format(y.total))" }
        }
        return ReportCharts.heatmap(rows: rows, columns: names + ["Year"], cells: cells, tips: tips, style: .percent, diverging: true,
                                    showText: true, label: "monthly returns", cssClass: "monthly")
            + "<p class=\"note\">Compounded daily returns per calendar month (UTC) and per year; × marks a month without returns.</p>"
    }

    var distributionSection: String {
        guard let lo = statistics.min, let hi = statistics.max else { return "<p class=\"note\">No daily returns.</p>" }
        let bins = 40
        var counts = [Double](repeating: 0, count: bins)
        let width = hi - lo
        for r in returns.values {
            counts[histogramBin(r, lo: lo, width: width, bins: bins)] += 1
        }
        let labels = (0..<bins).map { ValueStyle.percent.format(lo + width * (Double($0) + 0.5) / Double(bins)) }
        let tips = (0..<bins).map { "\(ValueStyle.percent.format(lo + width * Double($0) / Double(bins))) to \(ValueStyle.percent.format(lo + width * Double($0 + 1) / Double(bins))): \(Int(counts[$0])) days" }
        var s = ReportCharts.bars(labels, counts, tips: tips, height: 220, style: .number(decimals: 0), signed: false,
                                  label: "histogram of daily returns", cssClass: "histogram", labelEvery: 8)
        let st = statistics
        let q = st.quantiles
        s += ReportFormat.keyValues([
            ("days", String(st.count)), ("mean", ValueStyle.percent.format(st.mean)), ("standard deviation", ValueStyle.percent.format(st.std)),
            ("skewness", ValueStyle.number(decimals: 4).format(st.skew)), ("excess kurtosis", ValueStyle.number(decimals: 4).format(st.kurtosis)),
            ("worst day", ValueStyle.percent.format(st.min)), ("best day", ValueStyle.percent.format(st.max)),
            ("5% / 25% / 50% / 75% / 95%", q.map { ValueStyle.percent.format($0) }.joined(separator: " / ")),
            ("positive days", ValueStyle.percent.format(st.positiveShare)),
        ], cssClass: "kv distribution-stats")
        s += "<p class=\"note\">Daily returns: last equity of each UTC day with bars over the previous one. Sample standard deviation, bias-corrected skewness and excess kurtosis (pandas), linear-interpolation quantiles.</p>"
        return s
    }

    var rollingSection: String {
        guard !rolling.days.isEmpty else {
            return "<p class=\"note\">Fewer than \(options.rollingWindow) daily returns (\(returns.count)): no rolling window (set --rolling-window).</p>"
        }
        let ns = DailyCloses.nanosPerDay
        let sharpe = TimeSeries(name: "Sharpe", points: zip(rolling.days, rolling.sharpe).compactMap { d, v in v.map { (d * ns, $0) } }, color: 0)
        let vol = TimeSeries(name: "volatility", points: zip(rolling.days, rolling.volatility).map { ($0 * ns, $1) }, color: 3)
        return "<h3>Rolling Sharpe ratio</h3>" + ReportCharts.lines([sharpe], start: start, end: end, height: 200, style: .number(decimals: 2), cssClass: "rolling-sharpe", label: "rolling Sharpe", zeroLine: true)
            + "<h3>Rolling volatility</h3>" + ReportCharts.lines([vol], start: start, end: end, height: 200, style: .percent, cssClass: "rolling-volatility", label: "rolling volatility", zeroLine: true)
            + "<p class=\"note\">Window: \(options.rollingWindow) daily returns (--rolling-window); annualised with √\(ValueStyle.number(decimals: 0).format(options.periodsPerYear)); risk-free 0 (quantstats' rolling_sharpe and rolling_volatility).</p>"
    }

    var tradesSection: String {
        guard let t = trades, t.count > 0 else {
            return "<p class=\"note\">No trades: the run has no table '\(html(metricsOptions.tradesTable))' with a numeric column '\(html(metricsOptions.pnlColumn))' (see tape.metrics.trades_table / pnl_column), or it is empty.</p>"
        }
        var s = "<div class=\"grid2\"><div><h3>Win/loss</h3>"
        let n = Double(t.count)
        s += ReportFormat.keyValues([
            ("trades", String(t.count)), ("winning", "\(t.wins) (\(ValueStyle.percent.format(Double(t.wins) / n)))"),
            ("losing", "\(t.losses) (\(ValueStyle.percent.format(Double(t.losses) / n)))"),
            ("gross profit", ValueStyle.number(decimals: 2).format(t.grossProfit)), ("gross loss", ValueStyle.number(decimals: 2).format(t.grossLoss)),
            ("net", ValueStyle.number(decimals: 2).format(t.grossProfit + t.grossLoss)),
            ("average win", t.wins > 0 ? ValueStyle.number(decimals: 2).format(t.grossProfit / Double(t.wins)) : "–"),
            ("average loss", t.losses > 0 ? ValueStyle.number(decimals: 2).format(t.grossLoss / Double(t.losses)) : "–"),
            ("profit factor", t.grossLoss < 0 ? ValueStyle.number(decimals: 3).format(t.grossProfit / -t.grossLoss) : "–"),
            ("longest winning / losing streak", "\(t.maxWinStreak) / \(t.maxLossStreak)"),
        ], cssClass: "kv trade-stats")
        s += "</div><div><h3>PnL distribution</h3>"
        if let r = t.pnlRange {
            let bins = TradeAnalysis.pnlBins, w = r.upperBound - r.lowerBound
            let labels = (0..<bins).map { ValueStyle.number(decimals: 0).format(r.lowerBound + w * (Double($0) + 0.5) / Double(bins)) }
            let tips = (0..<bins).map { "\(ValueStyle.number(decimals: 2).format(r.lowerBound + w * Double($0) / Double(bins))) to \(ValueStyle.number(decimals: 2).format(r.lowerBound + w * Double($0 + 1) / Double(bins))): \(t.pnlHistogram[$0]) trades" }
            s += ReportCharts.bars(labels, t.pnlHistogram.map(Double.init), tips: tips, height: 230, style: .number(decimals: 0), signed: false,
                                   label: "PnL histogram", cssClass: "pnl-histogram", chartWidth: 470, labelEvery: 10)
        }
        s += "</div></div>"
        if t.timedTrades > 0 {
            let labels = TradeAnalysis.holdingBounds.map(\.label)
            s += "<h3>Holding time</h3>" + ReportCharts.bars(labels, t.holding.map(Double.init), tips: zip(labels, t.holding).map { "\($0): \($1) trades" },
                                                           height: 190, style: .number(decimals: 0), signed: false, label: "holding-time histogram", cssClass: "holding")
            let hours = (0..<24).map { String(format: "%02d", $0) }
            s += "<div class=\"grid2\"><div><h3>PnL by hour of entry (UTC)</h3>"
            s += ReportCharts.bars(hours, t.hourPnL, tips: (0..<24).map { "\(hours[$0]):00 UTC: \(ValueStyle.number(decimals: 2).format(t.hourPnL[$0])) over \(t.hourCount[$0]) trades" },
                                   height: 190, style: .number(decimals: 0), signed: true, label: "PnL by hour of day", cssClass: "pnl-hour", chartWidth: 470, labelEvery: 3)
            s += "</div><div><h3>PnL by weekday of entry (UTC)</h3>"
            s += ReportCharts.bars(TradeAnalysis.weekdays, t.weekdayPnL, tips: (0..<7).map { "\(TradeAnalysis.weekdays[$0]): \(ValueStyle.number(decimals: 2).format(t.weekdayPnL[$0])) over \(t.weekdayCount[$0]) trades" },
                                   height: 190, style: .number(decimals: 0), signed: true, label: "PnL by weekday", cssClass: "pnl-weekday", chartWidth: 470)
            s += "</div></div>"
        } else {
            s += "<p class=\"note\">No entry/exit timestamps ('\(html(metricsOptions.entryColumn))', '\(html(metricsOptions.exitColumn))'): no holding times or PnL by hour and weekday.</p>"
        }
        s += "<div class=\"grid2\"><div><h3>Best 10 trades</h3>\(tradeTable(t.best, cssClass: "best-trades"))</div><div><h3>Worst 10 trades</h3>\(tradeTable(t.worst, cssClass: "worst-trades"))</div></div>"
        return s
    }

    func tradeTable(_ list: [TradeAnalysis.Trade], cssClass: String) -> String {
        var s = "<table class=\"\(cssClass)\"><thead><tr><th>row</th><th>entry</th><th>held</th><th>PnL</th></tr></thead><tbody>"
        for t in list {
            let held = t.entry.flatMap { e in t.exit.map { ReportFormat.duration(max(0, $0 &- e)) } } ?? "–"
            s += "<tr><td>\(t.row)</td><td>\(t.entry.map(ReportFormat.minute) ?? "–")</td><td>\(held)</td><td\(ReportFormat.signClass(t.pnl))>\(ValueStyle.number(decimals: 2).format(t.pnl))</td></tr>"
        }
        return s + "</tbody></table>"
    }

    var exposureSection: String {
        guard let e = analysis.exposure else {
            return "<p class=\"note\">No exposure curve: the equity table has no position column '\(html(metricsOptions.positionColumn))' (name one with metadata tape.metrics.position_column).\(record.metrics["exposure"].map { " Stored exposure metric (time in trades): \(ReportFormat.metric("exposure", $0))." } ?? "")</p>"
        }
        let points: [(ts: Int64, v: Double)] = analysis.buckets.buckets.indices.compactMap { c in
            guard let b = analysis.buckets.buckets[c], let share = e.share(c) else { return nil }
            return (b.last.ts, share)
        }
        return ReportCharts.lines([TimeSeries(name: "in market", points: points, color: 2)], start: start, end: end, height: 160, style: .percent,
                                  cssClass: "exposure", label: "exposure over time", zeroLine: true)
            + "<p class=\"note\">Share of bars with a non-zero '\(html(metricsOptions.positionColumn))' per pixel column; over the whole run \(ValueStyle.percent.format(e.overall)).</p>"
    }
}
