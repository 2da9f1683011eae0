"""`tape report`'s numbers against quantstats, on a real backtesting.py run (SmaCross on the GOOG
daily bars bundled with backtesting.py, written through tools/python/tape_writer.py).

The report's --json output (monthly and yearly returns, every drawdown period, rolling Sharpe and
volatility, daily-return distribution statistics) must equal quantstats' to 1e-9, quantstats being
fed the same daily returns: the last equity of each UTC day over the previous day's.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

qs = pytest.importorskip("quantstats")  # pinned in requirements-test.txt, so present under make test

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "examples"))
from tape_writer import TapeWriter  # noqa: E402
import backtesting_py_example as example  # noqa: E402

TOL = 1e-9
WINDOW = 126


@pytest.fixture(scope="module")
def goog(tmp_path_factory, cli):
    """The backtest's equity curve and the report's numbers for its .tape run."""
    stats = example.run_backtest()
    d = tmp_path_factory.mktemp("report")
    path = str(d / "goog.tape")
    metadata = {"strategy": "SmaCross", "symbol": "GOOG", "n1": 10, "n2": 20,
                "tape.metrics.equity_column": "Equity", "tape.metrics.pnl_column": "PnL",
                "tape.metrics.entry_column": "EntryTime", "tape.metrics.exit_column": "ExitTime"}
    with TapeWriter(path, metadata=metadata, tape_bin=cli, overwrite=True) as w:
        w.write_many("equity", example.equity_frame(stats))
        w.write_many("trades", stats._trades)
    out, numbers = str(d / "goog.html"), str(d / "goog.json")
    p = subprocess.run([cli, "report", path, "--out", out, "--json", numbers, "--rolling-window", str(WINDOW)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    with open(numbers) as f:
        report = json.load(f)
    equity = stats._equity_curve["Equity"]
    closes = equity.groupby(equity.index.normalize()).last()
    returns = closes.pct_change().dropna()
    return report, returns, open(out, encoding="utf-8").read()


def close(a, b):
    return abs(a - b) <= TOL


def test_daily_returns_match(goog):
    report, returns, _ = goog
    assert report["returnDays"] == len(returns) > 2000


def test_monthly_and_yearly_returns_equal_quantstats(goog):
    report, returns, _ = goog
    table = qs.stats.monthly_returns(returns, eoy=True, compounded=True)
    months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    ours = {(m["year"], m["month"]): m["value"] for m in report["monthly"]}
    assert len(ours) > 100
    for year in table.index:
        for k, name in enumerate(months):
            expected = table.loc[year, name]
            got = ours.get((int(year), k + 1))
            if got is None:
                assert expected == 0, (year, name)        # quantstats shows a month without returns as 0
            else:
                assert close(got, expected), (year, name, got, expected)
    yearly = {y["year"]: y["value"] for y in report["yearly"]}
    assert sorted(yearly) == sorted(int(y) for y in table.index)
    for year in table.index:
        assert close(yearly[int(year)], table.loc[year, "EOY"]), year


def test_drawdown_periods_equal_quantstats(goog):
    report, returns, _ = goog
    details = qs.stats.drawdown_details(qs.stats.to_drawdown_series(returns))
    ours = report["drawdowns"]
    assert len(ours) == len(details) > 10
    for got, (_, row) in zip(ours, details.iterrows()):
        assert (got["start"], got["valley"], got["end"]) == (row["start"], row["valley"], row["end"])
        assert got["days"] == row["days"]
        assert close(got["depth"], row["max drawdown"] / 100), (got, row)
    # the deepest drawdown is the stored metric's max_drawdown (empyrical's) too
    assert close(min(d["depth"] for d in ours), qs.stats.max_drawdown(returns))


def test_rolling_sharpe_and_volatility_equal_quantstats(goog):
    report, returns, _ = goog
    sharpe = qs.stats.rolling_sharpe(returns, rolling_period=WINDOW, periods_per_year=252).dropna()
    vol = qs.stats.rolling_volatility(returns, rolling_period=WINDOW, periods_per_year=252).dropna()
    ours = report["rolling"]
    assert len(ours) == len(returns) - WINDOW + 1 == len(vol)
    for got, (day, v) in zip(ours, vol.items()):
        assert got["date"] == day.strftime("%Y-%m-%d")
        assert close(got["volatility"], v), (got, v)
        if got["sharpe"] is not None:
            assert close(got["sharpe"], sharpe[day]), (got, sharpe[day])
        else:
            assert day not in sharpe.index or not np.isfinite(sharpe[day])


def test_distribution_statistics_equal_quantstats(goog):
    report, returns, _ = goog
    d = report["distribution"]
    assert d["count"] == len(returns)
    assert close(d["mean"], returns.mean())
    assert close(d["std"], returns.std())
    assert close(d["skew"], qs.stats.skew(returns))
    assert close(d["kurtosis"], qs.stats.kurtosis(returns))
    assert close(d["min"], returns.min()) and close(d["max"], returns.max())
    for q, got in zip([0.05, 0.25, 0.5, 0.75, 0.95], d["quantiles"]):
        assert close(got, float(np.quantile(returns.values, q)))
    assert close(d["positiveShare"], float((returns > 0).mean()))


def test_html_shows_the_run(goog):
    _, _, page = goog
    for section in ["header", "metrics", "equity", "drawdowns", "monthly", "distribution", "rolling", "trades", "exposure"]:
        assert 'id="%s"' % section in page
    assert "SmaCross" in page and "GOOG" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
