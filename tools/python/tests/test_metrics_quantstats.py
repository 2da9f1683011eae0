"""The metrics `tape` stores at close, against quantstats (issue 14, "Conventions a quant can
trust"), on the demo backtest written by the CLI itself.

Daily returns are the last equity of each UTC day over the previous day's (README "Run metrics");
with them quantstats' Sharpe, Sortino, volatility and max drawdown must equal the stored ones to
1e-9 (risk-free 0, 252 periods a year). cagr is over calendar time between the first and last bar
(365.25-day years; quantstats counts whole days from the first return, so it is checked against
that formula), and expectancy is the mean PnL per trade in currency, as quantstats/backtrader
users read it, with expectancy_r = avg_trade / |avg_loss|.
"""
import io
import json
import subprocess

import numpy as np
import pandas as pd
import pytest

qs = pytest.importorskip("quantstats")  # pinned in requirements-test.txt, so present under make test

TOL = 1e-9


@pytest.fixture(scope="module")
def demo(tmp_path_factory, cli):
    d = tmp_path_factory.mktemp("quantstats")
    subprocess.run([cli, "demo", str(d), "--bars", "100000"], check=True, capture_output=True)
    path = str(d / "demo.tape")

    def sql(query):
        out = subprocess.run([cli, "sql", query, path, "-f", "csv"], check=True, capture_output=True, text=True).stdout
        return pd.read_csv(io.StringIO(out))

    info = json.loads(subprocess.run([cli, "info", path, "--format", "json"], check=True, capture_output=True, text=True).stdout)
    equity = sql("SELECT ts, equity FROM equity ORDER BY ts")
    equity = pd.Series(equity["equity"].to_numpy(), index=pd.to_datetime(equity["ts"], utc=True))
    trades = sql("SELECT pnl FROM trades")["pnl"]
    return info["metrics"], equity, trades


def near(a, b):
    return abs(a - b) <= TOL * abs(b) + 1e-12


def test_sharpe_sortino_volatility_and_drawdown_equal_quantstats(demo):
    metrics, equity, _ = demo
    closes = equity.groupby(equity.index.floor("D")).last()
    returns = closes.pct_change().dropna()
    assert metrics["periods"] == len(returns) > 50
    with np.errstate(all="ignore"):
        expected = {"sharpe": qs.stats.sharpe(returns, periods=252), "sortino": qs.stats.sortino(returns, periods=252),
                    "annual_volatility": qs.stats.volatility(returns, periods=252),
                    "max_drawdown": qs.stats.max_drawdown(returns)}
    for name, value in expected.items():
        assert near(metrics[name], value), (name, metrics[name], value)
    # The bar-level drawdown sees every bar, so it is at least as deep.
    bar = (equity / equity.cummax() - 1).min()
    assert near(metrics["bar_max_drawdown"], bar) and metrics["bar_max_drawdown"] <= metrics["max_drawdown"]


def test_cagr_is_over_calendar_time(demo):
    metrics, equity, _ = demo
    years = (equity.index[-1] - equity.index[0]).total_seconds() / (365.25 * 86400)
    assert near(metrics["cagr"], (equity.iloc[-1] / equity.iloc[0]) ** (1 / years) - 1)


def test_expectancy_is_currency_per_trade(demo):
    metrics, _, pnl = demo
    assert metrics["trades"] == len(pnl) > 10
    assert near(metrics["expectancy"], pnl.mean())
    assert near(metrics["expectancy_r"], pnl.mean() / abs(pnl[pnl < 0].mean()))
