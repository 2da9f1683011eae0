extension RunMetrics {
    /// Whether these stored metrics were computed under the conventions before calendar CAGR (no
    /// `periods_per_year` entry, which every writer since stores beside `cagr`): `cagr`
    /// compounded over the counted periods / periods per year.
    public var hasLegacyCAGR: Bool {
        self["cagr"] != nil && self["periods_per_year"] == nil
    }

    /// These metrics with `cagr` under the current convention (README "Run metrics") when they
    /// are legacy ones, from what they store, without reading any row: over calendar time from
    /// the stored `start`/`end` and `initial_equity`/`final_equity` (removed when those do not give
    /// one), and `calmar` = cagr / |max_drawdown| again. Other metrics are kept as they are.
    /// Applied when a metrics section is read, beside `upgradingExpectancy`.
    public func upgradingLegacyCAGR() -> RunMetrics {
        guard hasLegacyCAGR else { return self }
        var cagr: Double?
        if case .timestamp(let start)? = self["start"], case .timestamp(let end)? = self["end"],
           let initial = number("initial_equity"), let final = number("final_equity") {
            cagr = MetricsAccumulator.calendarCAGR(first: (start, initial), last: (end, final))
        }
        let drawdown = number("max_drawdown")
        let calmar = cagr.flatMap { c in drawdown.flatMap { $0 < 0 ? c / abs($0) : nil } }
        var out = RunMetrics()
        for (name, value) in entries {
            switch name {
            case "cagr": out.add("cagr", cagr.map { .double($0) })
            case "calmar": out.add("calmar", calmar.map { .double($0) })
            default: out.add(name, value)
            }
        }
        if out["calmar"] == nil, let calmar { out.add("calmar", .double(calmar)) }
        return out
    }
}
