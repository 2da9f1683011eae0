#!/usr/bin/env python3
"""Expected run metrics from empyrical for Tape's metrics tests.

Writes Tests/TapeTests/Fixtures/empyrical_metrics.json: for several fixed equity curves (flat,
all-up, drawdown-heavy, a zero-return day, multi-day intraday bars, weekend gaps, per-bar returns,
365-day factor with a risk-free rate) the curve, the options, and empyrical's values. Tape's
MetricsTests read it; they do not need empyrical.

Regenerate (outside the repository's venvs; quantstats is optional: when installed, the script
also checks that it agrees with empyrical where their conventions coincide):
    python3 -m venv /tmp/emp && /tmp/emp/bin/pip install empyrical-reloaded pandas quantstats
    /tmp/emp/bin/python tools/metrics/gen_empyrical_fixture.py
"""
import json
import math
import os

import numpy as np
import pandas as pd
import empyrical as ep

DAY = 86_400 * 10**9
HOUR = 3_600 * 10**9
START = 1_704_067_200 * 10**9  # 2024-01-01T00:00:00Z


def daily(values, start=START):
    return [start + i * DAY for i in range(len(values))], list(values)


def fx_sunday_bars():
    """Two years of daily FX bars Sunday to Friday (six a week, ~313 a year) growing 12.5% a
    calendar year: counted periods / 252 would read ~10%; calendar time reads 12.5%."""
    ts, t = [], START - 1 * DAY  # 2023-12-31 is a Sunday
    while t <= START - DAY + 2 * 365 * DAY:
        if ((t // DAY) + 4) % 7 != 6:  # 1970-01-01 was a Thursday; skip Saturdays
            ts.append(t)
        t += DAY
    eq = [100.0 * 1.125 ** ((x - ts[0]) / YEAR) for x in ts]
    return ts, eq


def cases():
    rng = np.random.RandomState(7)
    yield "flat", *daily([100_000.0] * 10), {}
    ups = 100.0 * np.cumprod(1 + rng.uniform(0.001, 0.02, 30))
    yield "all_up", *daily(np.concatenate([[100.0], ups])), {}
    walk = 1000.0 * np.cumprod(1 + rng.normal(0.0005, 0.02, 300))
    walk[120:160] *= np.linspace(1.0, 0.45, 40)
    walk[160:] *= 0.45
    yield "drawdown_heavy", *daily(walk), {}
    z = [100.0, 101.0, 101.0, 99.5, 102.25, 102.25, 103.0, 98.0, 99.0, 104.5]
    yield "zero_return_day", *daily(z), {}
    ts = [START + 9 * HOUR + d * DAY + h * HOUR for d in range(20) for h in range(7)]
    eq = list(50_000.0 * np.cumprod(1 + rng.normal(0.0002, 0.004, len(ts))))
    yield "intraday_hourly", ts, eq, {}
    # Weekdays only: weekends have no bars and give no return period.
    days = [d for d in range(60) if (d + 0) % 7 not in (5, 6)]
    ts = [START + 16 * HOUR + d * DAY for d in days]
    eq = list(10_000.0 * np.cumprod(1 + rng.normal(0.001, 0.01, len(ts))))
    yield "weekday_gaps", ts, eq, {}
    ts = [START + i * 60 * 10**9 for i in range(500)]
    eq = list(1_000.0 * np.cumprod(1 + rng.normal(0.0, 0.001, len(ts))))
    yield "per_bar_minutes", ts, eq, {"returns": "bar", "periods_per_year": 252 * 390}
    eq = list(100.0 * np.cumprod(1 + rng.normal(0.0004, 0.012, 400)))
    yield "calendar_365_rf", *daily(eq), {"periods_per_year": 365, "risk_free": 0.02}
    yield "fx_sunday_bars", *fx_sunday_bars(), {}


def clean(x):
    x = float(x)
    return x if math.isfinite(x) else None


YEAR = 365.25 * DAY


def calendar_cagr(ts, eq):
    """Tape's CAGR: growth from the first to the last bar over calendar time (365.25-day years),
    not empyrical's annual_return (which counts return periods / P as years)."""
    if ts[-1] <= ts[0]:
        return float("nan")
    return (eq[-1] / eq[0]) ** (YEAR / (ts[-1] - ts[0])) - 1


def expected(ts, eq, opts):
    s = pd.Series(eq, index=pd.to_datetime(ts, unit="ns", utc=True))
    p = float(opts.get("periods_per_year", 252))
    rf = float(opts.get("risk_free", 0.0)) / p
    closes = s if opts.get("returns") == "bar" else s.groupby(s.index.floor("D")).last()
    r = closes.pct_change().dropna()
    with np.errstate(all="ignore"):
        return {
            "periods": len(r),
            "total_return": clean(eq[-1] / eq[0] - 1),
            "cagr": clean(calendar_cagr(ts, eq)),
            "annual_return": clean(r.mean() * p),
            "annual_volatility": clean(ep.annual_volatility(r, annualization=p)),
            "sharpe": clean(ep.sharpe_ratio(r, risk_free=rf, annualization=p)),
            "sortino": clean(ep.sortino_ratio(r, required_return=rf, annualization=p)),
            "calmar": clean(calendar_cagr(ts, eq) / abs(ep.max_drawdown(r))) if ep.max_drawdown(r) < 0 else None,
            "max_drawdown": clean(ep.max_drawdown(r)),
            "bar_max_drawdown": clean((s / s.cummax() - 1).min()),
        }


def check_quantstats(name, ts, eq, opts, exp):
    """If quantstats is installed, checks that it agrees with empyrical on this curve (Sharpe,
    Sortino, volatility, max drawdown) when the risk-free rate is 0: quantstats compounds an annual
    rate to a per-period one, (1 + rf)^(1/P) - 1, where Tape and empyrical use rf / P."""
    try:
        import quantstats as qs
    except ImportError:
        return
    if opts.get("risk_free"):
        return
    s = pd.Series(eq, index=pd.to_datetime(ts, unit="ns"))
    p = int(opts.get("periods_per_year", 252))
    closes = s if opts.get("returns") == "bar" else s.groupby(s.index.floor("D")).last()
    r = closes.pct_change().dropna()
    with np.errstate(all="ignore"):
        got = {"sharpe": qs.stats.sharpe(r, periods=p), "sortino": qs.stats.sortino(r, periods=p),
               "annual_volatility": qs.stats.volatility(r, periods=p), "max_drawdown": qs.stats.max_drawdown(r)}
    for k, v in got.items():
        v, e = clean(v), exp[k]
        assert (v is None and e is None) or (v is not None and e is not None and abs(v - e) <= 1e-9 * abs(e) + 1e-12), (name, k, v, e)


def main():
    out = []
    for name, ts, eq, opts in cases():
        exp = expected(ts, eq, opts)
        check_quantstats(name, ts, eq, opts, exp)
        out.append({"name": name, "options": opts, "ts": ts, "equity": [float(v) for v in eq], "expected": exp})
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "Tests", "TapeTests", "Fixtures", "empyrical_metrics.json")
    with open(path, "w") as f:
        json.dump({"generator": "tools/metrics/gen_empyrical_fixture.py",
                   "empyrical": ep.__version__, "cases": out}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    main()
