"""README's vectorbt recipe, run as written. vectorbt itself is too heavy for the test environment
(see README), so `import vectorbt` gets a stand-in whose Portfolio returns frames with exactly the
columns, dtypes and index of vectorbt 1.2.0's `Portfolio.from_signals(...).value()` and
`.trades.records_readable` (recorded from vectorbt 1.2.0 on this machine); the recipe's code path
(Writer.write_batch of those frames, metric columns resolved by their vectorbt names) is real."""
import os
import re
import sys
import types

import numpy as np
import pandas as pd

import tape
from conftest import ROOT


def _recipe():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    blocks = [b for b in re.findall(r"```py\n(.*?)```", text, re.S) if "vbt.Portfolio" in b]
    assert len(blocks) == 1, "README has one vectorbt recipe"
    return blocks[0]


class _Trades:
    def __init__(self, records):
        self.records_readable = records


class _Portfolio:
    """What vectorbt 1.2.0's Portfolio.from_signals gives for one column named `close`: long-only
    trades entered and exited at the close on signal days, all cash in."""

    def __init__(self, close, entries, exits, init_cash):
        cash, size, entry, rows, value = float(init_cash), 0.0, None, [], []
        for t, price, e, x in zip(close.index, close.to_numpy(), entries.to_numpy(), exits.to_numpy()):
            if size == 0 and e:
                size, entry = cash / price, (t, price)
                cash = 0.0
            elif size > 0 and x:
                cash = size * price
                rows.append((size, entry[0], entry[1], t, price, size * (price - entry[1]), price / entry[1] - 1))
                size = 0.0
            value.append(cash + size * price)
        self._value = pd.Series(value, index=close.index, name=close.name)
        n = len(rows)
        col = lambda i: [r[i] for r in rows]
        self.trades = _Trades(pd.DataFrame({
            "Exit Trade Id": np.arange(n, dtype="int64"),
            "Column": pd.Series([close.name] * n, dtype=object),
            "Size": pd.Series(col(0), dtype="float64"),
            "Entry Timestamp": pd.DatetimeIndex(col(1), dtype="datetime64[us, UTC]"),
            "Avg Entry Price": pd.Series(col(2), dtype="float64"),
            "Entry Fees": np.zeros(n),
            "Exit Timestamp": pd.DatetimeIndex(col(3), dtype="datetime64[us, UTC]"),
            "Avg Exit Price": pd.Series(col(4), dtype="float64"),
            "Exit Fees": np.zeros(n),
            "PnL": pd.Series(col(5), dtype="float64"),
            "Return": pd.Series(col(6), dtype="float64"),
            "Direction": pd.Series(["Long"] * n, dtype=object),
            "Status": pd.Series(["Closed"] * n, dtype=object),
            "Position Id": np.arange(n, dtype="int64"),
        }))

    @classmethod
    def from_signals(cls, close, entries, exits, init_cash=100.0, freq=None):
        return cls(close, entries, exits, init_cash)

    def value(self):
        return self._value


def test_vectorbt_recipe_writes_equity_trades_and_metrics(tmp_path, monkeypatch, capsys):
    stand_in = types.ModuleType("vectorbt")
    stand_in.Portfolio = _Portfolio
    monkeypatch.setitem(sys.modules, "vectorbt", stand_in)
    monkeypatch.chdir(tmp_path)
    idx = pd.date_range("2024-01-01", periods=300, freq="D", tz="UTC").as_unit("us")   # vectorbt's index
    close = pd.Series(100 + np.cumsum(np.random.default_rng(1).normal(0, 1, 300)), index=idx, name="close")
    fast, slow = close.rolling(10).mean(), close.rolling(30).mean()
    env = {"close": close, "entries": fast > slow, "exits": fast < slow}
    exec(compile(_recipe(), "README.md (vectorbt recipe)", "exec"), env)

    pf = env["pf"]
    equity = tape.read_pandas("vbt.tape", "equity")
    assert list(equity.columns) == ["ts", "equity"] and len(equity) == 300
    np.testing.assert_allclose(equity["equity"].to_numpy(), pf.value().to_numpy())
    trades = tape.read_pandas("vbt.tape", "trades")
    assert len(trades) == len(pf.trades.records_readable) > 3
    np.testing.assert_allclose(trades["PnL"].to_numpy(), pf.trades.records_readable["PnL"].to_numpy())
    m = tape.info("vbt.tape")["metrics"]
    # Metrics found through vectorbt's own column names: equity total return and the trade stats.
    assert abs(m["total_return"] - (pf.value().iloc[-1] / 10_000 - 1)) < 1e-9
    assert m["trades"] == len(trades)
    assert abs(m["win_rate"] - (trades["PnL"] > 0).mean()) < 1e-12
    assert "%s %s" % (m["total_return"], m["trades"]) in capsys.readouterr().out
